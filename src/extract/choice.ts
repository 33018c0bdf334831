/**
 * Multiple-choice answer extraction: the option letter a model chose, from free-form output.
 * Same rule as label.ts: a letter only when the text names one clearly ("B", "(b)", "Answer: C",
 * "正解はB", the text of exactly one option), otherwise null — counted as unparseable, never a
 * guess. "A or B", a list of all the options, a refusal: null.
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Explicit cues. Unlike in free text, a bare "option"/"choice"/"answer" is a safe cue here: the
 * letter has to follow it at once, so "answer a question" does not read as (A).
 */
const CUE = new RegExp(
  [
    String.raw`\b(?:(?:final|correct|right)\s+)?(?:answer|option|choice)(?!\p{L})\s*(?:(?:is|would be|should be|must be)(?!\p{L})|[:=-])?`,
    String.raw`\b(?:respuesta|réponse|reponse|resposta|risposta)(?:\s+(?:correcta|correcte|finale?))?(?!\p{L})\s*(?:(?:es|est|é|è)(?!\p{L})|:)?`,
    String.raw`\bantwort(?!\p{L})\s*(?:(?:ist|lautet)(?!\p{L})|:)?`,
    String.raw`(?:答え|正解|解答|回答|答案|选项|选择|选)\s*(?:は|是|为|為|:)?`,
  ].join('|') + String.raw`\s*(?:(?:option|choice|letter|opción|opcion|lettre|buchstabe)(?!\p{L})\s*)?`,
  'giu',
);

export function extractChoice(output: string, choices?: readonly string[]): string | null {
  const letters = LETTERS.slice(0, choices && choices.length > 0 ? choices.length : 4);
  const options = (choices ?? []).map((c, i) => ({ text: plain(c), letter: LETTERS[i]! })).filter((o) => o.text !== '');
  // Longest first, so an option that contains another ("Some wugs are not daxes") wins.
  options.sort((a, b) => b.text.length - a.text.length);
  const text = normalise(jsonAnswer(output) ?? output);
  if (text === '') return null;

  const whole = /^[([]?([A-Za-z])[)\].:]?$/.exec(text);
  if (whole) return inRange(whole[1]!, letters);

  const cueEnds = [...text.matchAll(CUE)].map((m) => m.index + m[0].length).reverse();
  for (const end of cueEnds) {
    const found = afterCue(text.slice(end), letters, options);
    if (found !== undefined) return found;
  }

  // "B) Carl finished third." — the option as the model's first words; several such lines are
  // the options echoed back, not a choice.
  const markers = new Set([...text.matchAll(/^(?:[([]([A-Za-z])[)\]]|([A-Za-z])[).:])(?:\s|$)/gm)].map((m) => (m[1] ?? m[2])!.toUpperCase()));
  if (/^(?:[([][A-Za-z][)\]]|[A-Za-z][).:])(?:\s|$)/.test(text)) return markers.size === 1 ? inRange([...markers][0]!, letters) : null;

  const named = new Set<string>();
  for (const m of text.matchAll(/(?<![\p{Script=Latin}\p{Nd}°'’])(?:[([]([A-Za-z])[)\]]|([A-Z]))(?![\p{Script=Latin}\p{Nd}'’])/gu)) {
    const letter = m[1] ?? m[2]!;
    if (m[2] !== undefined && isEnglishWord(m[2], text.slice(m.index + 1))) continue;
    named.add(letter.toUpperCase());
  }
  const inOptions = [...named].filter((l) => letters.includes(l));
  if (named.size > 0) return named.size === 1 && inOptions.length === 1 ? inOptions[0]! : null;

  const mentioned = new Set(mentions(plain(text), options));
  return mentioned.size === 1 ? [...mentioned][0]! : null;
}

/**
 * What follows a cue: a letter right there ("C", "(c)", "c)", "B because …"), or an option's
 * text right there, or exactly one option's text in the rest of that sentence. `undefined` when
 * this cue gives nothing, so an earlier cue or the plain-text rules can be tried.
 */
function afterCue(seg: string, letters: string, options: readonly { text: string; letter: string }[]): string | null | undefined {
  const upper = /^\s*([A-Z])(?![\p{Script=Latin}\p{Nd}'’])/u.exec(seg);
  const letter =
    /^\s*[([]\s*([A-Za-z])\s*[)\]]/.exec(seg) ??
    (upper && !isEnglishWord(upper[1]!, seg.slice(upper[0].length)) ? upper : null) ??
    /^\s*([a-z])(?=\s*$|[).:,\]]|\s+[-–—(])/.exec(seg);
  if (letter) return inRange(letter[1]!, letters) ?? undefined;
  const sentence = plain(seg.split(/[.。!?！？\n]/u).find((s) => s.trim() !== '') ?? '');
  const first = options.find((o) => sentence.startsWith(o.text) && !isWordChar(sentence[o.text.length]));
  if (first) return first.letter;
  const named = new Set(mentions(sentence, options));
  return named.size === 1 ? [...named][0]! : undefined;
}

/** "A" and "I" before a lowercase word are English words ("A careful look …", "I think …"), not options. */
function isEnglishWord(letter: string, after: string): boolean {
  return (letter === 'A' || letter === 'I') && /^\s+[a-z]/.test(after) && !/^\s+(?:is|was|would|should|must|seems|looks|fits|because|since|or|and|nor)\b/.test(after);
}

function inRange(letter: string, letters: string): string | null {
  const up = letter.toUpperCase();
  return letters.includes(up) ? up : null;
}

/** Letters of the options whose text appears as whole words, overlapping mentions counted once. */
function mentions(text: string, options: readonly { text: string; letter: string }[]): string[] {
  const taken: [number, number][] = [];
  const found: string[] = [];
  for (const { text: name, letter } of options) {
    for (let from = 0; ; ) {
      const at = text.indexOf(name, from);
      if (at === -1) break;
      from = at + name.length;
      if (isWordChar(text[at - 1]) || isWordChar(text[at + name.length])) continue;
      if (taken.some(([s, e]) => at < e && at + name.length > s)) continue;
      taken.push([at, at + name.length]);
      found.push(letter);
    }
  }
  return found;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{Script=Latin}\p{Nd}]/u.test(c);
}

/** NFKC (full-width letters and brackets), markdown marks removed, \boxed{X} read as "answer: X". */
function normalise(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\\boxed\{(?:\\text(?:bf)?\{)?([^{}]*)\}?\}/g, 'answer: $1')
    .replace(/[*_`]/g, '')
    .trim();
}

/** For comparing option texts: lower case, inner whitespace collapsed, outer punctuation dropped. */
function plain(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s"'“”‘’.,;:!?。、]+|[\s"'“”‘’.,;:!?。、]+$/gu, '');
}

/** `{"answer": "B"}`, possibly inside a ```json fence: the value of an answer-like key. */
function jsonAnswer(output: string): string | null {
  const m = /\{[^{}]*\}/s.exec(output);
  if (!m) return null;
  try {
    const obj = JSON.parse(m[0]) as Record<string, unknown>;
    for (const key of ['answer', 'choice', 'option', 'label']) {
      const v = obj[key];
      if (typeof v === 'string') return v;
    }
  } catch {
    // Not JSON after all: the plain-text rules read it.
  }
  return null;
}
