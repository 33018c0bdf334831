/**
 * The one decode driver, as llama2.c has one `generate` over its `forward`: encode → the engine's
 * prefill → one engine step per new token → choose (greedy or seeded sampling) → stream → stop.
 * An engine (tfjs in decode.ts, onnxruntime in src/onnx/ort-engine.ts, WebGPU) supplies only the
 * two forwards over its own cache; batching, token choice, stop conditions, streaming and timing
 * live here, once.
 *
 * Batches: prompts of different lengths are left-padded by the engine, so every row's next token
 * lands in the same cache slot and one step serves the whole batch; padding keys are masked and
 * positions are counted from each row's first real token, so a row generates what it would alone.
 */
import { sampleToken, type SamplingOptions } from './sampling.js';
import type { TextStream, Tokenizer } from './tokenizer.js';
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
  /** Emotion vector (joy, anger, sadness, surprise, neutral) at the last position fed to the model; [] when the engine has none. */
  emotion: number[];
  timing: { prefillMs: number; decodeMs: number; decodeSteps: number };
}

/**
 * Streaming: `text` is the new text of row `row` that can no longer change or turn into a stop
 * sequence; never part of a character (see TextStream).
 */
export interface TokenEvent {
  row: number;
  id: number;
  text: string;
}

// ─── what an engine supplies ────────────────────────────────────────────────────────────────────

/** One forward's output at the newest position of each row. */
export interface StepOutput {
  /** [B × V] row-major; V is the model's vocabulary (may exceed the tokenizer's). */
  logits: Float32Array;
  /** [B × E], the emotion vector at that position, when the model has an emotion head. */
  emotions?: Float32Array;
}

/**
 * A model that can decode. The driver opens one session per generation, so concurrent
 * generations on one engine never share a cache.
 */
export interface DecodeEngine {
  /** Positions the model can hold (prompt + generated) when there is no window. */
  readonly maxSeq: number;
  /**
   * Sliding-window attention over the last `window` positions: the cache is a ring buffer of
   * that many slots and generation may run past maxSeq. Undefined: everything must fit in maxSeq.
   */
  readonly window?: number;
  /** A fresh, empty cache for `batch` rows and `capacity` positions. */
  open(batch: number, capacity: number): DecodeSession;
}

/** One generation's state on an engine: its cache, filled by prefill, extended by each step. */
export interface DecodeSession {
  /** The prompts (ids, different lengths, none empty) left-padded with `pad` to one length, into the cache. */
  prefill(rows: readonly (readonly number[])[], pad: number): StepOutput | Promise<StepOutput>;
  /** One token per row at the next position (`pad` for rows that have finished). */
  step(tokens: Int32Array): StepOutput | Promise<StepOutput>;
  /** Frees what the session holds (device buffers); called once when the generation ends, also on error. */
  close?(): void | Promise<void>;
}

/** The tokenizer as the driver needs it: our byte-level BPE (scratchTokens) or any other. */
export interface DecodeTokens {
  /** Prompt → ids; `special` adds what the model expects around a text (BOS). */
  encode(text: string, special: boolean): number[];
  /** A fresh incremental decoder (special tokens skipped): the only way the driver turns ids into text. */
  textStream(): TextStream;
  pad: number;
  eos?: number;
  /** Ids never chosen (BOS, padding); neither are ids ≥ vocabSize, which the tokenizer cannot decode. */
  banned: readonly number[];
  vocabSize: number;
}

/** The scratch tokenizer as DecodeTokens. */
export function scratchTokens(tok: Tokenizer): DecodeTokens {
  return { encode: (text, bos) => tok.encode(text, { bos }), textStream: () => tok.textStream(), pad: tok.pad, eos: tok.eos, banned: [tok.bos, tok.pad], vocabSize: tok.vocabSize };
}

// ─── the driver ─────────────────────────────────────────────────────────────────────────────────

interface Row {
  promptIds: number[];
  ids: number[];
  /** Settled text: every character complete, cut before a stop sequence once one is hit. */
  text: string;
  decoder: TextStream;
  emitted: number;
  finish: FinishReason | undefined;
  emotion: number[];
}

