/**
 * The KV cache, owned by the model and preallocated for a batch of sequences.
 *
 * Layout per layer: k, v as [batch, kvHeads, capacity, headDim] in one typed array, so one head's
 * history is contiguous (the decode loop walks it position by position). Only the nKvHeads
 * key/value heads are stored; grouped query heads read them. Keys are stored after RoPE, so a
 * cached key never needs its position again.
 *
 * Element types: fp32 → Float32Array; fp16 → Uint16Array (IEEE half bits); int8 → Int8Array plus a
 * float32 scale per (token, head), symmetric absmax: x ≈ q · scale with scale = max|x| / 127.
 *
 * Sliding window: capacity = window and position p lives in slot p mod capacity (a ring buffer),
 * so the cache holds exactly the last `window` positions that attention may see.
 *
 * Emotion bias: blocks after the emotion layer need every past token's 5-d salience; it is kept
 * in float32 [batch, capacity, nEmotions] per bias block and reported separately from k/v.
 */
import { f16Decode, f16Encode } from './safetensors.js';

export type KvDtype = 'fp32' | 'fp16' | 'int8';
type Storage = Float32Array | Uint16Array | Int8Array;

export interface KvCacheSpec {
  nLayers: number;
  nKvHeads: number;
  headDim: number;
  batch: number;
  /** Slots per sequence: the window when there is one, else the longest sequence to be held. */
  capacity: number;
  dtype: KvDtype;
  /** Blocks whose salience is cached (empty when the bias is off). */
  salienceLayers: readonly number[];
  nEmotions: number;
}

export interface KvByteCounts {
  k: number;
  v: number;
  /** int8 dequantisation scales for k and v (0 for fp32/fp16). */
  scales: number;
  /** Emotion-bias salience of past tokens (0 when the bias is off). */
  salience: number;
  total: number;
}

export interface KvBytes {
  dtype: KvDtype;
  batch: number;
  capacity: number;
  /** Positions currently held per sequence (≤ capacity; left padding included). */
  tokens: number;
  allocated: KvByteCounts;
  used: KvByteCounts;
}

export const BYTES_PER_ELEMENT: Record<KvDtype, number> = { fp32: 4, fp16: 2, int8: 1 };

export class KVCache {
  readonly spec: KvCacheSpec;
  private readonly k: Storage[];
  private readonly v: Storage[];
  private readonly kScale: Float32Array[];
  private readonly vScale: Float32Array[];
  private readonly salience = new Map<number, Float32Array>();
  /** fp16 decoding scratch for one head's keys and one head's values (empty for other types). */
  private readonly scratch: { k: Float32Array; v: Float32Array };
  /** Positions written so far per sequence, left padding included (may exceed capacity in a ring). */
  length = 0;
  /** Left padding per row: slots before pad[b] are not part of sequence b. */
  readonly pad: Int32Array;

  constructor(spec: KvCacheSpec) {
    this.spec = spec;
    const { nLayers, nKvHeads, headDim, batch, capacity, dtype } = spec;
    const n = batch * nKvHeads * capacity * headDim;
    const make = (): Storage => (dtype === 'fp32' ? new Float32Array(n) : dtype === 'fp16' ? new Uint16Array(n) : new Int8Array(n));
    this.k = Array.from({ length: nLayers }, make);
    this.v = Array.from({ length: nLayers }, make);
    const scales = (): Float32Array[] => (dtype === 'int8' ? Array.from({ length: nLayers }, () => new Float32Array(batch * nKvHeads * capacity)) : []);
    this.kScale = scales();
    this.vScale = scales();
    for (const l of spec.salienceLayers) this.salience.set(l, new Float32Array(batch * capacity * spec.nEmotions));
    const scratch = dtype === 'fp16' ? capacity * headDim : 0;
    this.scratch = { k: new Float32Array(scratch), v: new Float32Array(scratch) };
    this.pad = new Int32Array(batch);
  }

  slot(pos: number): number {
    return pos % this.spec.capacity;
  }

  /** Store one head's rotated key and value for position pos of row b. */
  write(layer: number, b: number, head: number, pos: number, k: Float32Array, v: Float32Array): void {
    const { nKvHeads, capacity, headDim } = this.spec;
    const row = (b * nKvHeads + head) * capacity + this.slot(pos);
    store(this.spec.dtype, this.k[layer]!, this.kScale[layer], row, headDim, k);
    store(this.spec.dtype, this.v[layer]!, this.vScale[layer], row, headDim, v);
  }

  writeSalience(layer: number, b: number, pos: number, s: Float32Array): void {
    const E = this.spec.nEmotions;
    this.salienceOf(layer).set(s, (b * this.spec.capacity + this.slot(pos)) * E);
  }

