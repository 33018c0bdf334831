/**
 * Label extraction from free-form model output. Real output has extra words, markdown, JSON,
 * other languages and refusals; a wrong guess here silently changes accuracy, so the rule is:
 * return a label only when the text names one unambiguously, otherwise null (an "unparseable"
 * answer, counted in its own column, never as a lucky hit).
 */
export interface LabelExtractor {
  extract(output: string): string | null;
}

const ANSWER_CUE = /(?:answer|label|emotion|classification|category|prediction|感情|答え|回答|ラベル)\s*(?:is|was|would be|:|：|=|は)\s*/giu;

export function labelExtractor(labels: readonly string[], aliases: Readonly<Record<string, readonly string[]>> = {}): LabelExtractor {
  // Longest names first so "not angry" style aliases win over their substrings.
  const names: { name: string; label: string }[] = [];
  for (const label of labels) {
    for (const name of [label, ...(aliases[label] ?? [])]) names.push({ name: normalise(name), label });
  }
  names.sort((a, b) => b.name.length - a.name.length);

  const mentions = (text: string): { label: string; at: number }[] => {
    const found: { label: string; at: number }[] = [];
    // Characters already claimed by a (longer) name: checking a candidate costs its own length, so a
    // long answer is scanned in linear time (a list of earlier finds made it quadratic).
    const taken = new Uint8Array(text.length);
    for (const { name, label } of names) {
      let from = 0;
      for (;;) {
        const at = text.indexOf(name, from);
        if (at === -1) break;
        from = at + name.length;
        if (!isWholeWord(text, at, name.length)) continue;
        if (taken.subarray(at, at + name.length).includes(1)) continue;
        taken.fill(1, at, at + name.length);
        found.push({ label, at });
      }
    }
    return found.sort((a, b) => a.at - b.at);
  };

  return {
    extract(output: string): string | null {
      const fromJson = jsonLabel(output);
      const text = normalise(fromJson ?? output);
      if (text === '') return null;
      // Text after the last explicit cue ("Answer: …") decides when there is one.
      let cueEnd = -1;
      for (const m of text.matchAll(ANSWER_CUE)) cueEnd = m.index + m[0].length;
      if (cueEnd >= 0) {
        const after = mentions(text.slice(cueEnd));
        if (after.length > 0) return after[0]!.label;
      }
      const all = new Set(mentions(text).map((m) => m.label));
      return all.size === 1 ? [...all][0]! : null;
    },
  };
}

/** NFKC (full-width → ASCII), lower case, markdown emphasis and code marks removed. */
function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[*_`#>]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Latin names must stand as words ("joy" not in "enjoyed"); CJK names have no word boundaries. */
function isWholeWord(text: string, at: number, len: number): boolean {
  const before = text[at - 1];
  const after = text[at + len];
  const isWordChar = (c: string | undefined) => c !== undefined && /[\p{Script=Latin}\p{Nd}]/u.test(c);
  return !isWordChar(before) && !isWordChar(after);
}

/** `{"label": "joy"}` or ```json fenced``` output: the value of a label-like key. */
function jsonLabel(output: string): string | null {
  const m = /\{[^{}]*\}/s.exec(output);
  if (!m) return null;
  try {
    const obj = JSON.parse(m[0]) as Record<string, unknown>;
    for (const key of ['label', 'emotion', 'answer', 'class', 'category']) {
      const v = obj[key];
      if (typeof v === 'string') return v;
    }
  } catch {
    // Not JSON after all: fall back to plain-text extraction.
  }
  return null;
}
