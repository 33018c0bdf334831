import { clip, UserError, where } from '../errors.js';
import type { LoadOptions, Row, SkippedRow } from './types.js';

/** Default for --max-text-bytes: far above any real text, far below what a baseline's n-grams can hold. */
export const DEFAULT_MAX_TEXT_BYTES = 1 << 20;

/** Raw fields of one record before validation; every loader produces these. */
export interface RawRecord {
  line: number;
  fields: Record<string, unknown>;
}

/**
 * Checks rows one at a time as they stream in, so a bad row in a large file is reported with its
 * line as soon as it is read. Strict mode throws; lenient mode records and skips. It keeps no rows,
 * only their ids (for duplicates), so a file of any size can pass through it.
 */
export class RowValidator {
  private readonly ids = new Set<string>();
  readonly skipped: SkippedRow[] = [];
  /** Rows a public format's label mapping leaves out by rule (not errors). */
  dropped = 0;

  constructor(
    private readonly file: string,
    private readonly opts: LoadOptions,
  ) {}

  /** The canonical name (id, text, label, …) of a column of the file, under --columns. */
  canonicalColumn(name: string): string {
    const columns = this.opts.mapping?.columns ?? {};
    return Object.keys(columns).find((k) => columns[k] === name) ?? name;
  }

  /** The row when it is valid; undefined when lenient mode skipped it. */
  add(rec: RawRecord): Row | undefined {
    const problem = this.check(this.mapped(rec));
    if (typeof problem !== 'string') return problem;
    this.reject(rec.line, problem);
    return undefined;
  }

  /** Fields under their canonical names and labels in the suite's names (--columns, --labels). */
  private mapped(rec: RawRecord): RawRecord {
    const m = this.opts.mapping;
    if (!m) return rec;
    const fields = { ...rec.fields };
    for (const [canonical, source] of Object.entries(m.columns ?? {})) if (source in fields) fields[canonical] = fields[source];
    const label = asText(fields['label']);
    if (label !== undefined && m.labels && label in m.labels) fields['label'] = m.labels[label];
    return { line: rec.line, fields };
  }

  drop(): void {
    this.dropped++;
  }

  /** A problem found outside a single field (bad JSON, wrong column count). */
  reject(line: number, problem: string): void {
    const reason = clip(problem, 300);
    if (!this.opts.lenient) throw new UserError(`${where(this.file, line)}: ${reason}`);
    this.skipped.push({ line, reason });
  }

  private check({ line, fields }: RawRecord): Row | string {
    const id = asText(fields['id']);
    const text = asText(fields['text']);
    const label = asText(fields['label']);
    if (id === undefined || id.trim() === '') return 'field "id" is empty';
    if (text === undefined || text.trim() === '') return `field "text" is empty (id ${clip(id, 80)})`;
    // Files are decoded with replacement: a U+FFFD is where bytes were not UTF-8 (a Latin-1 or
    // Shift-JIS file), which would be scored as mangled text without a word.
    const mangled = (['id', 'text', 'label'] as const).find((f) => asText(fields[f])?.includes('\uFFFD'));
    if (mangled) return `field "${mangled}": invalid UTF-8 (bytes that are not UTF-8 were replaced by U+FFFD; convert the file to UTF-8) (id ${clip(id, 80)})`;
    const maxText = this.opts.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
    if (text.length > maxText / 4 && Buffer.byteLength(text) > maxText) {
      return `field "text" is ${Buffer.byteLength(text)} bytes, over the limit of ${maxText} (id ${clip(id, 80)}; --max-text-bytes raises it)`;
    }
    if (label === undefined || label.trim() === '') return `field "label" is empty (id ${id})`;
    const labels = this.opts.labels;
    if (labels && !labels.includes(label)) {
      return `field "label": unknown label "${label}" (id ${id}); expected one of ${labels.join(', ')}`;
    }
    if (this.ids.has(id)) return `field "id": duplicate id "${id}"`;
    this.ids.add(id);
    const tags = asText(fields['tags']);
    const difficulty = fields['difficulty'];
    if (difficulty !== undefined && difficulty !== '' && !Number.isInteger(Number(difficulty))) return `field "difficulty": "${String(difficulty)}" is not a whole number (id ${id})`;
    const choices = fields['choices'];
    if (choices !== undefined && !(Array.isArray(choices) && choices.every((c) => typeof c === 'string'))) return `field "choices": expected an array of strings (id ${id})`;
    const kind = asText(fields['kind']);
    return {
      ...(difficulty !== undefined && difficulty !== '' ? { difficulty: Number(difficulty) } : {}),
      ...(kind ? { kind } : {}),
      ...(choices !== undefined ? { choices: choices as string[] } : {}),
      id,
      text,
      label,
      lang: asText(fields['lang'])?.trim() || 'und',
      split: asText(fields['split'])?.trim() || 'test',
      tags: tags ? tags.split(';').map((t) => t.trim()).filter(Boolean) : [],
      line,
    };
  }
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
