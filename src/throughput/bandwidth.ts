/**
 * A memory-bandwidth probe for this machine: the roofline that a batch-1 decoder, which reads every
 * weight once per token, cannot beat. Copies a buffer much larger than the CPU caches several times
 * (TypedArray.set is a memcpy) and reports bytes moved (read + write) per second, best of the runs.
 */
export interface Bandwidth {
  bytes_per_s: number;
  buffer_mb: number;
  runs: number;
}

export function probeBandwidth(opts: { bufferMb?: number; runs?: number } = {}): Bandwidth {
  const mb = opts.bufferMb ?? 256;
  const runs = opts.runs ?? 5;
  const n = (mb * 2 ** 20) / 4;
  const src = new Float32Array(n).fill(1);
  const dst = new Float32Array(n);
  dst.set(src); // first touch: page faults are not bandwidth
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    dst.set(src);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (2 * n * 4) / s);
  }
  return { bytes_per_s: best, buffer_mb: mb, runs };
}

/** Decode tokens/s that bandwidth allows when each token reads `bytesPerToken` (batch 1). */
export function rooflineTokensPerSecond(bw: Bandwidth, bytesPerToken: number): number {
  return bw.bytes_per_s / bytesPerToken;
}
