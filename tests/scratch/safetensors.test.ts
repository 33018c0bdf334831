import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  decodeSafetensors,
  DTYPE_SIZE,
  encodeSafetensors,
  f16Decode,
  f16Encode,
  f32,
  readSafetensors,
  SafetensorsError,
  toFloat32,
  writeSafetensors,
  type TensorEntry,
} from '../../src/scratch/safetensors.js';
import { mulberry32 } from '../../src/util/rng.js';

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const entry = (dtype: TensorEntry['dtype'], shape: number[], a: ArrayBufferView): TensorEntry => ({ dtype, shape, data: bytesOf(a) });

function sample(): Record<string, TensorEntry> {
  return {
    'w.f32': f32([2, 3], new Float32Array([1, -2, 3.5, 0, 1e-3, -7])),
    'w.f16': entry('F16', [5], f16Encode(new Float32Array([1, -2, 0.5, 65504, 0]))), // 10 bytes: odd number of words
    'w.bf16': entry('BF16', [3], new Uint16Array([0x3f80, 0xc000, 0x4049])), // 1, -2, 3.140625
    'w.i8': entry('I8', [2, 2], new Int8Array([-128, -1, 0, 127])),
    'w.u8': entry('U8', [7], new Uint8Array([0, 1, 2, 3, 4, 5, 255])),
    'w.i32': entry('I32', [3], new Int32Array([-2147483648, 0, 2147483647])),
    'w.i64': entry('I64', [2], new BigInt64Array([-5n, 1n << 40n])),
    scalar: f32([], new Float32Array([42])),
    empty: f32([0, 4], new Float32Array(0)),
    'empty.i64': entry('I64', [3, 0], new BigInt64Array(0)),
  };
}

