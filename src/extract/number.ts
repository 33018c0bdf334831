/**
 * Numeric answer extraction from free-form model output (arithmetic word problems, GSM8K, MGSM).
 * Same rule as label.ts: a wrong guess silently changes accuracy, so when the text does not make
 * one final number clear (no number, a refusal, "40 or 42", output cut off mid-calculation) the
 * result is null and the sample is counted as unparseable.
 *
 * Results are canonical decimal strings ("1234", "-7", "3.5"): no separators, no trailing zeros,
 * so two answers are equal exactly when their canonical strings are.
 */

export interface NumberExtractOptions {
  /**
   * The language of the output. In languages that write "2,5" and "80.000" (German, Spanish,
   * French, …) a lone dot before three digits groups thousands and a lone comma is decimal.
   */
  lang?: string;
}

const DECIMAL_COMMA_LANGS = new Set(['de', 'es', 'fr', 'it', 'pt', 'ru', 'uk', 'nl', 'pl', 'cs', 'sv', 'da', 'nb', 'no', 'fi', 'tr', 'ro', 'hu', 'el', 'id', 'vi']);

/**
 * A number as written: optional minus (a hyphen counts only when it touches the digits and does
 * not follow another operand, so "16-3" and "16 - 3" are subtractions), optional currency sign,
 * digits with , or . separators, and an optional "/denominator". Digits glued to a Latin letter
 * ("H2O", "m2", "x1") are names, not quantities.
 */
const NUMBER = /(?<![\p{Script=Latin}\p{Nd}])(?:(?<![)\]])(-)(?=[$€£¥₹]?\d))?(?:[$€£¥₹]\s?)?(?:(-)(?=\d))?(\d+(?:[.,]\d+)*)(?:\/(\d+)(?![.,]\d))?/gu;

/**
 * Explicit answer cues; the number that follows the last one is the answer. A bare "answer" is
 * not enough ("To answer this, first …"): it needs "is", ":" or "=" after it, or "final" before it.
 */
const CUE = new RegExp(
  [
    String.raw`\bfinal answer\b\s*(?:is|:|=)?`,
    String.raw`\banswer\s*(?:is|would be|will be|should be|:|=)`,
    String.raw`\b(?:respuesta|réponse|reponse|resposta|risposta)(?:\s+(?:final|finale|correcta|correcte))?\s*(?:es|est|é|è|:)`,
    String.raw`\b(?:respuesta|réponse|reponse|resposta|risposta)\s+(?:final|finale)\b`,
    String.raw`\bantwort\s*(?:ist|lautet|:)`,
    String.raw`ответ\s*(?::|—)`,
    String.raw`(?:答え|解答|正解|答案|最终答案|答)\s*(?:は|是|为|為|:)`,
  ].join('|'),
  'giu',
);

