/**
 * Every GPU buffer of the engine is created here and tagged with what it holds, so "how much GPU
 * memory" is a sum the engine knows rather than an estimate: weights, the KV cache (k and v), its
 * int8 scales, the emotion-bias salience of past tokens, activations (the forward's scratch
 * buffers and per-dispatch parameters) and staging (the read-back buffers the CPU maps).
 */

export const PURPOSES = ['weights', 'kv', 'kv-scales', 'salience', 'activations', 'staging'] as const;
export type Purpose = (typeof PURPOSES)[number];
export type BytesByPurpose = Record<Purpose, number>;

const zero = (): BytesByPurpose => ({ weights: 0, kv: 0, 'kv-scales': 0, salience: 0, activations: 0, staging: 0 });

export class GpuAllocator {
  private readonly live = new Map<GPUBuffer, Purpose>();
  private readonly bytes = zero();
  private readonly peakBytes = zero();
  private peakTotal = 0;

  constructor(readonly device: GPUDevice) {}

  /** A buffer of exactly `bytes` (WebGPU wants a multiple of 4; callers' sizes are). */
  create(purpose: Purpose, bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    if (bytes % 4 !== 0) throw new Error(`GPU buffer ${label}: ${bytes} bytes is not a multiple of 4`);
    const buffer = this.device.createBuffer({ size: Math.max(4, bytes), usage, label });
    this.live.set(buffer, purpose);
    this.bytes[purpose] += buffer.size;
    this.peakBytes[purpose] = Math.max(this.peakBytes[purpose], this.bytes[purpose]);
    this.peakTotal = Math.max(this.peakTotal, this.total());
    return buffer;
  }

  /** A storage buffer holding `data` (weights, tables); every packing here is a multiple of 4 bytes. */
  upload(purpose: Purpose, data: ArrayBufferView, label: string, extraUsage: GPUBufferUsageFlags = 0): GPUBuffer {
    const buffer = this.create(purpose, data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  destroy(buffer: GPUBuffer | undefined): void {
    if (buffer === undefined) return;
    const purpose = this.live.get(buffer);
    if (purpose === undefined) return;
    this.live.delete(buffer);
    this.bytes[purpose] -= buffer.size;
    buffer.destroy();
  }

  /** Bytes held now, by purpose. */
  held(): BytesByPurpose {
    return { ...this.bytes };
  }

  /** Most bytes held at once per purpose, and in total, since the last resetPeak(). */
  peak(): { byPurpose: BytesByPurpose; total: number } {
    return { byPurpose: { ...this.peakBytes }, total: this.peakTotal };
  }

  resetPeak(): void {
    Object.assign(this.peakBytes, this.bytes);
    this.peakTotal = this.total();
  }

  total(): number {
    return PURPOSES.reduce((n, p) => n + this.bytes[p], 0);
  }

  /** Buffers not yet destroyed: 0 after the engine is disposed. */
  liveBuffers(): number {
    return this.live.size;
  }

  destroyAll(): void {
    for (const b of [...this.live.keys()]) this.destroy(b);
  }
}