test('round trip of every dtype, a 0-d scalar and empty tensors, in memory and on disk', async () => {
  const tensors = sample();
  const metadata = { format: 'pt', note: 'ünïcode ✓', '0': 'numeric key' };
  const bytes = encodeSafetensors(tensors, metadata);
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0, 'data section starts 8-byte aligned');

  const check = (got: ReturnType<typeof decodeSafetensors>): void => {
    assert.deepEqual(got.metadata, metadata);
    assert.deepEqual([...got.tensors.keys()], Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const g = got.tensors.get(name)!;
      assert.equal(g.dtype, t.dtype, name);
      assert.deepEqual(g.shape, t.shape, name);
      assert.deepEqual([...g.data], [...t.data], name);
      // Natural alignment inside the file (larger elements are laid out first).
      assert.equal((g.data.byteOffset - got.tensors.get('w.i64')!.data.byteOffset) % DTYPE_SIZE[g.dtype], 0, name);
    }
  };
  check(decodeSafetensors(bytes));

  const f = (n: string): number[] => [...toFloat32(decodeSafetensors(bytes).tensors.get(n)!)];
  assert.deepEqual(f('w.f32'), [...new Float32Array([1, -2, 3.5, 0, 1e-3, -7])]);
  assert.deepEqual(f('w.f16'), [1, -2, 0.5, 65504, 0]);
  assert.deepEqual(f('w.bf16'), [1, -2, 3.140625]);
  assert.deepEqual(f('w.i8'), [-128, -1, 0, 127]);
  assert.deepEqual(f('w.u8'), [0, 1, 2, 3, 4, 5, 255]);
  assert.deepEqual(f('w.i32'), [-2147483648, 0, 2147483648]); // 2^31 - 1 rounds to 2^31 in float32
  assert.deepEqual(f('w.i64'), [-5, 2 ** 40]);
  assert.deepEqual(f('scalar'), [42]);
  assert.deepEqual(f('empty'), []);
  // Misaligned data is copied, not rejected.
  const odd = new Uint8Array(13);
  odd.set(bytesOf(new Float32Array([1.5, -3, 8])), 1);
  assert.deepEqual([...toFloat32({ dtype: 'F32', shape: [3], data: odd.subarray(1) })], [1.5, -3, 8]);
  assert.deepEqual([...toFloat32({ dtype: 'I64', shape: [1], data: new Uint8Array(9).fill(0xff).subarray(1) })], [-1]);

  const dir = await mkdtemp(join(tmpdir(), 'emobench-st-'));
  try {
    const path = join(dir, 'model.safetensors');
    await writeSafetensors(path, tensors, metadata);
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes);
    check(await readSafetensors(path));
    await writeSafetensors(path, { only: f32([1], new Float32Array([3])) }); // overwrite in place
    assert.deepEqual([...(await readSafetensors(path)).tensors.keys()], ['only']);
    assert.deepEqual(await readdir(dir), ['model.safetensors'], 'no temp file left behind');
    await assert.rejects(readSafetensors(join(dir, 'missing.safetensors')), (e: unknown) => e instanceof SafetensorsError && /missing\.safetensors: cannot read/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('byte-exact output for a tiny file', () => {
  const bytes = encodeSafetensors({ b: f32([2], new Float32Array([1, -2])), a: entry('U8', [], new Uint8Array([7])) }, { k: 'v' });
  // Header keys sorted by name; data ordered by element size (F32 before U8), then name.
  const json = '{"__metadata__":{"k":"v"},"a":{"dtype":"U8","shape":[],"data_offsets":[8,9]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  assert.equal(json.length, 130);
  const headerLen = 136; // 130 rounded up to a multiple of 8: six spaces of padding
  const expected = [
    headerLen, 0, 0, 0, 0, 0, 0, 0,
    ...[...json].map((c) => c.charCodeAt(0)),
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x00, 0x00, 0x80, 0x3f, // 1.0f
    0x00, 0x00, 0x00, 0xc0, // -2.0f
    0x07,
  ];
  assert.deepEqual([...bytes], expected);
  // No metadata: no __metadata__ key at all.
  const bare = encodeSafetensors({ x: f32([], new Float32Array([0])) });
  const bareJson = '{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
  assert.equal(new TextDecoder().decode(bare.subarray(8, 8 + bareJson.length)), bareJson);
  assert.equal(bare[0], 56); // 52 → 56
  assert.equal(bare.length, 8 + 56 + 4);
});

const enc1 = (x: number): number => f16Encode(new Float32Array([x]))[0]!;
const dec1 = (h: number): number => f16Decode(new Uint16Array([h]))[0]!;

test('f16 encode/decode: known bit patterns, ties to even, subnormals, inf, NaN', () => {
  const cases: [number, number][] = [
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [0, 0x0000], [-0, 0x8000],
    [2 ** -14, 0x0400], // smallest normal, 6.1035e-5
    [6.1e-5, 0x03ff], // just below it: largest subnormal
    [2 ** -24, 0x0001], // smallest subnormal, 5.96e-8
    [5.96e-8, 0x0001],
    [2 ** -25, 0x0000], // exactly half the smallest subnormal: tie → even (0)
    [2 ** -25 * 1.0000001, 0x0001],
    [3 * 2 ** -25, 0x0002], // 1.5 units: tie → even (2)
    [5 * 2 ** -25, 0x0002], // 2.5 units: tie → even (2)
    [1 + 2 ** -11, 0x3c00], // halfway between 0x3c00 and 0x3c01 → even
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02 → even
    [2049, 0x6800], [2051, 0x6802], [-2051, 0xe802],
    [65519, 0x7bff], // below the overflow tie
    [65520, 0x7c00], // the tie between 65504 and 65536 rounds to even: inf
    [1e6, 0x7c00], [-1e6, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00], [1e-10, 0x0000], [-1e-10, 0x8000],
  ];
  for (const [x, h] of cases) assert.equal(enc1(x), h, `encode ${x} → 0x${enc1(x).toString(16)}, want 0x${h.toString(16)}`);
  const nan = enc1(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0);

  assert.equal(dec1(0x3c00), 1);
  assert.equal(dec1(0xc000), -2);
  assert.equal(dec1(0x7bff), 65504);
  assert.equal(dec1(0x0400), 2 ** -14);
  assert.equal(dec1(0x03ff), 1023 * 2 ** -24);
  assert.equal(dec1(0x0001), 2 ** -24);
  assert.ok(Object.is(dec1(0x8000), -0));
  assert.equal(dec1(0x7c00), Infinity);
  assert.equal(dec1(0xfc00), -Infinity);
  assert.ok(Number.isNaN(dec1(0x7e00)) && Number.isNaN(dec1(0xfc01)));

  // Every half survives decode → encode bit for bit (NaN stays NaN).
  const all = new Uint16Array(65536).map((_, i) => i);
  const back = f16Encode(f16Decode(all));
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (isNaN) assert.ok((back[h]! & 0x7c00) === 0x7c00 && (back[h]! & 0x3ff) !== 0, `NaN 0x${h.toString(16)}`);
    else if (back[h] !== h) assert.fail(`0x${h.toString(16)} → 0x${back[h]!.toString(16)}`);
  }
});

test('f16: nearest half for random float32 bit patterns; relative error ≤ 2^-11 in the normal range', () => {
  const rng = mulberry32(11);
  const n = 100_000;
  // Random bit patterns with exponents around the half range: the result must be a nearest half.
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) bits[i] = ((rng() * 2 ** 32) & 0x807fffff) | ((96 + Math.floor(rng() * 50)) << 23);
  const xs = new Float32Array(bits.buffer);
  const hs = f16Encode(xs);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const h = hs[i]!;
    const got = dec1(h);
    if (!Number.isFinite(got)) {
      assert.ok(Math.abs(x) >= 65520, `${x} → inf`);
      continue;
    }
    const err = Math.abs(got - x);
    for (const nb of [h - 1, h + 1]) {
      if ((nb & 0x7fff) >= 0x7c00 || nb < 0 || (nb & 0x8000) !== (h & 0x8000)) continue;
      assert.ok(err <= Math.abs(dec1(nb) - x), `${x}: 0x${h.toString(16)} is not the nearest half`);
    }
  }
  // Normal range: relative error ≤ 2^-11 (half an ulp of a 10-bit mantissa).
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = (rng() < 0.5 ? -1 : 1) * 2 ** (-14 + rng() * 29.999);
  const round = f16Decode(f16Encode(vals));
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(round[i]! - vals[i]!) / Math.abs(vals[i]!));
  assert.ok(worst <= 2 ** -11, `max relative error ${worst}`);
  assert.ok(worst > 2 ** -12, `suspiciously exact: ${worst}`);
  // Output buffers can be supplied (the fp16 KV cache reuses them).
  const out = new Uint16Array(4);
  assert.equal(f16Encode(new Float32Array([1, 2]), out.subarray(1)).length, 3);
  assert.deepEqual([...out], [0, 0x3c00, 0x4000, 0]);
});

