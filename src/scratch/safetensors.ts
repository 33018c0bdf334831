/**
 * safetensors, read and written by hand.
 *
 * Why no package: the format is tiny — an 8-byte little-endian u64 header length N, N bytes of
 * UTF-8 JSON (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}`,
 * padded with spaces), then the raw little-endian tensor bytes — and no maintained npm package
 * covers both reading and writing with strict validation. A model file is input from the user, so
 * every way it can be malformed must end in a `SafetensorsError` that names the file and the tensor,
 * never in a TypeError/RangeError from deep inside a typed-array constructor.
 *
 * Layout written here (what the reference implementation does too): header keys sorted by name,
 * header padded with spaces so the data section starts on an 8-byte boundary, tensor bytes ordered
 * by element size (largest first) then name, so every tensor is naturally aligned within the data
 * section without leaving holes (the spec forbids them). The host is assumed little-endian (every
 * platform Node ships on); byte ↔ element conversions fall back to DataView elsewhere.
 *
 * `f16Encode` / `f16Decode` also back the fp16 KV cache, so they are allocation-free per element:
 * encoding is integer bit-twiddling with round-to-nearest-even, decoding one lookup in a 64 Ki
 * table of float32 bit patterns.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { writeFileAtomicAsync } from '../util/atomic-write.js';

export type DType = 'F32' | 'F16' | 'BF16' | 'I8' | 'U8' | 'I32' | 'I64';

/** Bytes per element. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = { F32: 4, F16: 2, BF16: 2, I8: 1, U8: 1, I32: 4, I64: 8 };
const DTYPES = Object.keys(DTYPE_SIZE) as DType[];

/** One tensor: `data` holds product(shape) × DTYPE_SIZE[dtype] raw little-endian bytes. */
export interface TensorEntry {
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

/** Largest header accepted (same limit as the reference implementation). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * A malformed safetensors file or tensor. Extends UserError (itself an Error), so the CLI reports
 * it as bad input (exit code 2). `source` is the file (or '<buffer>'), `tensor` the tensor if any.
 */
export class SafetensorsError extends UserError {
  readonly source: string;
  readonly tensor: string | undefined;
  constructor(source: string, tensor: string | undefined, problem: string, options?: { cause?: unknown }) {
    super(tensor === undefined ? `${source}: ${problem}` : `${source}: tensor ${JSON.stringify(tensor)}: ${problem}`);
    this.name = 'SafetensorsError';
    this.source = source;
    this.tensor = tensor;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPE_SIZE, x);
}

/** Number of elements of `shape` (1 for a 0-d scalar), or undefined if not a safe integer. */
function elementCount(shape: readonly number[]): number | undefined {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

function describe(x: unknown): string {
  try {
    const s = JSON.stringify(x);
    if (s === undefined) return String(x);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(x);
  }
}

/** Checks an entry built in code (not parsed); returns its element count. */
function checkEntry(e: TensorEntry, source: string, name?: string): number {
  if (!isDType(e.dtype)) throw new SafetensorsError(source, name, `unknown dtype ${describe(e.dtype)} (expected one of ${DTYPES.join(', ')})`);
  if (!isShape(e.shape)) throw new SafetensorsError(source, name, `shape ${describe(e.shape)} is not an array of non-negative safe integers`);
  const n = elementCount(e.shape);
  if (n === undefined) throw new SafetensorsError(source, name, `shape [${e.shape.join(', ')}] has more elements than a safe integer holds`);
  if (!(e.data instanceof Uint8Array)) throw new SafetensorsError(source, name, 'data is not a Uint8Array');
  if (e.data.byteLength !== n * DTYPE_SIZE[e.dtype]) {
    throw new SafetensorsError(source, name, `data is ${e.data.byteLength} bytes but ${e.dtype} [${e.shape.join(', ')}] needs ${n * DTYPE_SIZE[e.dtype]}`);
  }
  return n;
}

/** An F32 entry over `values`' bytes (no copy). */
export function f32(shape: number[], values: Float32Array): TensorEntry {
  if (!isShape(shape)) throw new SafetensorsError('f32()', undefined, `shape ${describe(shape)} is not an array of non-negative safe integers`);
  const n = elementCount(shape);
  if (n === undefined || values.length !== n) throw new SafetensorsError('f32()', undefined, `${values.length} values for shape [${shape.join(', ')}] (${n} elements)`);
  let data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!HOST_LE) {
    data = new Uint8Array(values.byteLength);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(4 * i, values[i]!, true);
  }
  return { dtype: 'F32', shape: [...shape], data };
}

/** `data` as elements of `bytesPer` bytes: a view when aligned, else an aligned copy. */
function aligned(data: Uint8Array, bytesPer: number): ArrayBufferLike {
  if (data.byteOffset % bytesPer === 0) return data.buffer;
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy.buffer;
}

/**
 * The tensor's values as float32. F32: a view of `entry.data` when 4-byte aligned (shares memory),
 * else a copy; F16 / BF16 decoded; I8 / U8 / I32 / I64 converted (I64 beyond 2^53 loses precision).
 */
export function toFloat32(entry: TensorEntry): Float32Array {
  const n = checkEntry(entry, 'toFloat32()');
  const d = entry.data;
  if (!HOST_LE) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const out = new Float32Array(n);
    const halves = new Float32Array(f16Table().buffer);
    const word = new Uint32Array(1);
    const wordF = new Float32Array(word.buffer);
    for (let i = 0; i < n; i++) {
      switch (entry.dtype) {
        case 'F32': out[i] = dv.getFloat32(4 * i, true); break;
        case 'F16': out[i] = halves[dv.getUint16(2 * i, true)]!; break;
        case 'BF16': word[0] = dv.getUint16(2 * i, true) << 16; out[i] = wordF[0]!; break;
        case 'I8': out[i] = dv.getInt8(i); break;
        case 'U8': out[i] = dv.getUint8(i); break;
        case 'I32': out[i] = dv.getInt32(4 * i, true); break;
        case 'I64': out[i] = Number(dv.getBigInt64(8 * i, true)); break;
      }
    }
    return out;
  }
  const off = (bytesPer: number): number => (d.byteOffset % bytesPer === 0 ? d.byteOffset : 0);
  switch (entry.dtype) {
    case 'F32':
      return new Float32Array(aligned(d, 4), off(4), n);
    case 'F16':
      return f16Decode(new Uint16Array(aligned(d, 2), off(2), n));
    case 'BF16': {
      const h = new Uint16Array(aligned(d, 2), off(2), n);
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = h[i]! << 16;
      return out;
    }
    case 'I8':
      return new Float32Array(new Int8Array(d.buffer, d.byteOffset, n));
    case 'U8':
      return new Float32Array(d);
    case 'I32':
      return new Float32Array(new Int32Array(aligned(d, 4), off(4), n));
    case 'I64': {
      const v = new BigInt64Array(aligned(d, 8), off(8), n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]!);
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IEEE 754 binary16

/**
 * float32 → half bits, round-to-nearest-even, subnormals, ±inf (overflow from 65520 up), NaN kept
 * quiet with its sign and top payload bits. `out` (optional) receives the result; no per-element
 * allocation.
 */
export function f16Encode(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const f = x & 0x7fffffff;
    let h: number;
    if (f >= 0x47800000) {
      // |x| ≥ 65536, inf or NaN
      h = f > 0x7f800000 ? 0x7e00 | ((f >>> 13) & 0x3ff) : 0x7c00;
    } else if (f < 0x38800000) {
      // |x| < 2^-14: half subnormal (or zero). Value in units of 2^-24 is M · 2^(e − 126).
      const e = f >>> 23;
      const shift = 126 - e;
      if (shift > 24) {
        h = 0;
      } else {
        const m = (f & 0x7fffff) | 0x800000;
        const q = m >>> shift;
        const rem = m & ((1 << shift) - 1);
        const half = 1 << (shift - 1);
        h = rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q;
      }
    } else {
      // normal: rebias the exponent, add the rounding bias (ties to even), a carry may reach inf
      h = (f - 0x38000000 + 0xfff + ((f >>> 13) & 1)) >>> 13;
    }
    out[i] = sign | h;
  }
  return out;
}

let F16_TABLE: Uint32Array | undefined;

/** float32 bit pattern of every half. */
function f16Table(): Uint32Array {
  if (F16_TABLE !== undefined) return F16_TABLE;
  const t = new Uint32Array(65536);
  const asFloat = new Float32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 31) t[h] = sign | 0x7f800000 | (m << 13);
    else if (e === 0) asFloat[h] = (sign ? -1 : 1) * m * 2 ** -24; // exact in float32; keeps -0
    else t[h] = sign | ((e + 112) << 23) | (m << 13);
  }
  F16_TABLE = t;
  return t;
}

