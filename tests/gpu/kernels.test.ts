/**
 * Each WGSL kernel against a plain TypeScript reference on random data, odd sizes included.
 * Bounds: fp32 ≤ 1e-4 relative (max error / max |reference|); f16 weights ≤ 1e-4 against the
 * reference on the same f16-rounded weights and ≤ 2e-3 against fp32; int8 weights ≤ 1e-4 against
 * the dequantised weights and ≤ 2e-2 against fp32; fp16/int8 KV caches ≤ 1e-4 against the CPU
 * cache (src/scratch/kv-cache.ts) holding the same values in the same type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeAttention } from '../../src/gpu/attention-decode.js';
import { prefillAttention } from '../../src/gpu/attention-prefill.js';
import { emotionHead } from '../../src/gpu/emotion.js';
import { gatherRows } from '../../src/gpu/gather.js';
import { GpuKvCache, writeKv, writeSalience } from '../../src/gpu/kv-cache.js';
import { matmul, packMatrix, uploadMatrix, type GpuWeightFormat } from '../../src/gpu/matmul.js';
import { rmsNorm } from '../../src/gpu/rmsnorm.js';
import { rope } from '../../src/gpu/rope.js';
import { swiglu } from '../../src/gpu/swiglu.js';
import { KVCache, type KvDtype } from '../../src/scratch/kv-cache.js';
import { ropeTables, rotateInPlace } from '../../src/scratch/rope.js';
import { f16Decode } from '../../src/scratch/safetensors.js';
import { gpuFixture, randn, relErr, skipGpu, type GpuFixture } from './helpers.js';

function refMatmul(x: Float32Array, W: ArrayLike<number>, M: number, K: number, N: number, Wstride = N, colScale?: ArrayLike<number>): Float32Array {
  const y = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k]! * W[k * Wstride + n]!;
      y[m * N + n] = s * (colScale?.[n] ?? 1);
    }
  }
  return y;
}

describe('WebGPU kernels', { skip: skipGpu }, () => {
  let g: GpuFixture;
  before(async () => (g = await gpuFixture()));
  after(() => g.close());

  const shapes = [
    [1, 37, 53],
    [3, 64, 20],
    [7, 19, 5],
    [17, 33, 130],
  ] as const;

  for (const format of ['fp32', 'f16', 'int8'] as GpuWeightFormat[]) {
    test(`matmul ${format}: odd shapes, plain and accumulating`, async () => {
      for (const [i, [M, K, N]] of shapes.entries()) {
        const x = randn(M * K, 10 + i);
        const W = randn(K * N, 20 + i, 0.1);
        const y0 = randn(M * N, 30 + i);
        const mat = uploadMatrix(g.alloc, W, K, N, format, 'W');
        // The weights the kernel actually holds, decoded on the CPU.
        const packed = packMatrix(W, K, N, format);
        const N4 = Math.ceil(N / 4) * 4;
        const held = format === 'fp32' ? W : format === 'f16' ? f16Decode(packed.data as Uint16Array) : Float32Array.from(packed.data as Int8Array);
        const stride = format === 'fp32' ? N : N4;
        const exact = refMatmul(x, held, M, K, N, stride, packed.scale);
        const fp32 = refMatmul(x, W, M, K, N);
        const xb = g.buffer(x);
        const yb = g.buffer(M * N);
        const acc = g.buffer(y0);
        const pass = g.rt.pass();
        matmul(g.rt, pass, xb, mat, yb, M);
        matmul(g.rt, pass, xb, mat, acc, M, { accumulate: true });
        const [y, yAcc] = await pass.submit([
          { buffer: yb, bytes: M * N * 4 },
          { buffer: acc, bytes: M * N * 4 },
        ]);
        assert.ok(relErr(y!, exact) <= 1e-4, `${format} ${M}×${K}×${N}: ${relErr(y!, exact)}`);
        assert.ok(relErr(yAcc!, exact.map((v, j) => v + y0[j]!)) <= 1e-4);
        const bound = { fp32: 1e-4, f16: 2e-3, int8: 2e-2 }[format];
        assert.ok(relErr(y!, fp32) <= bound, `${format} vs fp32: ${relErr(y!, fp32)}`);
        if (format !== 'fp32') assert.ok(relErr(y!, fp32) > 0, 'reduced precision weights should differ from fp32');
      }
    });
  }

  test('embedding gather, RMSNorm, SwiGLU', async () => {
    const V = 13;
    const d = 37;
    const R = 5;
    const table = randn(V * d, 1);
    const ids = Uint32Array.from([3, 0, 12, 3, 7]);
    const gain = randn(d, 2);
    const F = 23;
    const gu = randn(R * 2 * F, 3, 4);
    const y = g.buffer(R * d);
    const n = g.buffer(R * d);
    const s = g.buffer(R * F);
    const pass = g.rt.pass();
    gatherRows(g.rt, pass, g.buffer(table), g.buffer(ids), y, R, d);
    rmsNorm(g.rt, pass, y, g.buffer(gain), n, R, d, 1e-5);
    swiglu(g.rt, pass, g.buffer(gu), s, R, F);
    const [got, normed, gated] = await pass.submit([
      { buffer: y, bytes: R * d * 4 },
      { buffer: n, bytes: R * d * 4 },
      { buffer: s, bytes: R * F * 4 },
    ]);
    const want = new Float32Array(R * d);
    ids.forEach((id, r) => want.set(table.subarray(id * d, (id + 1) * d), r * d));
    assert.deepEqual(got, want);
    const norm = new Float32Array(R * d);
    for (let r = 0; r < R; r++) {
      let ss = 0;
      for (let i = 0; i < d; i++) ss += want[r * d + i]! ** 2;
      for (let i = 0; i < d; i++) norm[r * d + i] = (want[r * d + i]! / Math.sqrt(ss / d + 1e-5)) * gain[i]!;
    }
    assert.ok(relErr(normed!, norm) <= 1e-4);
    const sw = new Float32Array(R * F);
    for (let r = 0; r < R; r++) for (let i = 0; i < F; i++) sw[r * F + i] = (gu[r * 2 * F + i]! / (1 + Math.exp(-gu[r * 2 * F + i]!))) * gu[r * 2 * F + F + i]!;
    assert.ok(relErr(gated!, sw) <= 1e-4);
  });

  test('RoPE on the q and k heads of qkv rows, v untouched', async () => {
    const R = 6;
    const hd = 12;
    const H = 3;
    const Hkv = 1;
    const width = (H + 2 * Hkv) * hd;
    const qkv = randn(R * width, 4);
    const positions = [0, 1, 5, 77, 1000, 3];
    const { cos, sin } = ropeTables(positions, hd, 10000);
    const b = g.buffer(qkv);
    const pass = g.rt.pass();
    rope(g.rt, pass, b, g.buffer(cos), g.buffer(sin), R, H + Hkv, hd, width);
    const [got] = await pass.submit([{ buffer: b, bytes: R * width * 4 }]);
    const want = qkv.slice();
    for (let r = 0; r < R; r++) for (let h = 0; h < H + Hkv; h++) rotateInPlace(want, r * width + h * hd, hd, cos, sin, r);
    assert.ok(relErr(got!, want) <= 1e-4);
    assert.deepEqual(got!.subarray(width - hd, width), qkv.subarray(width - hd, width));
  });

  test('emotion head: norm, logits, softmax, feedback into the residual', async () => {
    const R = 3;
    const d = 29;
    const E = 5;
    const x = randn(R * d, 5);
    const w = { norm: randn(d, 6), head: randn(d * E, 7), headBias: randn(E, 8), proj: randn(E * d, 9) };
    const xb = g.buffer(x);
    const em = g.buffer(R * E);
    const pass = g.rt.pass();
    emotionHead(g.rt, pass, xb, { norm: g.buffer(w.norm), head: g.buffer(w.head), headBias: g.buffer(w.headBias), proj: g.buffer(w.proj) }, em, R, d, E, 1e-5);
    const [xs, es] = await pass.submit([
      { buffer: xb, bytes: R * d * 4 },
      { buffer: em, bytes: R * E * 4 },
    ]);
    const wantX = x.slice();
    const wantE = new Float32Array(R * E);
    for (let r = 0; r < R; r++) {
      let ss = 0;
      for (let i = 0; i < d; i++) ss += x[r * d + i]! ** 2;
      const h = Array.from({ length: d }, (_, i) => (x[r * d + i]! / Math.sqrt(ss / d + 1e-5)) * w.norm[i]!);
      const z = Array.from({ length: E }, (_, c) => h.reduce((s, hi, i) => s + hi * w.head[i * E + c]!, 0) + w.headBias[c]!);
      const top = Math.max(...z);
      const ex = z.map((v) => Math.exp(v - top));
      const sum = ex.reduce((a, b) => a + b, 0);
      ex.forEach((v, c) => (wantE[r * E + c] = v / sum));
      for (let i = 0; i < d; i++) for (let c = 0; c < E; c++) wantX[r * d + i]! += wantE[r * E + c]! * w.proj[c * d + i]!;
    }
    assert.ok(relErr(es!, wantE) <= 1e-4);
    assert.ok(relErr(xs!, wantX) <= 1e-4);
  });

  /** B rows of T prompt positions each (left-padded), written to both caches, then one query per row at slot T − 1. */
  async function decodeCase(dtype: KvDtype, o: { B: number; T: number; H: number; Hkv: number; hd: number; cap: number; window?: number; bias: boolean; pad: number[] }) {
    const { B, T, H, Hkv, hd, cap } = o;
    const E = 5;
    const width = (H + 2 * Hkv) * hd;
    const spec = { nLayers: 1, nKvHeads: Hkv, headDim: hd, batch: B, capacity: cap, dtype, salienceLayers: o.bias ? [0] : [], nEmotions: E };
    const qkv = randn(B * T * width, 11, 2);
    const sal = randn(B * T * E, 12);
    const emotions = randn(B * E, 13);
    const beta = randn(H, 14);
    const first = Math.max(0, T - cap);
    const gcache = new GpuKvCache(spec, g.alloc);
    const cpu = new KVCache(spec);
    cpu.pad.set(o.pad);
    cpu.length = T;
    for (let b = 0; b < B; b++) {
      for (let t = first; t < T; t++) {
        const row = (b * T + t) * width;
        for (let h = 0; h < Hkv; h++) cpu.write(0, b, h, t, qkv.subarray(row + (H + h) * hd, row + (H + h + 1) * hd), qkv.subarray(row + (H + Hkv + h) * hd, row + (H + Hkv + h + 1) * hd));
        if (o.bias) cpu.writeSalience(0, b, t, sal.subarray((b * T + t) * E, (b * T + t + 1) * E));
      }
    }
    // The queries: row b's q heads at its last position.
    const q = new Float32Array(B * width);
    for (let b = 0; b < B; b++) q.set(qkv.subarray((b * T + T - 1) * width, (b * T + T) * width), b * width);
    const out = g.buffer(B * H * hd);
    const pass = g.rt.pass();
    const shape = { R: B * T, T, t0: 0, first };
    const all = g.buffer(qkv);
    writeKv(g.rt, pass, gcache, 0, all, shape, H);
    if (o.bias) writeSalience(g.rt, pass, gcache, 0, g.buffer(sal), shape);
    decodeAttention(g.rt, pass, {
      cache: gcache,
      layer: 0,
      qkv: g.buffer(q),
      pad: g.buffer(Uint32Array.from(o.pad)),
      out,
      nHeads: H,
      t: T - 1,
      ...(o.window ? { window: o.window } : {}),
      ...(o.bias ? { bias: { emotions: g.buffer(emotions), beta: g.buffer(beta) } } : {}),
    });
    const [got] = await pass.submit([{ buffer: out, bytes: B * H * hd * 4 }]);
    // Reference: float64 softmax attention over the CPU cache's values, dequantised as it reads them.
    const want = new Float32Array(B * H * hd);
    const exactWant = new Float32Array(B * H * hd);
    for (let b = 0; b < B; b++) {
      const { lo, hi } = cpu.visible(b, T - 1, o.window);
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / Hkv));
        const K = cpu.read('k', 0, b, kvh);
        const kv = { values: Float32Array.from(K.values), scales: K.scales?.slice() };
        const V = cpu.read('v', 0, b, kvh);
        for (const [target, quantised] of [
          [want, true],
          [exactWant, false],
        ] as const) {
          const scores: number[] = [];
          for (let j = lo; j <= hi; j++) {
            const slot = j % cap;
            let dot = 0;
            for (let i = 0; i < hd; i++) {
              const k = quantised ? kv.values[slot * hd + i]! * (kv.scales?.[slot] ?? 1) : qkv[(b * T + j) * width + (H + kvh) * hd + i]!;
              dot += q[b * width + h * hd + i]! * k;
            }
            let aff = 0;
            if (o.bias) for (let c = 0; c < E; c++) aff += emotions[b * E + c]! * sal[(b * T + j) * E + c]!;
            scores.push(dot / Math.sqrt(hd) + (o.bias ? beta[h]! * aff : 0));
          }
          const top = Math.max(...scores);
          const p = scores.map((s) => Math.exp(s - top));
          const sum = p.reduce((a, c) => a + c, 0);
          for (let i = 0; i < hd; i++) {
            let s = 0;
            for (let j = lo; j <= hi; j++) {
              const slot = j % cap;
              const v = quantised ? V.values[slot * hd + i]! * (V.scales?.[slot] ?? 1) : qkv[(b * T + j) * width + (H + Hkv + kvh) * hd + i]!;
              s += (p[j - lo]! / sum) * v;
            }
            target[(b * H + h) * hd + i] = s;
          }
        }
      }
    }
    gcache.destroy();
    return { same: relErr(got!, want), vsFp32: relErr(got!, exactWant) };
  }

  for (const dtype of ['fp32', 'fp16', 'int8'] as KvDtype[]) {
    test(`decode attention over a ${dtype} cache: GQA, padding, bias, window ring`, async () => {
      const cases = [
        { B: 2, T: 45, H: 4, Hkv: 2, hd: 8, cap: 45, bias: true, pad: [0, 7] },
        { B: 1, T: 70, H: 3, Hkv: 1, hd: 8, cap: 70, bias: false, pad: [0] },
        { B: 3, T: 50, H: 2, Hkv: 2, hd: 8, cap: 16, window: 16, bias: true, pad: [0, 3, 40] },
      ];
      for (const c of cases) {
        const r = await decodeCase(dtype, c);
        assert.ok(r.same <= 1e-4, `${dtype} ${JSON.stringify(c)}: ${r.same} against the CPU cache`);
        const bound = { fp32: 1e-4, fp16: 2e-3, int8: 3e-2 }[dtype];
        assert.ok(r.vsFp32 <= bound, `${dtype}: ${r.vsFp32} against fp32`);
      }
    });
  }

  test('tiled prefill attention: causal, GQA, left padding, window, bias; T across several tiles', async () => {
    for (const c of [
      { B: 2, T: 70, H: 4, Hkv: 2, hd: 8, bias: true, pad: [0, 9] },
      { B: 1, T: 33, H: 2, Hkv: 1, hd: 20, bias: false, pad: [0] },
      { B: 2, T: 100, H: 2, Hkv: 2, hd: 4, bias: true, pad: [5, 0], window: 24 },
    ]) {
      const { B, T, H, Hkv, hd } = c;
      const E = 5;
      const width = (H + 2 * Hkv) * hd;
      const qkv = randn(B * T * width, 21, 2);
      const sal = randn(B * T * E, 22);
      const emotions = randn(B * T * E, 23);
      const beta = randn(H, 24);
      const out = g.buffer(B * T * H * hd);
      const pass = g.rt.pass();
      prefillAttention(g.rt, pass, {
        qkv: g.buffer(qkv),
        pad: g.buffer(Uint32Array.from(c.pad)),
        out,
        B,
        T,
        nHeads: H,
        nKvHeads: Hkv,
        headDim: hd,
        nEmotions: E,
        ...(c.window ? { window: c.window } : {}),
        ...(c.bias ? { bias: { emotions: g.buffer(emotions), salience: g.buffer(sal), beta: g.buffer(beta) } } : {}),
      });
      const [got] = await pass.submit([{ buffer: out, bytes: B * T * H * hd * 4 }]);
      const want = new Float32Array(B * T * H * hd);
      for (let b = 0; b < B; b++) {
        const pad = c.pad[b]!;
        for (let i = 0; i < T; i++) {
          const lo = i < pad ? i : Math.max(pad, c.window ? i - c.window + 1 : 0);
          for (let h = 0; h < H; h++) {
            const kvh = Math.floor(h / (H / Hkv));
            const scores: number[] = [];
            for (let j = lo; j <= i; j++) {
              let dot = 0;
              for (let d = 0; d < hd; d++) dot += qkv[(b * T + i) * width + h * hd + d]! * qkv[(b * T + j) * width + (H + kvh) * hd + d]!;
              let aff = 0;
              for (let e = 0; e < E; e++) aff += emotions[(b * T + i) * E + e]! * sal[(b * T + j) * E + e]!;
              scores.push(dot / Math.sqrt(hd) + (c.bias ? beta[h]! * aff : 0));
            }
            const top = Math.max(...scores);
            const p = scores.map((s) => Math.exp(s - top));
            const sum = p.reduce((a, x) => a + x, 0);
            for (let d = 0; d < hd; d++) {
              let s = 0;
              for (let j = lo; j <= i; j++) s += (p[j - lo]! / sum) * qkv[(b * T + j) * width + (H + Hkv + kvh) * hd + d]!;
              want[((b * T + i) * H + h) * hd + d] = s;
            }
          }
        }
      }
      assert.ok(relErr(got!, want) <= 1e-4, `${JSON.stringify(c)}: ${relErr(got!, want)}`);
    }
  });
});
