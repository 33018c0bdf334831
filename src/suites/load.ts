import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { UserError, where } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { pkgPath } from '../util/paths.js';
import { RETIRED_FIELDS, SuiteSchema, type LoadedSuite } from './schema.js';

/** `emotion` → the shipped suites/emotion.yaml; anything with a slash or .yaml is a path. */
export function resolveSuitePath(nameOrPath: string, cwd = process.cwd()): string {
  if (/[\\/]|\.ya?ml$/.test(nameOrPath)) return isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
  const shipped = pkgPath('suites', `${nameOrPath}.yaml`);
  if (!existsSync(shipped)) {
    throw new UserError(`unknown suite "${nameOrPath}": no ${shipped} (give a path to a suite .yaml file, or one of: ${listShippedSuites().join(', ')})`);
  }
  return shipped;
}

export function listShippedSuites(): string[] {
  return readdirSync(pkgPath('suites')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

export async function loadSuite(nameOrPath: string, cwd = process.cwd()): Promise<LoadedSuite> {
  const file = resolveSuitePath(nameOrPath, cwd);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read suite file ${file}: ${(e as Error).message}`);
  }
  return { spec: parseSuiteText(text, file), file, sha256: sha256(text) };
}

/** Parse and validate; every error names the file, the line and the field. */
export function parseSuiteText(text: string, file: string): LoadedSuite['spec'] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    throw new UserError(`${where(file, pos.line, pos.col)}: invalid YAML: ${err.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    // Errors the parser defers to conversion, such as an alias to an anchor never defined.
    throw new UserError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  const result = SuiteSchema.safeParse(value);
  if (result.success) return result.data;

  const lines = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    const line = lineOf(doc, issue, lineCounter);
    return `${where(file, line)}: field "${field}": ${describeIssue(issue)}`;
  });
  throw new UserError(`invalid suite file\n  ${lines.join('\n  ')}`);
}

function lineOf(doc: Document, issue: z.core.$ZodIssue, lc: LineCounter): number | undefined {
  const path = issue.path as (string | number)[];
  const nodeAt = (p: (string | number)[]) => (p.length === 0 ? doc.contents : doc.getIn(p, true));
  if (issue.code === 'unrecognized_keys') {
    // Point at the unknown key itself, not at its parent.
    const parent = nodeAt(path);
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === issue.keys[0]) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
  }
  // A missing field has no node: fall back to its closest parent that exists.
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(path.slice(0, n));
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const advice = issue.keys.map((k) => RETIRED_FIELDS[[...issue.path, k].join('.')]).filter((a) => a !== undefined);
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${advice.length ? ` (${advice.join('; ')})` : ''}`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  return issue.message;
}
