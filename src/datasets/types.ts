/** One dataset row as every later stage sees it, whatever file format it came from. */
export interface Row {
  id: string;
  text: string;
  /** Gold label (classification) or gold answer (generation). */
  label: string;
  lang: string;
  split: string;
  tags: string[];
  /** 1-based line in the source file, for error messages and the sample explorer. */
  line: number;
  /** Reasoning rows: number of steps (results are broken down by it), problem kind, answer options. */
  difficulty?: number;
  kind?: string;
  choices?: string[];
}

export interface SkippedRow {
  line: number;
  reason: string;
}

/** A file as a streamed run knows it after one pass: the summary's facts, not the rows. */
export interface DatasetStats {
  path: string;
  format: string;
  sha256: string;
  /** Valid rows in the file. */
  rows: number;
  /** Only non-empty with --lenient: bad rows that were skipped instead of failing the run. */
  skipped: SkippedRow[];
  /** Rows a public format's label mapping leaves out by rule (e.g. GoEmotions' fear): not errors. */
  dropped: number;
}

/** A small file held whole (train splits, the bundled data): the same facts, with the rows themselves. */
export interface LoadedDataset extends Omit<DatasetStats, 'rows'> {
  rows: Row[];
}

export interface LoadOptions {
  /** The suite's label set; a row with another label is an error. */
  labels?: readonly string[];
  /** Skip bad rows (and count them) instead of failing on the first. */
  lenient?: boolean;
  /** A text longer than this (UTF-8 bytes) is a bad row: baselines and prompts grow with it. */
  maxTextBytes?: number;
  /** The user's file under other names: canonical column → the file's column, file label → suite label. */
  mapping?: ColumnMapping;
}

export interface ColumnMapping {
  columns?: Record<string, string>;
  labels?: Record<string, string>;
}