  /**
   * One head's keys (or values) as [capacity, headDim], indexed by slot. fp32: a view of the cache;
   * int8: a view of the 8-bit values with their per-slot scales (x = q · scale), so attention
   * dequantises as it reads rather than in a pass of its own; fp16: the held slots decoded into a
   * scratch buffer (one for k, one for v), valid until the next read of the same kind.
   */
  read(which: 'k' | 'v', layer: number, b: number, head: number): { values: Float32Array | Int8Array; scales?: Float32Array } {
    const { nKvHeads, capacity, headDim, dtype } = this.spec;
    const row0 = (b * nKvHeads + head) * capacity;
    const data = (which === 'k' ? this.k : this.v)[layer]!;
    if (dtype === 'fp32') return { values: (data as Float32Array).subarray(row0 * headDim, (row0 + capacity) * headDim) };
    if (dtype === 'int8') {
      const scale = (which === 'k' ? this.kScale : this.vScale)[layer]!;
      return { values: (data as Int8Array).subarray(row0 * headDim, (row0 + capacity) * headDim), scales: scale.subarray(row0, row0 + capacity) };
    }
    const held = Math.min(this.length, capacity);
    return { values: f16Decode((data as Uint16Array).subarray(row0 * headDim, (row0 + held) * headDim), this.scratch[which]) };
  }

  /** Row b's salience as [capacity, nEmotions] by slot (a view). */
  readSalience(layer: number, b: number): Float32Array {
    const n = this.spec.capacity * this.spec.nEmotions;
    return this.salienceOf(layer).subarray(b * n, (b + 1) * n);
  }

  /**
   * Positions row b's query at position t may attend: [lo, t]. The window bound and the ring
   * capacity coincide when there is a window; without one, capacity covers the whole sequence.
   */
  visible(b: number, t: number, window?: number): { lo: number; hi: number } {
    const lo = Math.max(this.pad[b]!, t - this.spec.capacity + 1, window === undefined ? 0 : t - window + 1);
    return { lo, hi: t };
  }

  /**
   * Allocated: the byte lengths of the typed arrays themselves. Used: the slots holding positions.
   * (fp16's two one-head decoding scratch buffers, 2 × capacity × headDim × 4 bytes, are not counted.)
   */
  bytes(): KvBytes {
    const { batch, capacity, dtype } = this.spec;
    const tokens = Math.min(this.length, capacity);
    const sum = (arrays: Iterable<ArrayBufferView>): number => {
      let n = 0;
      for (const a of arrays) n += a.byteLength;
      return n;
    };
    const allocated = counts(sum(this.k), sum(this.v), sum(this.kScale) + sum(this.vScale), sum(this.salience.values()));
    return { dtype, batch, capacity, tokens, allocated, used: kvByteCounts(this.spec, tokens) };
  }

  private salienceOf(layer: number): Float32Array {
    const s = this.salience.get(layer);
    if (s === undefined) throw new Error(`KV cache: no salience stored for layer ${layer}`);
    return s;
  }
}

/**
 * Bytes that `tokens` positions per sequence occupy: 2 (k and v) × layers × kv heads × head dim ×
 * tokens × batch × bytes per element, plus int8 scales (one float32 per token, head, k/v) and the
 * float32 salience of the bias blocks. Every row fills the same slots (left padding is stored too).
 */
export function kvByteCounts(spec: KvCacheSpec, tokens: number): KvByteCounts {
  const { nLayers, nKvHeads, headDim, batch, dtype } = spec;
  const kv = nLayers * nKvHeads * headDim * tokens * batch * BYTES_PER_ELEMENT[dtype];
  const scales = dtype === 'int8' ? 2 * nLayers * nKvHeads * tokens * batch * 4 : 0;
  const salience = spec.salienceLayers.length * tokens * batch * spec.nEmotions * 4;
  return counts(kv, kv, scales, salience);
}

function counts(k: number, v: number, scales: number, salience: number): KvByteCounts {
  return { k, v, scales, salience, total: k + v + scales + salience };
}

function store(dtype: KvDtype, data: Storage, scale: Float32Array | undefined, row: number, headDim: number, x: Float32Array): void {
  const at = row * headDim;
  if (dtype === 'fp32') {
    (data as Float32Array).set(x, at);
  } else if (dtype === 'fp16') {
    f16Encode(x, (data as Uint16Array).subarray(at, at + headDim));
  } else {
    let absmax = 0;
    for (let i = 0; i < headDim; i++) absmax = Math.max(absmax, Math.abs(x[i]!));
    const s = absmax / 127;
    scale![row] = s;
    const inv = s > 0 ? 1 / s : 0;
    for (let i = 0; i < headDim; i++) data[at + i] = Math.round(x[i]! * inv);
  }
}