/** A file from a raw header (string or value) and data bytes; `len` overrides the length field. */
function file(header: unknown, data: number | Uint8Array = 0, len?: number): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : new TextEncoder().encode(JSON.stringify(header));
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(len ?? json.length), true);
  out.set(json, 8);
  out.set(d, 8 + json.length);
  return out;
}

function rejects(bytes: Uint8Array, pattern: RegExp, tensor?: string): void {
  const src = 'bad.safetensors';
  assert.throws(
    () => decodeSafetensors(bytes, src),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${String(e)}`);
      assert.match(e.message, pattern);
      assert.ok(e.message.startsWith(`${src}: `), e.message);
      assert.equal(e.source, src);
      if (tensor !== undefined) {
        assert.ok(e.message.includes(`tensor "${tensor}"`), e.message);
        assert.equal(e.tensor, tensor);
      }
      return true;
    },
  );
}

test('every malformed file is a SafetensorsError naming the file, the tensor and the problem', () => {
  const t = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ dtype: 'F32', shape: [2], data_offsets: [0, 8], ...extra });
  rejects(new Uint8Array(5), /5 bytes, too short/);
  rejects(file({ a: t() }, 8, 5000), /header length 5000 is larger than the file/);
  rejects(file({ a: t() }, 8, 2 ** 40), /header length 1099511627776 is absurdly large/);
  rejects(file({ a: t() }, 8, 100_000_001), /absurdly large/);
  const badUtf8 = file('{"a" }');
  badUtf8[10] = 0xff;
  rejects(badUtf8, /header is not valid UTF-8/);
  rejects(file('{"a": '), /header is not valid JSON/);
  rejects(file(''), /header is not valid JSON/);
  for (const h of ['[]', '"x"', 'null', '3']) rejects(file(h), /header is not a JSON object/);
  rejects(file({ a: 3 }), /entry is 3, not an object/, 'a');
  rejects(file({ a: [1] }), /not an object/, 'a');
  for (const dtype of ['F64', 'f32', 'toString', '__proto__', 3, null, undefined]) rejects(file({ a: t({ dtype }) }, 8), /unknown dtype/, 'a');
  for (const shape of ['x', [-1], [1.5], [2 ** 53], [null], null, {}, undefined]) {
    rejects(file({ a: t({ shape }) }, 8), /shape .*is not an array of non-negative safe integers/, 'a');
  }
  for (const data_offsets of [[0], [0, 8, 9], [-1, 8], ['0', 8], [0.5, 8], [0, 2 ** 53], null, undefined, { 0: 0, 1: 8 }]) {
    rejects(file({ a: t({ data_offsets }) }, 8), /data_offsets .*is not \[begin, end\] of non-negative integers/, 'a');
  }
  rejects(file({ a: t({ data_offsets: [8, 0] }) }, 8), /begin > end/, 'a');
  rejects(file({ a: t({ data_offsets: [0, 16] }) }, 8), /end is beyond the data section \(8 bytes\)/, 'a');
  rejects(file({ a: t({ shape: [3] }) }, 8), /byte length 8 .*!= 3 elements × 4 bytes for F32 \[3\]/, 'a');
  rejects(file({ a: t({ dtype: 'F16' }) }, 8), /byte length 8 .*!= 2 elements × 2 bytes/, 'a');
  rejects(file({ a: t({ shape: [2 ** 30, 2 ** 30, 2 ** 30] }) }, 8), /byte length 8 .*!= product\(shape\)/, 'a');
  rejects(file({ a: t(), b: t({ data_offsets: [4, 12] }) }, 12), /overlap tensor "a" \[0, 8\]/, 'b');
  rejects(file({ a: t(), b: t() }, 8), /overlap tensor "a"/);
  rejects(file({ a: t(), e: t({ shape: [0], data_offsets: [4, 4] }) }, 8), /overlap/, 'e'); // an empty tensor inside another
  rejects(file({ a: t(), b: t({ data_offsets: [12, 20] }) }, 20), /hole in the data section: bytes \[8, 12\)/, 'b');
  rejects(file({ b: t({ data_offsets: [4, 12] }) }, 12), /hole in the data section: bytes \[0, 4\)/, 'b');
  rejects(file({ a: t() }, 12), /hole in the data section: bytes \[8, 12\) at the end/);
  rejects(file({}, 1), /hole/);
  for (const m of [[], null, 'x', 3, { k: 1 }, { k: null }, { k: ['v'] }]) {
    rejects(file({ __metadata__: m, a: t() }, 8), /__metadata__ .*string → string map/);
  }
  // Valid edge cases are accepted: empty header object, padding, empty tensors anywhere in sequence.
  assert.equal(decodeSafetensors(file('{}')).tensors.size, 0);
  assert.equal(decodeSafetensors(file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}   ', 1)).tensors.size, 1);
  assert.equal(decodeSafetensors(file({ e: t({ shape: [0], data_offsets: [8, 8] }), a: t() }, 8)).tensors.size, 2);

  // The writer validates too.
  const bad = (tensors: Record<string, TensorEntry>, metadata?: Record<string, string>, pattern = /./): void =>
    assert.throws(() => encodeSafetensors(tensors, metadata), (e: unknown) => e instanceof SafetensorsError && pattern.test(e.message));
  bad({ a: { dtype: 'F32', shape: [3], data: new Uint8Array(8) } }, undefined, /tensor "a": data is 8 bytes but F32 \[3\] needs 12/);
  bad({ a: { dtype: 'F64' as 'F32', shape: [1], data: new Uint8Array(8) } }, undefined, /unknown dtype "F64"/);
  bad({ a: { dtype: 'U8', shape: [-1], data: new Uint8Array(0) } }, undefined, /shape/);
  bad({ __metadata__: f32([1], new Float32Array(1)) }, undefined, /reserved/);
  bad({ '\ud800': f32([1], new Float32Array(1)) }, undefined, /well-formed/);
  bad({}, { k: 3 as unknown as string }, /__metadata__ value of "k" is 3/);
  assert.throws(() => f32([2, 2], new Float32Array(3)), SafetensorsError);
  assert.throws(() => toFloat32({ dtype: 'F32', shape: [2], data: new Uint8Array(4) }), SafetensorsError);
});

test('fuzz: mutated files only ever throw SafetensorsError', () => {
  const rng = mulberry32(2024);
  const int = (n: number): number => Math.floor(rng() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const base = encodeSafetensors(
    {
      a: f32([2, 2], new Float32Array([1, 2, 3, 4])),
      b: entry('F16', [3], f16Encode(new Float32Array([1, 2, 3]))),
      c: entry('I64', [1], new BigInt64Array([9n])),
      d: entry('U8', [0], new Uint8Array(0)),
      e: entry('BF16', [], new Uint16Array([0x3f80])),
    },
    { k: 'v' },
  );
  const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + headerLen))) as Record<string, Record<string, unknown>>;
  const data = base.subarray(8 + headerLen);
  const weird: unknown[] = [
    -1, 0, 1, 2, 3, 4, 8, 16, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1.5, 1e308, -0, NaN, 'F32', 'F16', 'I64', 'F64', '', 'x',
    null, true, [], {}, [0], [0, 4], [4, 0], [0, 0], [2 ** 31, 2 ** 31], [-1, 2], [1, 2, 3], ['1'], [[1]], { k: 'v' }, { k: 1 },
  ];
  let ok = 0;
  let failed = 0;
  for (let iter = 0; iter < 2000; iter++) {
    let bytes: Uint8Array;
    const kind = int(5);
    if (kind === 0) {
      // Flip random bytes, mostly in the header.
      bytes = base.slice();
      for (let k = 1 + int(6); k > 0; k--) bytes[rng() < 0.8 ? int(8 + headerLen) : int(bytes.length)] = int(256);
    } else if (kind === 1) {
      // Truncate or extend.
      bytes = rng() < 0.5 ? base.slice(0, int(base.length)) : new Uint8Array([...base, ...Array.from({ length: 1 + int(16) }, () => int(256))]);
    } else if (kind === 2) {
      // Random length field.
      bytes = base.slice();
      const dv = new DataView(bytes.buffer);
      if (rng() < 0.5) dv.setUint32(0, Math.max(0, headerLen + int(33) - 16), true);
      else dv.setUint32(int(2) * 4, int(2 ** 32), true);
    } else {
      // Structured header edits: replace, delete or add fields, then rebuild (with some data noise).
      const h = JSON.parse(JSON.stringify(header)) as Record<string, unknown>;
      for (let k = 1 + int(3); k > 0; k--) {
        const name = pick([...Object.keys(h), 'new', '__metadata__']);
        const r = rng();
        if (r < 0.15) delete h[name];
        else if (r < 0.3) h[name] = pick(weird);
        else {
          const tgt = (typeof h[name] === 'object' && h[name] !== null ? h[name] : (h[name] = {})) as Record<string, unknown>;
          const field = pick(['dtype', 'shape', 'data_offsets', 'k', 'extra']);
          if (rng() < 0.2) delete tgt[field];
          else tgt[field] = pick(weird);
        }
      }
      const extra = rng() < 0.3 ? int(9) : 0;
      const d = new Uint8Array(Math.max(0, data.length + extra - (rng() < 0.3 ? int(9) : 0)));
      d.set(data.subarray(0, d.length));
      bytes = file(h, d);
    }
    try {
      const { tensors } = decodeSafetensors(bytes, 'fuzz');
      for (const t of tensors.values()) toFloat32(t);
      encodeSafetensors(Object.fromEntries(tensors));
      ok++;
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw new Error(`iteration ${iter} (kind ${kind}) threw ${String(e)}`, { cause: e });
      assert.ok(e.message.startsWith('fuzz: '));
      failed++;
    }
  }
  assert.ok(ok > 20 && failed > 1000, `ok ${ok}, failed ${failed}`);
});