export async function generate(
  engine: DecodeEngine,
  tokens: DecodeTokens,
  prompts: readonly string[],
  opts: GenerateOptions = {},
  onToken?: (e: TokenEvent) => void,
): Promise<Generation[]> {
  const maxNew = opts.maxNewTokens ?? 32;
  const stops = (opts.stop ?? []).filter((s) => s !== '');
  const B = prompts.length;

  // Without a window the whole sequence must fit in maxSeq, so keep room for at least one new
  // token; with one, the prompt is still capped at maxSeq to bound the prefill's T×T attention.
  const keep = engine.window === undefined ? engine.maxSeq - 1 : engine.maxSeq;
  const promptIds = prompts.map((p, i) => {
    const ids = tokens.encode(p, opts.bos ?? true);
    if (ids.length === 0) throw new Error(`generate: prompt ${i} is empty (and bos is off)`);
    return ids.slice(-keep);
  });
  const T = Math.max(...promptIds.map((p) => p.length));
  const capacity = Math.min(T + maxNew, engine.window ?? engine.maxSeq);
  const rngs = prompts.map((_, r) => mulberry32((opts.seed ?? 0) + r));
  const rows: Row[] = promptIds.map((p) => ({ promptIds: p, ids: [], text: '', decoder: tokens.textStream(), emitted: 0, finish: undefined, emotion: [] }));
  const emit = (r: number, id: number, upTo: number) => {
    const row = rows[r]!;
    if (onToken !== undefined && upTo > row.emitted) onToken({ row: r, id, text: row.text.slice(row.emitted, upTo) });
    row.emitted = Math.max(row.emitted, upTo);
  };

  const session = engine.open(B, capacity);
  try {
    const started = performance.now();
    let out = await session.prefill(promptIds, tokens.pad);
    const prefillMs = performance.now() - started;
    let length = T;
    let steps = 0;
    const decodeStart = performance.now();

    for (;;) {
      const next = new Int32Array(B).fill(tokens.pad);
      const V = out.logits.length / B;
      const E = (out.emotions?.length ?? 0) / B;
      rows.forEach((row, r) => {
        if (row.finish !== undefined) return;
        row.emotion = Array.from(out.emotions?.subarray(r * E, (r + 1) * E) ?? []);
        if (maxNew <= 0) {
          row.finish = 'length'; // prefill only
          return;
        }
        const id = choose(out.logits.subarray(r * V, (r + 1) * V), tokens, opts, rngs[r]!);
        next[r] = id;
        if (id === tokens.eos) {
          row.finish = 'eos';
        } else {
          row.ids.push(id);
          row.text += row.decoder.push(id);
          const hit = firstStop(row.text, stops);
          if (hit !== undefined) {
            row.text = row.text.slice(0, hit);
            row.finish = 'stop';
          } else if (row.ids.length >= maxNew) {
            row.finish = 'length';
          }
        }
        if (row.finish === 'eos' || row.finish === 'length') row.text += row.decoder.flush();
        emit(r, id, row.finish !== undefined ? row.text.length : row.text.length - stopPrefixTail(row.text, stops));
      });
      if (rows.every((row) => row.finish !== undefined)) break;
      if (engine.window === undefined && length >= capacity) {
        rows.forEach((row, r) => {
          if (row.finish !== undefined) return;
          row.finish = 'length';
          row.text += row.decoder.flush();
          emit(r, row.ids.at(-1)!, row.text.length);
        });
        break;
      }
      // Let other work (a server streaming the tokens) run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      out = await session.step(next);
      length++;
      steps++;
    }

    const timing = { prefillMs, decodeMs: performance.now() - decodeStart, decodeSteps: steps };
    return rows.map((row) => ({ text: row.text, ids: row.ids, promptIds: row.promptIds, finishReason: row.finish!, emotion: row.emotion, timing }));
  } finally {
    await session.close?.();
  }
}

/** The next token of one row: never an id the tokenizer cannot decode, nor BOS/padding. Modifies `logits`. */
function choose(logits: Float32Array, tokens: DecodeTokens, opts: GenerateOptions, rand: () => number): number {
  for (let id = tokens.vocabSize; id < logits.length; id++) logits[id] = -Infinity;
  for (const id of tokens.banned) logits[id] = -Infinity;
  if (opts.ignoreEos && tokens.eos !== undefined) logits[tokens.eos] = -Infinity;
  return sampleToken(logits, opts, rand);
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i !== -1 && (first === undefined || i < first)) first = i;
  }
  return first;
}

/** How many trailing characters must not be streamed yet: the beginning of a stop sequence. */
function stopPrefixTail(text: string, stops: readonly string[]): number {
  let n = 0;
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
