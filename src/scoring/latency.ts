/**
 * Per-request streaming latency metrics, with the definitions of vLLM's serving benchmark and MLPerf:
 *
 * - TTFT  time from sending the request to the first chunk carrying a non-empty token (role-only or
 *         empty deltas that many servers send first do not count).
 * - E2E   time from sending the request to the last chunk.
 * - TPOT  (E2E − TTFT) / (output tokens − 1): mean time per output token after the first (MLPerf).
 * - ITL   inter-token latencies. A chunk carrying k tokens that arrives g ms after the previous one
 *         contributes k gaps of g/k (its tokens are taken as evenly spaced); extra tokens in the first
 *         chunk contribute gaps of 0. So there are (tokens − 1) values and they sum to E2E − TTFT.
 */
export interface StreamChunk {
  /** Milliseconds since the request was sent. */
  t: number;
  text: string;
  /** Tokens in this chunk (from the server or a tokenizer). */
  tokens: number;
}

export interface RequestLatency {
  ttft_ms: number;
  e2e_ms: number;
  /** NaN when fewer than two output tokens. */
  tpot_ms: number;
  itl_ms: number[];
  output_tokens: number;
}

export function streamLatency(chunks: readonly StreamChunk[]): RequestLatency {
  const tokenChunks = chunks.filter((c) => c.text !== '' && c.tokens > 0);
  if (tokenChunks.length === 0) return { ttft_ms: NaN, e2e_ms: chunks.at(-1)?.t ?? NaN, tpot_ms: NaN, itl_ms: [], output_tokens: 0 };
  const first = tokenChunks[0]!;
  const last = tokenChunks.at(-1)!;
  const outputTokens = tokenChunks.reduce((a, c) => a + c.tokens, 0);
  const itl: number[] = new Array<number>(first.tokens - 1).fill(0);
  for (let i = 1; i < tokenChunks.length; i++) {
    const c = tokenChunks[i]!;
    const gap = c.t - tokenChunks[i - 1]!.t;
    for (let k = 0; k < c.tokens; k++) itl.push(gap / c.tokens);
  }
  const e2e = last.t;
  return {
    ttft_ms: first.t,
    e2e_ms: e2e,
    tpot_ms: outputTokens > 1 ? (e2e - first.t) / (outputTokens - 1) : NaN,
    itl_ms: itl,
    output_tokens: outputTokens,
  };
}

/**
 * Goodput: requests per second that met every latency objective given (vLLM's definition), over the
 * wall time of the whole benchmark.
 */
export function goodput(requests: readonly RequestLatency[], wallSeconds: number, slo: { ttft_ms?: number; tpot_ms?: number; e2e_ms?: number }): number {
  const good = requests.filter(
    (r) =>
      (slo.ttft_ms === undefined || r.ttft_ms <= slo.ttft_ms) &&
      (slo.tpot_ms === undefined || Number.isNaN(r.tpot_ms) || r.tpot_ms <= slo.tpot_ms) &&
      (slo.e2e_ms === undefined || r.e2e_ms <= slo.e2e_ms),
  ).length;
  return wallSeconds > 0 ? good / wallSeconds : NaN;
}