/** Saying there is no answer; with no explicit cue, any number nearby is incidental. */
const REFUSAL = /\bI (?:can ?not|can't|am unable to)\b|\bcannot be (?:determined|calculated|answered)\b|\b(?:not enough|insufficient) information\b|\bimpossible to (?:tell|determine|know)\b|\bno (?:puedo|se puede determinar)\b|\bje ne (?:peux|sais) pas\b|\bimpossible de déterminer\b|\bich kann (?:das |es )?nicht\b|わかりません|分かりません|判断できません|答えられません|无法确定|无法回答/iu;

/** Two numbers offered as alternatives ("40 or 42") are a hedge, not an answer. */
const ALTERNATIVE = /^\s*(?:or|o|ou|oder|или|または|か|或者?|还是)\s*$/iu;

/** "#### 18" (GSM8K's own answer line), not a markdown heading such as "#### Step 2". */
const HASHES = /####\s*(?=[-$€£¥₹]?\s?\d)/g;

interface Token {
  value: string | null;
  start: number;
  end: number;
}

export function extractNumber(output: string, opts: NumberExtractOptions = {}): string | null {
  const decimalComma = DECIMAL_COMMA_LANGS.has((opts.lang ?? '').toLowerCase().slice(0, 2));
  const text = normalise(output);
  if (!/\d/.test(text)) return null;

  const boxed = lastBoxed(text);
  if (boxed !== null) {
    const inner = afterLastEquals(boxed);
    const values = new Set(tokens(inner, decimalComma).map((t) => t.value));
    return values.size === 1 ? [...values][0]! : null;
  }

  const hashes = [...text.matchAll(HASHES)].pop();
  if (hashes) return answerAfter(text, hashes.index + hashes[0].length, decimalComma) ?? null;

  const cueEnds = [...text.matchAll(CUE)].map((m) => m.index + m[0].length).reverse();
  for (const end of cueEnds) {
    const found = answerAfter(text, end, decimalComma);
    if (found !== undefined) return found;
  }

  if (REFUSAL.test(text)) return null;
  // Output cut off mid-calculation ("… 13 - 4 =") has not reached its answer.
  if (/[-+*/×÷=]\s*$/.test(text)) return null;
  const all = tokens(text, decimalComma);
  const last = all.length - 1;
  if (last < 0) return null;
  if (last > 0 && ALTERNATIVE.test(text.slice(all[last - 1]!.end, all[last]!.start))) return null;
  return all[last]!.value;
}

/** Are two answers the same number ("42.0" vs "42", "1,000" vs "1000")? False if either is not a number. */
export function numbersEqual(pred: string, gold: string): boolean {
  const p = parseNumber(pred);
  const g = parseNumber(gold);
  return p !== null && p === g;
}

/**
 * One number on its own ("1,234", "-7", "$12.50", "42.0", "3/4") in canonical form, or null when
 * the string is anything else. Gold answers go through this too, so both sides compare alike.
 */
export function parseNumber(s: string): string | null {
  const text = normalise(s).trim();
  const found = tokens(text, false);
  if (found.length !== 1) return null;
  const t = found[0]!;
  return text.slice(0, t.start).trim() === '' && text.slice(t.end).trim() === '' ? t.value : null;
}

/**
 * The answer in the text after a cue: when the cue is followed by a calculation ("3 + 4 = 7"),
 * its result; when by a number, that number; otherwise the number after the last "=" of the line,
 * or the line's first number. A cue whose line holds no number looks at the next non-empty line
 * ("Answer:\n\n42"). `undefined` means this cue gave nothing, so an earlier one may be tried.
 */
function answerAfter(text: string, from: number, decimalComma: boolean): string | null | undefined {
  const lines = text.slice(from).split('\n');
  let line = lines[0]!;
  if (!/\d/.test(line)) line = lines.slice(1).find((l) => l.trim() !== '') ?? '';
  const found = tokens(line, decimalComma);
  if (found.length === 0) return undefined;
  let pick = 0;
  const calculation = /^[\s:=$€£¥₹(]*[-\d.,\s+*/×÷()$€£¥₹=]*/u.exec(line)![0];
  if (calculation.includes('=')) {
    pick = Math.max(0, found.filter((t) => t.end <= calculation.length).length - 1);
  } else if (!/^[\s:$€£¥₹(\[]*$/u.test(line.slice(0, found[0]!.start))) {
    const eq = line.lastIndexOf('=');
    pick = Math.max(0, eq === -1 ? 0 : found.findIndex((t) => t.start > eq));
  }
  const next = found[pick + 1];
  if (next && ALTERNATIVE.test(line.slice(found[pick]!.end, next.start))) return null;
  return found[pick]!.value;
}

function tokens(text: string, decimalComma: boolean): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const negative = m[1] !== undefined || m[2] !== undefined;
    const whole = interpret(m[3]!, decimalComma);
    let value: string | null = whole;
    if (whole !== null && m[4] !== undefined) value = divide(whole, m[4]);
    if (value !== null && negative && value !== '0') value = `-${value}`;
    out.push({ value, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * Digits with separators → canonical decimal. Both marks present: the last one is the decimal
 * point ("1,234.5", "1.234,5"). One kind repeated: thousands ("1,234,567"). A single mark before
 * exactly three digits groups thousands (a comma in English, a dot where commas are decimal);
 * any other single mark is a decimal point ("3.5", "2,5"). Groups that do not fit ("1.2.3") are
 * not a number.
 */
function interpret(body: string, decimalComma: boolean): string | null {
  const seps = body.match(/[.,]/g) ?? [];
  const groups = body.split(/[.,]/);
  let intGroups = groups;
  let frac = '';
  const last = seps[seps.length - 1];
  if (last !== undefined) {
    const earlier = seps.slice(0, -1);
    if (earlier.length > 0 && earlier.some((s) => s !== earlier[0])) return null;
    if (earlier.length > 0 && earlier[0] !== last) {
      intGroups = groups.slice(0, -1);
      frac = groups[groups.length - 1]!;
    } else if (seps.length === 1) {
      const [head, tail] = groups as [string, string];
      const groupsThousands = tail.length === 3 && head.length <= 3 && head !== '0' && (last === ',') !== decimalComma;
      if (!groupsThousands) {
        intGroups = [head];
        frac = tail;
      }
    }
  }
  if (intGroups.length > 1 && (intGroups[0]!.length > 3 || intGroups.slice(1).some((g) => g.length !== 3))) return null;
  return canonical(intGroups.join(''), frac);
}

function canonical(intDigits: string, fracDigits: string): string {
  const i = intDigits.replace(/^0+(?=\d)/, '');
  const f = fracDigits.replace(/0+$/, '');
  return f === '' ? i : `${i}.${f}`;
}

/** a/b as an exact decimal, or null when it does not terminate (1/3) or b is 0. */
function divide(numerator: string, denominator: string): string | null {
  if (numerator.includes('.')) return null;
  let n = BigInt(numerator);
  const d = BigInt(denominator);
  if (d === 0n) return null;
  if (n % d === 0n) return (n / d).toString();
  let rest = d;
  while (rest % 2n === 0n) rest /= 2n;
  while (rest % 5n === 0n) rest /= 5n;
  if (rest !== 1n) return null;
  let scale = 0;
  while (n % d !== 0n) {
    n *= 10n;
    scale++;
  }
  const digits = (n / d).toString().padStart(scale + 1, '0');
  return canonical(digits.slice(0, -scale), digits.slice(-scale));
}

/**
 * Full-width digits and signs to ASCII (NFKC), the minus sign to "-", LaTeX spacing and wrappers
 * removed, markdown emphasis removed, 万/億 multiplied out, and digit groups separated by spaces
 * ("80 000", as French and Spanish write it and as GSM8K's own solutions sometimes do) joined.
 */
function normalise(s: string): string {
  let t = s.replace(/(\d)(?:[\u00a0\u202f\u2009]|\\[,;!: ])(?=\d{3}(?!\d))/g, '$1');
  t = t.normalize('NFKC').replace(/[\u2212\ufe63]/g, '-');
  t = t.replace(/(?<![\d.,])\d{1,3}(?: \d{3})+(?!\d)/g, (m) => m.replace(/ /g, ''));
  t = t
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/\{,\}/g, ',')
    .replace(/\\\$/g, '$')
    .replace(/\\[dt]?frac\{(\d+)\}\{(\d+)\}/g, '$1/$2')
    .replace(/\\(?:text|mathrm|textbf|mathbf)\{([^{}]*)\}/g, '$1')
    // Emphasis marks go; a lone "*" between numbers is multiplication and stays.
    .replace(/\*\*|__|[`_]/g, '')
    .replace(/(?<!\d\s?)\*|\*(?!\s?\d)/g, '');
  return t.replace(/(\d+(?:\.\d+)?)億(?:(\d{1,4})万)?(\d{1,4}(?![\d.,]))?|(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)万(\d{1,4}(?![\d.,]))?/g, (_m, oku?: string, okuMan?: string, okuOnes?: string, man?: string, ones?: string) => {
    if (oku !== undefined) return addInt(addInt(shift(oku, 8), shift(okuMan ?? '0', 4)), okuOnes ?? '0');
    return addInt(shift(man!.replace(/,/g, ''), 4), ones ?? '0');
  });
}

/** "1.5" × 10^k as a digit string (k large enough to clear the decimals, as 万/億 always are). */
function shift(decimal: string, k: number): string {
  const [i, f = ''] = decimal.split('.') as [string, string?];
  return BigInt(i + f.padEnd(k, '0').slice(0, k)).toString();
}

function addInt(a: string, b: string): string {
  return (BigInt(a) + BigInt(b)).toString();
}

/** Content of the last \boxed{…} (braces balanced), or null when there is none. */
function lastBoxed(text: string): string | null {
  const at = Math.max(text.lastIndexOf('\\boxed{'), text.lastIndexOf('\\fbox{'));
  if (at === -1) return null;
  let depth = 0;
  const open = text.indexOf('{', at);
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function afterLastEquals(s: string): string {
  const eq = s.lastIndexOf('=');
  return eq === -1 ? s : s.slice(eq + 1);
}
