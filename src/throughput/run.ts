import pLimit from 'p-limit';
import { UserError } from '../errors.js';
import type { Model } from '../models/types.js';
import { streamLatency, goodput, type RequestLatency, type StreamChunk } from '../scoring/latency.js';
import type { Estimate } from '../scoring/ci.js';
import { probeBandwidth, rooflineTokensPerSecond, type Bandwidth } from './bandwidth.js';
import type { GridCell, Roofline, ServingLevel, ThroughputResult, ThroughputSettings } from '../results/types.js';
import { spread } from './stats.js';

/** " (64 tokens)": a local model's context length, for messages. */
function contextOf(model: Model): string {
  const context = model.promptLength?.('').context;
  return context === undefined ? '' : ` (${context} tokens)`;
}

/** `progress` gets the figures so far after every grid cell and serving level, so a caller can save them. */
export async function measureThroughput(
  model: Model,
  s: ThroughputSettings,
  seed: number,
  log: (line: string) => void,
  bandwidth?: Bandwidth,
  progress?: (partial: ThroughputResult) => void,
): Promise<ThroughputResult> {
  const grid: GridCell[] = [];
  const serving: ServingLevel[] = [];
  if (model.timedGenerate) {
    for (const batch of s.batch) {
      for (const promptTokens of s.prompt_tokens) {
        const prefill: number[] = [];
        const decode: number[] = [];
        for (let r = 0; r < s.warmup + s.repeats; r++) {
          const t = await model.timedGenerate({ promptTokens, outputTokens: s.output_tokens, batch, seed: seed + r });
          // A model cuts a prompt, or stops decoding, at the end of its context: timing what is left
          // under the asked lengths would mislabel the cell.
          if (t.prompt_tokens < promptTokens || t.decode_steps < s.output_tokens - 1) {
            throw new UserError(
              `${model.spec}: a ${promptTokens}-token prompt and ${s.output_tokens} output tokens do not fit its context${contextOf(model)} (it kept ${t.prompt_tokens} prompt tokens and decoded ${t.decode_steps + 1}); choose shorter --prompt-tokens or --output-tokens`,
            );
          }
          if (r < s.warmup) continue;
          prefill.push((t.batch * t.prompt_tokens) / (t.prefill_ms / 1000));
          decode.push((t.batch * t.decode_steps) / (t.decode_ms / 1000));
        }
        const cell = { prompt_tokens: promptTokens, output_tokens: s.output_tokens, batch, prefill_tps: spread(prefill, seed), decode_tps: spread(decode, seed) };
        grid.push(cell);
        progress?.({ decode_tps: null, grid, serving, roofline: null });
        log(`  ${model.spec}  batch ${batch}  prompt ${promptTokens}: prefill ${cell.prefill_tps.median.value.toFixed(0)} tok/s, decode ${cell.decode_tps.median.value.toFixed(1)} tok/s`);
      }
    }
  }
  if (model.chat) {
    for (const c of s.concurrency) {
      const level = await servingLevel(model, s, c, seed);
      serving.push(level);
      progress?.({ decode_tps: null, grid, serving, roofline: null });
      log(`  ${model.spec}  concurrency ${c}: ${level.request_throughput.toFixed(2)} req/s, ${level.output_tps.toFixed(1)} output tok/s, TTFT p50 ${level.ttft_ms.median.value.toFixed(0)} ms`);
    }
  }
  const headline = grid.filter((g) => g.batch === 1).sort((a, b) => a.prompt_tokens - b.prompt_tokens)[0];
  const decode_tps = headline ? headline.decode_tps.median : null;
  let roofline: Roofline | null = null;
  const fp = model.footprint?.();
  if (fp && headline) {
    const bw = bandwidth ?? probeBandwidth();
    const bytes = fp.weight_bytes + fp.kv_bytes_per_context_token * (headline.prompt_tokens + s.output_tokens / 2);
    const limit = rooflineTokensPerSecond(bw, bytes);
    roofline = { bandwidth_gbs: bw.bytes_per_s / 1e9, bytes_per_token: bytes, limit_tps: limit, percent_of_limit: (100 * headline.decode_tps.median.value) / limit };
  }
  return { decode_tps, grid, serving, roofline };
}

