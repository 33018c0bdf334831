import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** At most this many field errors are listed for one file or line; the rest are counted. */
const MAX_ISSUES = 3;

/** `value` checked against `schema`; otherwise a UserError naming `where` and each bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const lines = issues.slice(0, MAX_ISSUES).map((i) => `${where}: field "${i.path.length > 0 ? i.path.join('.') : '(top level)'}": ${i.message}`);
  if (issues.length > MAX_ISSUES) lines.push(`${where}: … and ${issues.length - MAX_ISSUES} more`);
  throw new UserError(lines.join('\n'));
}

export interface FileKind {
  /** "an emobench run manifest": for messages. */
  what: string;
  /** The schema strings this version reads. */
  schemas: readonly string[];
  /** Files of this kind once had no schema field; such a file is checked by its fields alone. */
  unversioned?: boolean;
}

export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UserError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
}

/** The `schema` field of a parsed file, when it is an object that has one. */
export function schemaOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const s = (value as { schema?: unknown }).schema;
  return typeof s === 'string' ? s : undefined;
}

/** Refuses a file of another kind or version before its fields are checked, saying which it is. */
export function checkKind(value: unknown, path: string, kind: FileKind): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${path}: not ${kind.what} (expected a JSON object)`);
  const s = (value as { schema?: unknown }).schema;
  if (s === undefined && kind.unversioned) return;
  if (typeof s !== 'string') throw new UserError(`${path}: not ${kind.what} (no "schema" field; expected ${kind.schemas.join(' or ')})`);
  if (kind.schemas.includes(s)) return;
  const family = (x: string) => x.replace(/\/[^/]*$/, '');
  const sibling = kind.schemas.find((k) => family(k) === family(s));
  throw new UserError(
    sibling
      ? `${path}: schema version "${s}" is not one this emobench reads (it reads ${sibling}); it was written by another emobench version`
      : `${path}: not ${kind.what} (schema "${s}"; expected ${kind.schemas.join(' or ')})`,
  );
}

export function readJsonFile<T>(path: string, schema: z.ZodType<T>, kind: FileKind): T {
  if (!existsSync(path)) throw new UserError(`${path}: no such file (${kind.what})`);
  const value = readJson(path);
  checkKind(value, path, kind);
  return parseWith(schema, value, path);
}

/** Pretty JSON, written atomically: a reader never sees half a file. */
export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
