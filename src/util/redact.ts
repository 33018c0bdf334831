/**
 * Secrets out of everything emobench writes or prints. A server may echo the Authorization header
 * into an error body, a URL may carry `user:pass@` or `?api_key=`, a file given as a dataset may be a
 * `.env`: each passes through here before it reaches samples.jsonl, a summary, a report or the console.
 */
const MASK = '[REDACTED]';

/** Values registered by the code that reads them (an endpoint's API key variable). */
const registered = new Set<string>();

/** Environment variables whose values are secrets by their name. */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/** Shorter values are too likely to occur in ordinary text to be masked everywhere. */
const MIN_SECRET = 8;

/** Query parameters whose values are credentials. */
const SECRET_PARAM = /key|token|secret|password|passwd|auth|signature|sig|credential|session/i;

/** Credential-shaped tokens: masked in every text, model answers included. */
const TOKENS: [RegExp, string][] = [
  // Authorization header values, as servers echo them.
  [/\b(Bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${MASK}`],
  // OpenAI-style keys (sk-…, sk-proj-…) wherever they appear.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, MASK],
  // user:password@ in any URL.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1'],
];

/**
 * Assignments of secret-named things: masked in messages (errors, a quoted dataset line), not in a
 * model's answer, where "tokens = 1234" is the answer that rescoring extracts again.
 */
const ASSIGNMENTS: [RegExp, string][] = [
  [/\b(Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${MASK}`],
  // NAME=value / "name": "value" assignments of secret-named things (a .env line, a JSON error body).
  [/((?:api[_-]?key|access[_-]?key|secret|token|password|passwd)[A-Za-z0-9_]*["']?\s*[:=]\s*["']?)[^\s"'&,;}]{4,}/gi, `$1${MASK}`],
];

/** Masks `value` everywhere from now on (an API key read from the environment). */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET) registered.add(value);
}

let fromEnv: string[] | undefined;

function knownSecrets(): string[] {
  fromEnv ??= Object.entries(process.env).flatMap(([name, v]) => (SECRET_NAME.test(name) && v !== undefined && v.length >= MIN_SECRET ? [v] : []));
  // Longest first, so a key that contains another is masked whole.
  return [...new Set([...fromEnv, ...registered])].sort((a, b) => b.length - a.length);
}

/** A message (an error, a quoted line) with every known secret value and secret-looking token masked. */
export function redact(text: string): string {
  return ASSIGNMENTS.reduce((out, [re, to]) => out.replace(re, to), redactAnswer(text));
}

/** A model's answer with known secret values and credential tokens masked. */
export function redactAnswer(text: string): string {
  let out = text;
  for (const s of knownSecrets()) if (out.includes(s)) out = out.split(s).join(MASK);
  return TOKENS.reduce((o, [re, to]) => o.replace(re, to), out);
}

/** A URL fit for metadata: no user info, secret-looking query values masked, then redact(). */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redact(url);
  }
  const secretParams = [...u.searchParams.keys()].filter((name) => SECRET_PARAM.test(name));
  if (u.username === '' && u.password === '' && secretParams.length === 0) return redact(url);
  u.username = '';
  u.password = '';
  for (const name of secretParams) u.searchParams.set(name, MASK);
  return redact(u.toString());
}