/** A filler prompt of about n tokens for models whose tokenizer emobench does not have (~4 chars per token). */
function fillerPrompt(n: number): string {
  const sentence = 'The quick brown fox jumps over the lazy dog while the band plays on. ';
  return `Continue this text for as long as you can:\n${sentence.repeat(Math.ceil((n * 4) / sentence.length)).slice(0, n * 4)}`;
}

async function servingLevel(model: Model, s: ThroughputSettings, concurrency: number, seed: number): Promise<ServingLevel> {
  const requests = Math.max(s.requests, concurrency);
  const limit = pLimit(concurrency);
  const latencies: RequestLatency[] = [];
  let failed = 0;
  let retried = 0;
  let outputTokens = 0;
  let promptTokens = 0;
  let mismatches = 0;
  const sources = new Set<string>();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: requests }, (_, i) =>
      limit(async () => {
        const chunks: StreamChunk[] = [];
        const start = performance.now();
        const r = await model.chat!(
          { messages: [{ role: 'user', content: model.userMessageOfTokens?.(s.serving_prompt_tokens, seed + i) ?? fillerPrompt(s.serving_prompt_tokens) }], sampling: { max_tokens: s.serving_output_tokens, temperature: 0, seed: seed + i }, repeat: i },
          undefined,
          (text) => chunks.push({ t: performance.now() - start, text, tokens: 1 }),
        );
        if (r.error) return void failed++;
        if (r.attempts > 1) return void retried++;
        sources.add(r.usage.source);
        outputTokens += r.usage.completion_tokens;
        promptTokens += r.usage.prompt_tokens;
        const streamed = chunks.reduce((a, c) => a + c.tokens, 0);
        if (streamed !== r.usage.completion_tokens) mismatches++;
        // Chunks carry text, not always exactly one token: spread the counted tokens over them.
        const lat = streamLatency(chunks.length > 0 ? chunks : [{ t: r.e2e_ms, text: r.text, tokens: r.usage.completion_tokens }]);
        latencies.push({ ...lat, e2e_ms: r.e2e_ms, output_tokens: r.usage.completion_tokens, tpot_ms: r.usage.completion_tokens > 1 ? (r.e2e_ms - lat.ttft_ms) / (r.usage.completion_tokens - 1) : NaN });
      }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const sloGiven = Object.values(s.slo).some((v) => v !== undefined);
  // A local model counts its own prompt exactly: fewer tokens than asked means generate() cut it.
  const len = model.userMessageOfTokens ? model.promptLength?.('') : undefined;
  const shortened = len && latencies.length > 0 && promptTokens / latencies.length < s.serving_prompt_tokens ? { asked: s.serving_prompt_tokens, context: len.context } : undefined;
  return {
    concurrency,
    requests,
    completed: latencies.length + retried,
    failed,
    retried,
    wall_s: wall,
    request_throughput: (latencies.length + retried) / wall,
    output_tps: outputTokens / wall,
    ttft_ms: spread(latencies.map((l) => l.ttft_ms).filter((x) => !Number.isNaN(x)), seed),
    tpot_ms: spread(latencies.map((l) => l.tpot_ms).filter((x) => !Number.isNaN(x)), seed),
    itl_ms: spread(latencies.flatMap((l) => l.itl_ms), seed),
    e2e_ms: spread(latencies.map((l) => l.e2e_ms), seed),
    goodput: sloGiven ? goodput(latencies, wall, s.slo) : null,
    prompt_tokens: latencies.length > 0 ? promptTokens / latencies.length : NaN,
    ...(shortened ? { prompt_shortened: shortened } : {}),
    token_source: sources.size === 1 ? ([...sources][0] as 'server' | 'estimate') : 'mixed',
    token_count_mismatches: mismatches,
  };
}
