import { randomInt, randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import type { z } from 'zod';
import type { ChatResult, Model, Sampling } from '../models/types.js';
import type { ChatMessage } from '../prompts/render.js';
import { chatRequestSchema, completionRequestSchema, errorBody, type ServeLimits } from './protocol.js';

export interface ServeOptions extends ServeLimits {
  /** Name under which the model is listed and accepted in requests. */
  modelName: string;
  apiKey?: string;
  maxBodyBytes: number;
  /** Requests waiting for the model beyond this get 429. */
  maxQueue: number;
  /** Host header values accepted besides loopback names (--allowed-host); without an API key only these. */
  allowedHosts?: readonly string[];
}

export const SERVE_DEFAULTS = { maxBodyBytes: 1 << 20, maxTokens: 1024, maxN: 8, maxQueue: 256 };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/**
 * An OpenAI-compatible HTTP server for a local model: /v1/models, /v1/chat/completions and
 * /v1/completions, streaming (SSE) or not. Requests queue for the model one at a time (a local model
 * uses every core for one request); a client that disconnects cancels its generation. Only these
 * routes exist: nothing is ever read from disk by path.
 */
export function createModelServer(model: Model, opts: ServeOptions): Server {
  const queue = pLimit(1);
  const keyDigest = opts.apiKey === undefined ? undefined : digest(opts.apiKey);
  const created = Math.floor(Date.now() / 1000);

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (clientGone(req, e)) {
        // Not a server fault: one line, no stack.
        process.stderr.write(`emobench serve: client disconnected during ${req.method} ${(req.url ?? '/').split('?')[0]}\n`);
        return res.destroy();
      }
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal server error', 'server_error');
      if (!(e instanceof HttpError)) process.stderr.write(`emobench serve: ${(e as Error)?.stack ?? String(e)}\n`);
      if (!res.headersSent) sendJson(res, err.status, errorBody(err.message, err.type, err.param, err.code), err.headers);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    // Without a key, a web page the user visits could drive the server: through DNS rebinding (a
    // foreign Host name) or a "simple" cross-site POST (text/plain, no preflight). Both are refused.
    if (!keyDigest && !hostAllowed(req.headers.host, opts.allowedHosts ?? [])) {
      throw new HttpError(403, `Host "${String(req.headers.host ?? '')}" is not allowed: without --api-key only loopback names are (serve --allowed-host <name> adds one)`, 'invalid_request_error');
    }
    if (keyDigest && !authorised(req.headers.authorization, keyDigest)) {
      throw new HttpError(401, 'Incorrect or missing API key. Send it as "Authorization: Bearer <key>".', 'invalid_request_error', null, { 'www-authenticate': 'Bearer' });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: opts.modelName, object: 'model', created, owned_by: 'emobench' }] });
    }
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions')) {
      const chat = path === '/v1/chat/completions';
      if (chat && !model.chat) throw new HttpError(400, `model ${opts.modelName} does not support chat completions`, 'invalid_request_error');
      if (!chat && !model.complete) throw new HttpError(400, `model ${opts.modelName} does not support text completions`, 'invalid_request_error');
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        throw new HttpError(415, `Content-Type must be application/json (got "${String(req.headers['content-type'] ?? 'none')}")`, 'invalid_request_error');
      }
      const body = parse(chat ? chatRequestSchema(opts) : completionRequestSchema(opts), await readJson(req, opts.maxBodyBytes));
      if (body.model !== opts.modelName) throw new HttpError(404, `The model \`${body.model}\` does not exist (this server has ${opts.modelName})`, 'invalid_request_error', 'model');
      if (queue.pendingCount >= opts.maxQueue) throw new HttpError(429, 'server busy: too many queued requests', 'rate_limit_error', null, { 'retry-after': '1' });
      return respond(req, res, body as Record<string, unknown>, chat);
    }
    if (['/v1/models', '/v1/chat/completions', '/v1/completions'].includes(path ?? '')) {
      throw new HttpError(405, `method ${req.method} not allowed on ${path}`, 'invalid_request_error');
    }
    throw new HttpError(404, `no route ${req.method} ${path}`, 'invalid_request_error');
  }

  async function respond(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, chat: boolean): Promise<void> {
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`;
    const n = (body['n'] as number | undefined) ?? 1;
    const stop = body['stop'] as string | string[] | null | undefined;
    const base: Sampling = {
      ...(body['temperature'] != null ? { temperature: body['temperature'] as number } : {}),
      ...(body['top_p'] != null ? { top_p: body['top_p'] as number } : {}),
      max_tokens: (body['max_completion_tokens'] ?? body['max_tokens'] ?? Math.min(256, opts.maxTokens)) as number,
      ...(stop != null ? { stop: Array.isArray(stop) ? stop : [stop] } : {}),
    };
    const seed = body['seed'] as number | null | undefined;
    const stream = body['stream'] === true;
    const input = chat ? (body['messages'] as ChatMessage[]) : (body['prompt'] as string);
    const classification = chat ? classificationPrompt(model, input as ChatMessage[]) : undefined;
    if (!classification) checkContext(model, input, chat);
    const cancel = new AbortController();
    // A client gone before its response is complete cancels the generation (and frees the queue).
    res.on('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    const object = chat ? 'chat.completion' : 'text_completion';
    const stamp = Math.floor(Date.now() / 1000);
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders();
    }
    const sse = (data: unknown) => {
      if (!cancel.signal.aborted) res.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    const chunk = (index: number, delta: Record<string, unknown> | string, finish: string | null) =>
      chat
        ? { id, object: 'chat.completion.chunk', created: stamp, model: opts.modelName, choices: [{ index, delta, finish_reason: finish }] }
        : { id, object: 'text_completion', created: stamp, model: opts.modelName, choices: [{ index, text: delta, finish_reason: finish }] };

    const results: ChatResult[] = [];
    for (let i = 0; i < n && !cancel.signal.aborted; i++) {
      // With a seed, choice i samples with seed + i: the n choices differ and each is reproducible.
      // Without one, every choice of every request draws its own, as independent samples should.
      const sampling: Sampling = { ...base, seed: seed != null ? seed + i : randomInt(2 ** 31) };
      if (stream && chat) sse(chunk(i, { role: 'assistant', content: '' }, null));
      const onToken = stream ? (text: string) => sse(chunk(i, chat ? { content: text } : text, null)) : undefined;
      const r = await queue(() => {
        if (cancel.signal.aborted) throw new HttpError(499, 'client closed request', 'cancelled');
        if (classification) return classifyAsChat(model, classification, onToken);
        return chat
          ? model.chat!({ messages: input as ChatMessage[], sampling, repeat: 0 }, cancel.signal, onToken)
          : model.complete!(input as string, sampling, cancel.signal, onToken);
      });
      if (r.error) throw new HttpError(500, r.error, 'server_error');
      results.push(r);
      if (stream) sse(chunk(i, chat ? {} : '', r.finish_reason ?? 'stop'));
    }
    if (cancel.signal.aborted) return;
    const usage = {
      prompt_tokens: results[0]?.usage.prompt_tokens ?? 0,
      completion_tokens: results.reduce((a, r) => a + r.usage.completion_tokens, 0),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (stream) {
      // Usage rides in a final chunk with no choices, as OpenAI sends it with include_usage.
      sse({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created: stamp, model: opts.modelName, choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    sendJson(res, 200, {
      id,
      object,
      created: stamp,
      model: opts.modelName,
      choices: results.map((r, index) =>
        chat
          ? { index, message: { role: 'assistant', content: r.text }, finish_reason: r.finish_reason ?? 'stop' }
          : { index, text: r.text, finish_reason: r.finish_reason ?? 'stop' },
      ),
      usage,
    });
  }
}

/** The client hung up (reset, aborted upload): its request just ends. */
function clientGone(req: IncomingMessage, e: unknown): boolean {
  if (e instanceof HttpError) return false;
  const code = (e as NodeJS.ErrnoException)?.code;
  return req.socket.destroyed || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || (e as Error)?.message === 'aborted';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Host header (name[:port]) is a loopback name, a *.localhost name, or one the user allowed. */
function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined) return false;
  const name = (header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '')).toLowerCase();
  return LOOPBACK.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || allowed.some((h) => h.toLowerCase() === name || h.toLowerCase() === header.toLowerCase());
}

/**
 * A classifier served as a chat model answers a classification prompt (one whose last user turn names
 * two or more of its labels, as a suite's `{{labels}}` does) with its label, the same one `eval`
 * gets from classify(); it classifies the text after a "Text:" cue up to a blank line (the shipped
 * suites' template), or else the whole turn. Other prompts go to the model's generation.
 */
export function classificationPrompt(model: Model, messages: readonly ChatMessage[]): { text: string; labels: string[] } | undefined {
  if (!model.classify || !model.knownLabels) return undefined;
  const turn = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const named = model.knownLabels.filter((l) => new RegExp(`(^|[^\\p{L}])${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'iu').test(turn));
  if (named.length < 2) return undefined;
  const cue = /(?:^|\n)\s*Text:\s*([\s\S]*?)(?:\n\s*\n|$)/.exec(turn);
  return { text: (cue?.[1] ?? turn).trim(), labels: named };
}