/** Half bits → float32 (exact). `out` (optional) receives the result. */
export function f16Decode(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const table = f16Table();
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) bits[i] = table[src[i]!]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const LONE_SURROGATE = /\p{Cs}/u;

/** The file bytes: header sorted by name, padded to 8 bytes with spaces, then the tensor data. */
export function encodeSafetensors(tensors: Record<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array {
  const src = 'encodeSafetensors';
  const names = Object.keys(tensors).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    if (name === '__metadata__') throw new SafetensorsError(src, name, 'the name "__metadata__" is reserved');
    if (LONE_SURROGATE.test(name)) throw new SafetensorsError(src, name, 'name is not well-formed Unicode');
    checkEntry(tensors[name]!, src, name);
  }
  // Data order: element size descending, then name, so every tensor starts aligned to its element size.
  const layout = [...names].sort((a, b) => DTYPE_SIZE[tensors[b]!.dtype] - DTYPE_SIZE[tensors[a]!.dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const offsets = new Map<string, [number, number]>();
  let dataBytes = 0;
  for (const name of layout) {
    const len = tensors[name]!.data.byteLength;
    offsets.set(name, [dataBytes, dataBytes + len]);
    dataBytes += len;
  }

  const parts: string[] = [];
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new SafetensorsError(src, undefined, '__metadata__ must be a string → string map');
    const keys = Object.keys(metadata).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) {
      const v: unknown = metadata[k];
      if (typeof v !== 'string') throw new SafetensorsError(src, undefined, `__metadata__ value of ${JSON.stringify(k)} is ${describe(v)}, not a string`);
      if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw new SafetensorsError(src, undefined, `__metadata__ entry ${JSON.stringify(k)} is not well-formed Unicode`);
    }
    if (keys.length > 0) parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  for (const name of names) {
    const t = tensors[name]!;
    const [b, e] = offsets.get(name)!;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${b},${e}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  if (headerLen > MAX_HEADER_BYTES) throw new SafetensorsError(src, undefined, `header would be ${headerLen} bytes (> ${MAX_HEADER_BYTES})`);

  const out = new Uint8Array(8 + headerLen + dataBytes);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLen, true);
  dv.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const base = 8 + headerLen;
  for (const name of layout) out.set(tensors[name]!.data, base + offsets.get(name)![0]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parse and validate a whole file. Tensor `data` are views into `bytes` (no copy). Tensors come
 * back sorted by name. Every defect throws a SafetensorsError naming `source` and the tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): { tensors: Map<string, TensorEntry>; metadata: Record<string, string> } {
  const fail = (problem: string, tensor?: string): never => {
    throw new SafetensorsError(source, tensor, problem);
  };
  if (!(bytes instanceof Uint8Array)) fail('input is not a Uint8Array');
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (hi !== 0 || headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} is absurdly large (> ${MAX_HEADER_BYTES} bytes)`);
  if (8 + headerLen > bytes.byteLength) fail(`header length ${headerLen} is larger than the file (${bytes.byteLength} bytes)`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(header)) fail(`header is not a JSON object (got ${Array.isArray(header) ? 'an array' : describe(header)})`);
  const obj = header as Record<string, unknown>;

  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    if (name === '__metadata__') {
      if (!isPlainObject(value)) fail(`__metadata__ is ${describe(value)}, not a string → string map`);
      const m = value as Record<string, unknown>;
      for (const k of Object.keys(m)) {
        if (typeof m[k] !== 'string') fail(`__metadata__ is not a string → string map: value of ${JSON.stringify(k)} is ${describe(m[k])}`);
      }
      metadata = Object.fromEntries(Object.entries(m)) as Record<string, string>;
      continue;
    }
    if (!isPlainObject(value)) fail(`entry is ${describe(value)}, not an object`, name);
    const info = value as Record<string, unknown>;
    const dtype = info['dtype'];
    if (!isDType(dtype)) fail(`unknown dtype ${describe(dtype)} (expected one of ${DTYPES.join(', ')})`, name);
    const shape = info['shape'];
    if (!isShape(shape)) fail(`shape ${describe(shape)} is not an array of non-negative safe integers`, name);
    const offs = info['data_offsets'];
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      fail(`data_offsets ${describe(offs)} is not [begin, end] of non-negative integers`, name);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) fail(`data_offsets [${begin}, ${end}]: begin > end`, name);
    if (end > dataLen) fail(`data_offsets [${begin}, ${end}]: end is beyond the data section (${dataLen} bytes)`, name);
    const sh = shape as number[];
    const n = elementCount(sh);
    const dt = dtype as DType;
    const need = n === undefined ? Infinity : n * DTYPE_SIZE[dt];
    if (end - begin !== need) {
      fail(`byte length ${end - begin} (data_offsets [${begin}, ${end}]) != ${n === undefined ? 'product(shape)' : n} elements × ${DTYPE_SIZE[dt]} bytes for ${dt} [${sh.join(', ')}]`, name);
    }
    entries.push({ name, dtype: dt, shape: [...sh], begin, end });
  }

  // The ranges must tile the data section exactly: no overlap, no hole, nothing left over.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: (typeof entries)[number] | undefined;
  for (const e of byOffset) {
    if (e.begin < at) {
      fail(`data_offsets [${e.begin}, ${e.end}] overlap tensor ${JSON.stringify(prev!.name)} [${prev!.begin}, ${prev!.end}]`, e.name);
    }
    if (e.begin > at) fail(`hole in the data section: bytes [${at}, ${e.begin}) before data_offsets [${e.begin}, ${e.end}] belong to no tensor`, e.name);
    at = e.end;
    prev = e;
  }
  if (at !== dataLen) fail(`hole in the data section: bytes [${at}, ${dataLen}) at the end belong to no tensor`);

  const tensors = new Map<string, TensorEntry>();
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
  }
  return { tensors, metadata };
}

// ---------------------------------------------------------------------------------------------
// Files

/** Read and validate a file; read failures (missing file, too large) are SafetensorsErrors too. */
export async function readSafetensors(path: string): Promise<{ tensors: Map<string, TensorEntry>; metadata: Record<string, string> }> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new SafetensorsError(path, undefined, `cannot read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/**
 * Write atomically: the bytes go to a temp file in the same folder, are fsynced, then renamed over
 * `path`, so a killed write leaves either the old file or the new one, never a torn one.
 */
export async function writeSafetensors(path: string, tensors: Record<string, TensorEntry>, metadata?: Record<string, string>): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  await writeFileAtomicAsync(path, bytes, { durable: true });
}
