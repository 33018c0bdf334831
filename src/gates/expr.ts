import { UserError } from '../errors.js';
import { resolveMetric } from '../scoring/metrics.js';

/**
 * A gate: `<suite>.<metric>[.<class>] <op> <value>`, e.g. `emotion.accuracy>=0.80`,
 * `emotion.f1.anger>=0.78`, `emotion.error_rate<=1%`.
 */
export interface Gate {
  source: string;
  suite: string;
  /** Path into a model's metrics: ['accuracy'], ['f1', 'anger'], … */
  metric: string[];
  op: '>=' | '>' | '<=' | '<' | '==';
  value: number;
}

const GATE = /^\s*([a-z][a-z0-9_-]*)\.([a-z][a-z0-9_]*)(?:\.([a-z0-9_-]+))?\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)(%?)\s*$/;

/** Parses a gate; a malformed one gets an error with a caret under the first thing that is wrong. */
export function parseGate(source: string): Gate {
  const m = GATE.exec(source);
  if (!m) throw new UserError(`malformed gate\n  ${source}\n  ${' '.repeat(errorColumn(source))}^ expected <suite>.<metric>[.<class>] <op> <number>, e.g. emotion.accuracy>=0.80`);
  const [, suite, metric, cls, op, num, percent] = m as unknown as [string, string, string, string | undefined, Gate['op'], string, string];
  resolveMetric(cls ? [metric, cls] : [metric], `gate "${source}"`);
  return { source, suite, metric: cls ? [metric, cls] : [metric], op, value: Number(num) / (percent ? 100 : 1) };
}

/** Column of the first character where the gate stops matching its grammar, for the caret. */
function errorColumn(s: string): number {
  const parts = [/^\s*[a-z][a-z0-9_-]*/, /^\.[a-z][a-z0-9_]*/, /^(\.[a-z0-9_-]+)?/, /^\s*(>=|<=|==|>|<)/, /^\s*-?\d+(\.\d+)?%?\s*$/];
  let at = 0;
  for (const re of parts) {
    const m = re.exec(s.slice(at));
    if (!m) return at;
    at += m[0].length;
  }
  return at;
}

export function passes(value: number, op: Gate['op'], threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
  }
}