async function classifyAsChat(model: Model, c: { text: string; labels: string[] }, onToken?: (text: string) => void): Promise<ChatResult> {
  const t0 = performance.now();
  const [out] = await model.classify!([c.text], c.labels);
  const text = out?.label ?? '';
  onToken?.(text);
  const tokens = model.promptLength?.(c.text).tokens ?? Math.ceil(c.text.length / 4);
  return { text, usage: { prompt_tokens: tokens, completion_tokens: 1, source: 'server' }, ttft_ms: performance.now() - t0, e2e_ms: performance.now() - t0, cached: false, attempts: 1, finish_reason: 'stop' };
}

/** As OpenAI does: a prompt the context cannot hold is refused with 400, not silently cut. */
function checkContext(model: Model, input: readonly ChatMessage[] | string, chat: boolean): void {
  const len = model.promptLength?.(input);
  if (!len || len.tokens <= len.limit) return;
  throw new HttpError(
    400,
    `This model's maximum context length is ${len.context} tokens. However, your ${chat ? 'messages' : 'prompt'} resulted in ${len.tokens} tokens (at most ${len.limit} leave room to generate). Please reduce the length of the ${chat ? 'messages' : 'prompt'}.`,
    'invalid_request_error',
    chat ? 'messages' : 'prompt',
    {},
    'context_length_exceeded',
  );
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests in constant time, so response timing says nothing about the key. */
function authorised(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!.trim()), expected);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body over ${limit} bytes`, 'invalid_request_error');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`, 'invalid_request_error');
    parts.push(part as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `We could not parse the JSON body of your request: ${(e as Error).message}`, 'invalid_request_error');
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.join('.') || null;
  throw new HttpError(400, `${param ? `'${param}': ` : ''}${issue.message}`, 'invalid_request_error', param);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
