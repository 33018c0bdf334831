/**
 * Exit codes are part of the CLI contract (README "Exit codes"): CI scripts branch on them.
 * 0 ok · 1 a gate failed · 2 bad usage or bad input · 3 runtime failure.
 */
export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, runtime: 3 } as const;

/** The user gave us something wrong (a flag, a file, a row). Message says what and where. */
export class UserError extends Error {
  readonly exitCode = EXIT.badInput;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Something failed while running (a model crashed, the disk is full). */
export class RuntimeFailure extends Error {
  readonly exitCode = EXIT.runtime;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeFailure';
  }
}

/** `file:line` (or just `file`) for error messages, the form editors and terminals link. */
export function where(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

/**
 * At most `max` characters of something quoted from the user's input (a header line, a field): a
 * 50 MB line or a secrets file given as a dataset must not be printed whole.
 */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
