/**
 * Rotary position embedding (RoPE), "half-split" convention: within a head of size hd, dims i and
 * i + hd/2 form a pair rotated by angle pos · θ^(-2i/hd). Positions enter only through these
 * rotations, so q·k depends on the distance between tokens — which is what lets a left-padded row
 * and a ring-buffer cache reuse rotated keys unchanged.
 *
 * Both the tf forward and the JS decode path read the same float32 tables, so they agree bit-for-bit
 * on the rotation itself.
 */

/** cos/sin tables for the given positions: [positions.length × hd/2] each. */
export function ropeTables(positions: ArrayLike<number>, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const cos = new Float32Array(positions.length * half);
  const sin = new Float32Array(positions.length * half);
  for (let p = 0; p < positions.length; p++) {
    const pos = positions[p]!;
    for (let i = 0; i < half; i++) {
      const angle = pos * Math.pow(theta, (-2 * i) / headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Rotate one head vector x[off … off+hd) in place, using row `row` of the tables.
 * Same arithmetic as the tf path: (x1·cos − x2·sin, x1·sin + x2·cos), rounded to float32.
 */
export function rotateInPlace(x: Float32Array, off: number, headDim: number, cos: Float32Array, sin: Float32Array, row: number): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const c = cos[row * half + i]!;
    const s = sin[row * half + i]!;
    const x1 = x[off + i]!;
    const x2 = x[off + half + i]!;
    x[off + i] = Math.fround(x1 * c) - Math.fround(x2 * s);
    x[off + half + i] = Math.fround(x1 * s) + Math.fround(x2 * c);
  }
}
