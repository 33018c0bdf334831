/**
 * Text generation: encode → prefill (tf forward, fills the KV cache) → one decode step per new
 * token → sample → stream → stop.
 *
 * Batches: prompts of different lengths are left-padded, so every row's next token lands in the
 * same cache slot and one step serves the whole batch; padding keys are masked and positions are
 * counted from each row's first real token, so a row generates what it would alone.
 */
import type { ModelConfig } from './config.js';
import type { StepOutput } from './decode.js';
import type { KVCache, KvDtype } from './kv-cache.js';
import { sampleToken, type SamplingOptions } from './sampling.js';
import type { Tokenizer } from './tokenizer.js';
import { mulberry32 } from '../util/rng.js';

export interface GenerateOptions extends SamplingOptions {
  /** Default 32; 0 runs the prefill only. */
  maxNewTokens?: number;
  /** Generation ends when the text contains one of these; the text is cut before it. */
  stop?: readonly string[];
  /** Row r of a batch samples from its own stream seeded with seed + r. Default 0. */
  seed?: number;
  /** Prepend the BOS token to the prompt. Default true. */
  bos?: boolean;
  /** Never sample EOS: throughput runs need exactly maxNewTokens steps. */
  ignoreEos?: boolean;
}

export type FinishReason = 'stop' | 'eos' | 'length';

export interface Generation {
  text: string;
  ids: number[];
  promptIds: number[];
  finishReason: FinishReason;
  /** Emotion vector (joy, anger, sadness, surprise, neutral) at the last position fed to the model. */
  emotion: number[];
  timing: { prefillMs: number; decodeMs: number; decodeSteps: number };
}

/** Streaming: `text` is the new text of row `row` that can no longer change or turn into a stop sequence. */
export interface TokenEvent {
  row: number;
  id: number;
  text: string;
}

/**
 * What generation needs from an engine: a cache, the prompt's prefill and one step per token. The
 * tfjs Decoder answers at once; the WebGPU engine answers once its read-back arrives.
 */
export interface StepDecoder<C extends { length: number } = KVCache> {
  readonly cfg: ModelConfig;
  newCache(batch: number, capacity: number, dtype: KvDtype): C;
  prefill(cache: C, rows: readonly (readonly number[])[], padId: number): StepOutput | Promise<StepOutput>;
  step(cache: C, tokens: ArrayLike<number>): StepOutput | Promise<StepOutput>;
}

export interface GenerateContext<C extends { length: number } = KVCache> {
  decoder: StepDecoder<C>;
  tokenizer: Tokenizer;
  kv: KvDtype;
  window?: number;
}

export async function generate<C extends { length: number } = KVCache>(
  ctx: GenerateContext<C>,
  prompts: readonly string[],
  opts: GenerateOptions = {},
  onToken?: (e: TokenEvent) => void,
): Promise<{ generations: Generation[]; cache: C }> {
  const { decoder, tokenizer } = ctx;
  const cfg = decoder.cfg;
  const maxNew = opts.maxNewTokens ?? 32;
  const stops = (opts.stop ?? []).filter((s) => s !== '');
  const B = prompts.length;

  // Without a window the whole sequence must fit in maxSeq, so keep room for at least one new
  // token; with one, the prompt is still capped at maxSeq to bound the prefill's T×T attention.
  const keep = ctx.window === undefined ? cfg.maxSeq - 1 : cfg.maxSeq;
  const promptIds = prompts.map((p, i) => {
    const ids = tokenizer.encode(p, { bos: opts.bos ?? true });
    if (ids.length === 0) throw new Error(`generate: prompt ${i} is empty (and bos is off)`);
    return ids.slice(-keep);
  });
  const T = Math.max(...promptIds.map((p) => p.length));
  const capacity = Math.min(T + maxNew, ctx.window ?? cfg.maxSeq);
  const cache = decoder.newCache(B, capacity, ctx.kv);
  const rngs = prompts.map((_, r) => mulberry32((opts.seed ?? 0) + r));

  const started = performance.now();
  let out = await decoder.prefill(cache, promptIds, tokenizer.pad);
  const prefillMs = performance.now() - started;

  const rows = promptIds.map((p) => ({
    promptIds: p,
    ids: [] as number[],
    text: '',
    emitted: 0,
    finish: undefined as FinishReason | undefined,
    emotion: [] as number[],
  }));
  const V = cfg.vocabSize;
  const E = cfg.nEmotions;
  let steps = 0;
  const decodeStart = performance.now();

  for (;;) {
    const next = new Int32Array(B).fill(tokenizer.pad);
    rows.forEach((row, r) => {
      if (row.finish !== undefined) return;
      row.emotion = Array.from(out.emotions.subarray(r * E, (r + 1) * E));
      if (maxNew <= 0) {
        row.finish = 'length'; // prefill only
        return;
      }
      const logits = out.logits.subarray(r * V, (r + 1) * V);
      // Never produce ids the tokenizer cannot decode, nor BOS/padding.
      for (let id = tokenizer.vocabSize; id < V; id++) logits[id] = -Infinity;
      logits[tokenizer.bos] = -Infinity;
      logits[tokenizer.pad] = -Infinity;
      if (opts.ignoreEos) logits[tokenizer.eos] = -Infinity;
      const id = sampleToken(logits, opts, rngs[r]!);
      next[r] = id;

      if (id === tokenizer.eos) {
        row.finish = 'eos';
      } else {
        row.ids.push(id);
        row.text = tokenizer.decode(row.ids);
        const hit = firstStop(row.text, stops);
        if (hit !== undefined) {
          row.text = row.text.slice(0, hit);
          row.finish = 'stop';
        } else if (row.ids.length >= maxNew) {
          row.finish = 'length';
        }
      }
      const safe = row.finish !== undefined ? row.text.length : row.text.length - unsettledTail(row.text, stops);
      if (onToken !== undefined && safe > row.emitted) {
        onToken({ row: r, id, text: row.text.slice(row.emitted, safe) });
        row.emitted = safe;
      }
    });
    if (rows.every((row) => row.finish !== undefined)) break;
    if (ctx.window === undefined && cache.length >= capacity) {
      rows.forEach((row, r) => {
        if (row.finish !== undefined) return;
        row.finish = 'length';
        if (onToken !== undefined && row.text.length > row.emitted) onToken({ row: r, id: row.ids.at(-1)!, text: row.text.slice(row.emitted) });
      });
      break;
    }
    // Let other work (a server streaming the tokens) run between steps.
    await new Promise((resolve) => setImmediate(resolve));
    out = await decoder.step(cache, next);
    steps++;
  }

  const timing = { prefillMs, decodeMs: performance.now() - decodeStart, decodeSteps: steps };
  const generations = rows.map((row) => ({
    text: row.text,
    ids: row.ids,
    promptIds: row.promptIds,
    finishReason: row.finish!,
    emotion: row.emotion,
    timing,
  }));
  return { generations, cache };
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i !== -1 && (first === undefined || i < first)) first = i;
  }
  return first;
}

/**
 * How many trailing characters must not be streamed yet: a partial UTF-8 character (decoded as
 * U+FFFD until its last byte arrives) or the beginning of a stop sequence.
 */
function unsettledTail(text: string, stops: readonly string[]): number {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\uFFFD') n++;
  for (const s of stops) {
    for (let k = Math.min(s.length - 1, text.length); k > n; k--) {
      if (text.endsWith(s.slice(0, k))) {
        n = k;
        break;
      }
    }
  }
  return n;
}
