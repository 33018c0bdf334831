/**
 * The scratch model as an ONNX graph, with the same math as transformer.ts (full forward) and
 * decode.ts (one step over the cache), so one graph serves prefill and incremental decode:
 *
 *   inputs   input_ids       int64 [batch, seq]
 *            attention_mask  int64 [batch, past_seq + seq]   1 = token, 0 = left padding
 *            past_key_{l}, past_value_{l}   [batch, kv_heads, past_seq, head_dim]  (RoPE applied)
 *            past_key_scale_{l}, past_value_scale_{l}  float [batch, kv_heads, past_seq, 1]  (kv int8 only)
 *            past_salience_{l}  float [batch, past_seq, 5]   (emotion-bias blocks, bias on)
 *   outputs  logits    float [batch, 1, vocab]   the last position only: all that decoding reads
 *            emotions  float [batch, seq, 5]     emotion probabilities at every new position
 *            present_* the past_* inputs with this call's positions appended
 *
 * Prefill passes past_seq = 0. Positions come from the mask (cumsum − 1), so left padding shifts
 * nothing, as in padBatch. Attention runs in onnxruntime's MultiHeadAttention and RotaryEmbedding
 * kernels (com.microsoft), or with `ops: 'standard'` in plain opset-17 operators. `until: 'emotion'`
 * builds the classification graph: blocks up to the emotion head, no cache, no LM head. The KV
 * cache element type (kv) is part of the graph; the cache is dequantised before attention, so every
 * position attends to what the cache holds.
 *
 * Weights are initializers: fp32, or (weights: 'int8') the block and LM-head matrices as 8-bit
 * integers with one float scale per output column, multiplied in integers: DynamicQuantizeLinear
 * (the activation to uint8 with one scale for the whole [B, S, K] tensor) → MatMulInteger (int32
 * sums) → Cast → Mul by activation scale × column scale. onnxruntime fuses the four nodes into its
 * DynamicQuantizeMatMul kernel, which reads a quarter of fp32's bytes per token and, unlike
 * DequantizeLinear → MatMul (fused into 8-bit MatMulNBits), runs prefill through its integer GEMM
 * (~1.7× the prefill tokens/s, measured). The shared activation scale means a row's int8 logits
 * depend slightly on the other rows and positions in the same call.
 */
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import { EMOTIONS, headDim, isBiasLayer, type ModelConfig } from '../scratch/config.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { ropeTables } from '../scratch/rope.js';
import { weightEntries, type BlockWeights, type Weights } from '../scratch/weights.js';
import { writeFileAtomicAsync } from '../util/atomic-write.js';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/**
 * fp16 weights are not offered: onnxruntime's CPU provider has no fp16 MatMul on x86, and the
 * Cast back to fp32 made decode slower than fp32 weights (measured 20 vs 28 steps/s).
 */
export type WeightFormat = 'fp32' | 'int8';

export interface ExportOptions {
  /** Emotion attention bias in the blocks after the emotion layer. */
  bias: boolean;
  /** Default fp32. */
  weights?: WeightFormat;
  /** KV cache element type of past_* / present_*. Default fp32. */
  kv?: KvDtype;
  /** 'emotion': the classification graph (blocks up to the emotion head). Default 'logits'. */
  until?: 'logits' | 'emotion';
  /**
   * 'ort' (default): attention and RoPE as onnxruntime's com.microsoft MultiHeadAttention and
   * RotaryEmbedding kernels. 'standard': opset-17 operators only, for runtimes other than onnxruntime.
   */
  ops?: AttentionOps;
}

/**
 * Why two forms: a decode step of `scratch@paper`'s standard-operator graph runs ~640 nodes, and
 * onnxruntime spends ~7 µs on each however small (profiled: ~5 ms a step beside ~14 ms of weight
 * reads); the fused kernels halve the nodes (~330) and take ~1 ms off a step (BENCHMARKS.md).
 * Other runtimes do not have them, hence `ops=standard`.
 */
export type AttentionOps = 'ort' | 'standard';

/**
 * Stamped into the model's metadata_props (`onnx:<file>` reads it back). Engine=ort caches exported
 * files under a key that includes it: change it whenever the graph changes.
 */
export const EXPORT_FORMAT = 'emobench-scratch/3';
/** Special token ids of the project's tokenizer, recorded for consumers of the file. */
const SPECIAL_IDS = { bos: 0, eos: 1, pad: 2 };

/** ONNX element types (FLOAT, INT64, …), for building graphs with Graph. */
export const DT = onnx.TensorProto.DataType;
export type ElemType = onnxProto.onnx.TensorProto.DataType;
const MS_DOMAIN = 'com.microsoft';
const KV_ELEM: Record<KvDtype, ElemType> = { fp32: DT.FLOAT, fp16: DT.FLOAT16, int8: DT.INT8 };

// ─── the helper layer ───────────────────────────────────────────────────────────────────────────

/** Attribute values: integers and integer lists as is, floats wrapped so 1 and 1.0 stay apart. */
type Attr = number | number[] | string | { float: number };

export class Graph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private count = 0;
  private readonly constants = new Map<string, string>();

  /** One node; returns the name of its output (`out`, or a generated one). */
  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const name = out ?? `${op}_${this.count++}`;
    this.nodes.push({ opType: op, name, input: [...inputs], output: [name], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return name;
  }

  /** One node of onnxruntime's com.microsoft operator set. */
  contrib(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    const name = this.node(op, inputs, attrs);
    this.nodes.at(-1)!.domain = MS_DOMAIN;
    return name;
  }

  /** A node with several outputs (Split). */
  multi(op: string, inputs: readonly string[], n: number, attrs: Record<string, Attr> = {}): string[] {
    const name = `${op}_${this.count++}`;
    const outs = Array.from({ length: n }, (_, i) => `${name}_${i}`);
    this.nodes.push({ opType: op, name, input: [...inputs], output: outs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outs;
  }

  initializer(name: string, dims: readonly number[], type: ElemType, data: ArrayBufferView): string {
    this.initializers.push({ name, dims: [...dims], dataType: type, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** An int64 constant (shapes, axes, indices), shared by every node that uses the same values. */
  ints(values: readonly number[]): string {
    return this.constant(`ints[${values.join(',')}]`, () => this.initializer(`const_i64_${this.constants.size}`, [values.length], DT.INT64, BigInt64Array.from(values, BigInt)));
  }

  /** An int64 scalar (Range bounds, CumSum axis). */
  int(value: number): string {
    return this.constant(`i64[${value}]`, () => this.initializer(`const_i64_${this.constants.size}`, [], DT.INT64, BigInt64Array.of(BigInt(value))));
  }

  /** A float scalar constant. */
  scalar(value: number): string {
    return this.constant(`f32[${value}]`, () => this.initializer(`const_f32_${this.constants.size}`, [], DT.FLOAT, Float32Array.of(value)));
  }

  input(name: string, type: ElemType, dims: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares `name` (which a node must produce) a graph output. */
  output(name: string, type: ElemType, dims: readonly (number | string)[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  private constant(key: string, make: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = make();
      this.constants.set(key, name);
    }
    return name;
  }
}

function attribute(name: string, v: Attr): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.float };
}

function valueInfo(name: string, type: ElemType, dims: readonly (number | string)[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

// ─── the model, one function per block ─────────────────────────────────────────────────────────

/** Everything the blocks share: the graph, the config, the options and a few per-call tensors. */
interface Ctx {
  g: Graph;
  cfg: ModelConfig;
  opts: Required<ExportOptions>;
  /**
   * Rotation by position: for the RotaryEmbedding kernel, the positions [B, S] (int64) and the
   * [maxSeq, hd/2] tables; for standard operators, the tables gathered at the positions, [B, 1, S, hd/2].
   */
  rope: { ops: 'ort'; pos: string; cos: string; sin: string } | { ops: 'standard'; cos: string; sin: string };
  /** [B, 1, S, T] additive: 0 where query i may attend key j, −1e9 elsewhere. */
  mask: string;
}

/** Build the ONNX model for these weights; `encodeModel` turns it into bytes. */
export function buildScratchOnnx(cfg: ModelConfig, w: Weights<Float32Array>, options: ExportOptions): onnxProto.onnx.IModelProto {
  const opts: Required<ExportOptions> = { weights: 'fp32', kv: 'fp32', until: 'logits', ops: 'ort', ...options };
  const g = new Graph();
  const E = cfg.nEmotions;
  const ids = g.input('input_ids', DT.INT64, ['batch', 'seq']);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch', 'total_seq']);
  const ctx: Ctx = { g, cfg, opts, rope: rotation(g, cfg, ids, attentionMask, opts.ops), mask: causalMask(g, ids, attentionMask) };

  let x = g.node('Gather', [g.initializer('embed', [cfg.vocabSize, cfg.dModel], DT.FLOAT, w.embed), ids], { axis: 0 }); // [B, S, d]
  let emotions: string | undefined;
  for (let l = 0; l < cfg.nLayers; l++) {
    const blk = w.blocks[l]!;
    const biased = opts.bias && isBiasLayer(cfg, l) ? emotions : undefined;
    x = g.node('Add', [x, attention(ctx, l, blk, x, biased)]);
    x = g.node('Add', [x, mlp(ctx, l, blk, x)]);
    if (l === cfg.emotionLayer) {
      ({ x, emotions } = emotionHead(ctx, w, x));
      if (opts.until === 'emotion') break;
    }
  }
  g.output(emotions!, DT.FLOAT, ['batch', 'seq', E]);
  if (opts.until === 'logits') lmHead(ctx, w, x);

  return toModel(g, 'emobench_scratch', {
    'emobench.format': EXPORT_FORMAT,
    'emobench.config': JSON.stringify(cfg),
    'emobench.options': JSON.stringify(opts),
    'emobench.special_ids': JSON.stringify(SPECIAL_IDS),
    id2label: JSON.stringify(Object.fromEntries(EMOTIONS.map((e, i) => [String(i), e]))),
  });
}

/** A graph as an opset-17 model (plus com.microsoft when it uses those kernels) with these metadata_props. */
export function toModel(g: Graph, name: string, metadata: Record<string, string> = {}): onnxProto.onnx.IModelProto {
  const contrib = g.nodes.some((n) => n.domain === MS_DOMAIN);
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }, ...(contrib ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
    producerName: 'emobench',
    producerVersion: EXPORT_FORMAT,
    graph: { name, node: g.nodes, initializer: g.initializers, input: g.inputs, output: g.outputs },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

/** Build, encode and write atomically (a reader never sees half a file). */
export async function exportScratchOnnx(path: string, cfg: ModelConfig, w: Weights<Float32Array>, opts: ExportOptions): Promise<number> {
  const bytes = encodeModel(buildScratchOnnx(cfg, w, opts));
  await writeFileAtomicAsync(path, bytes);
  return bytes.length;
}

/**
 * Each new token's position is (number of real tokens up to and including it) − 1, clamped at 0
 * for padding: the `t − pad` of padBatch, derived from the mask. The tables hold maxSeq rows
 * computed by ropeTables, so both engines rotate by identical floats.
 */
function rotation(g: Graph, cfg: ModelConfig, ids: string, attentionMask: string, ops: AttentionOps): Ctx['rope'] {
  const half = headDim(cfg) / 2;
  const tables = ropeTables(Array.from({ length: cfg.maxSeq }, (_, p) => p), headDim(cfg), cfg.ropeTheta);
  const cos = g.initializer('rope_cos', [cfg.maxSeq, half], DT.FLOAT, tables.cos);
  const sin = g.initializer('rope_sin', [cfg.maxSeq, half], DT.FLOAT, tables.sin);
  const counted = g.node('Sub', [g.node('CumSum', [attentionMask, g.int(1)]), g.int(1)]);
  const all = g.node('Max', [counted, g.int(0)]); // [B, T]
  const seq = g.node('Slice', [g.node('Shape', [ids]), g.ints([1]), g.ints([2])]);
  const pos = g.node('Slice', [all, g.node('Neg', [seq]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]); // [B, S]
  if (ops === 'ort') return { ops, pos, cos, sin };
  const gathered = (table: string) => g.node('Unsqueeze', [g.node('Gather', [table, pos], { axis: 0 }), g.ints([1])]); // [B, 1, S, hd/2]
  return { ops, cos: gathered(cos), sin: gathered(sin) };
}

/**
 * Query i (absolute slot P + i, after P cached positions) may attend key j when j ≤ P + i and j is
 * not padding; a padding query attends to itself alone, so its row stays finite (attentionMask).
 */
function causalMask(g: Graph, ids: string, attentionMask: string): string {
  const dim = (t: string, axis: number) => g.node('Squeeze', [g.node('Slice', [g.node('Shape', [t]), g.ints([axis]), g.ints([axis + 1])]), g.ints([0])]);
  const total = dim(attentionMask, 1);
  const keys = g.node('Unsqueeze', [g.node('Range', [g.int(0), total, g.int(1)]), g.ints([0])]); // [1, T]
  const queries = g.node('Unsqueeze', [g.node('Range', [g.node('Sub', [total, dim(ids, 1)]), total, g.int(1)]), g.ints([1])]); // [S, 1]
  const causal = g.node('LessOrEqual', [keys, queries]); // [S, T]
  const self = g.node('Equal', [keys, queries]);
  const real = g.node('Unsqueeze', [g.node('Cast', [attentionMask], { to: DT.BOOL }), g.ints([1])]); // [B, 1, T]
  const allowed = g.node('And', [g.node('Or', [real, self]), causal]); // [B, S, T]
  return g.node('Where', [g.node('Unsqueeze', [allowed, g.ints([1])]), g.scalar(0), g.scalar(-1e9)]); // [B, 1, S, T]
}

/**
 * Pre-norm attention: fused qkv, RoPE, the cache, grouped-query scores, the emotion bias when
 * `emotions` is given, softmax, values, output projection. Returns the residual update [B, S, d].
 */
function attention(ctx: Ctx, l: number, blk: BlockWeights<Float32Array>, x: string, emotions: string | undefined): string {
  const { g, cfg } = ctx;
  const { nHeads: H, nKvHeads: Hkv, dModel: d, nEmotions: E } = cfg;
  const hd = headDim(cfg);
  const h = rmsNorm(ctx, x, `blocks.${l}.attnNorm`, blk.attnNorm);
  const qkv = linear(ctx, `blocks.${l}.wqkv`, h, blk.wqkv, d, (H + 2 * Hkv) * hd);
  const [q, k, v] = g.multi('Split', [qkv, g.ints([H * hd, Hkv * hd, Hkv * hd])], 3, { axis: -1 });
  const heads = (t: string, n: number) => g.node('Transpose', [g.node('Reshape', [t, g.ints([0, 0, n, hd])])], { perm: [0, 2, 1, 3] }); // [B, n, S, hd]

  // Added to the scaled scores: the causal and padding mask, and the emotion bias
  // β_h · ⟨e_i, s_j⟩ (query i's emotion against key j's salience) when the block has it.
  let bias = ctx.mask; // [B, 1, S, T]
  if (emotions !== undefined) {
    const salience = linear(ctx, `blocks.${l}.salience`, h, blk.salience!, d, E); // [B, S, E]
    const past = g.input(`past_salience_${l}`, DT.FLOAT, ['batch', 'past_seq', E]);
    const all = g.node('Concat', [past, salience], { axis: 1 }, `present_salience_${l}`);
    g.output(all, DT.FLOAT, ['batch', 'total_seq', E]);
    const affinity = g.node('Unsqueeze', [g.node('MatMul', [emotions, g.node('Transpose', [all], { perm: [0, 2, 1] })]), g.ints([1])]); // [B, 1, S, T]
    const beta = g.initializer(`blocks.${l}.beta`, [1, H, 1, 1], DT.FLOAT, blk.beta!);
    bias = g.node('Add', [bias, g.node('Mul', [affinity, beta])]); // [B, H, S, T]
  }

  let merged: string; // [B, S, H·hd]
  if (ctx.rope.ops === 'ort') {
    const { pos, cos, sin } = ctx.rope;
    const rotated = (t: string, n: number) => g.contrib('RotaryEmbedding', [t, pos, cos, sin], { num_heads: n }); // [B, S, n·hd]
    const keys = cached(ctx, l, 'key', heads(rotated(k!, Hkv), Hkv)); // [B, Hkv, T, hd]
    const values = cached(ctx, l, 'value', heads(v!, Hkv));
    // The kernel wants one kv head per query head: the g query heads sharing kv head j are
    // consecutive (as in transformer.ts), so kv head j is repeated g times in place.
    const group = H / Hkv;
    const perQueryHead = (t: string) => (group === 1 ? t : g.node('Reshape', [g.node('Expand', [g.node('Unsqueeze', [t, g.ints([2])]), g.ints([1, 1, group, 1, 1])]), g.ints([0, H, -1, hd])]));
    merged = g.contrib('MultiHeadAttention', [rotated(q!, H), perQueryHead(keys), perQueryHead(values), '', '', bias], { num_heads: H, scale: { float: 1 / Math.sqrt(hd) } });
  } else {
    const keys = cached(ctx, l, 'key', rope(ctx, heads(k!, Hkv))); // [B, Hkv, T, hd]
    const values = cached(ctx, l, 'value', heads(v!, Hkv));
    // Grouped-query attention as in transformer.ts: [B, H, S, hd] reshapes to [B, Hkv, g·S, hd]
    // against keys [B, Hkv, T, hd].
    const grouped = g.node('Reshape', [rope(ctx, heads(q!, H)), g.ints([0, Hkv, -1, hd])]);
    const qk = g.node('MatMul', [grouped, g.node('Transpose', [keys], { perm: [0, 1, 3, 2] })]); // [B, Hkv, g·S, T]
    const scores = g.node('Add', [g.node('Reshape', [g.node('Mul', [qk, g.scalar(1 / Math.sqrt(hd))]), g.ints([0, H, -1, 0])]), bias]); // [B, H, S, T]
    const probs = g.node('Softmax', [scores], { axis: -1 });
    const mixed = g.node('MatMul', [g.node('Reshape', [probs, g.ints([0, Hkv, -1, 0])]), values]); // [B, Hkv, g·S, hd]
    merged = g.node('Reshape', [g.node('Transpose', [g.node('Reshape', [mixed, g.ints([0, H, -1, hd])])], { perm: [0, 2, 1, 3] }), g.ints([0, 0, H * hd])]);
  }
  return linear(ctx, `blocks.${l}.wo`, merged, blk.wo, H * hd, d);
}

/**
 * Appends this call's keys or values ([B, Hkv, S, hd], float) to past_{key,value}_{l}, declares
 * the result present_*, and returns the whole cache as float for attention. fp16 and int8 caches
 * are stored quantised (int8: symmetric absmax per token and head, as kv-cache.ts) and
 * dequantised here, so attention reads exactly what later steps will read. The classification
 * graph has no cache: it attends to `fresh` alone.
 */
function cached(ctx: Ctx, l: number, which: 'key' | 'value', fresh: string): string {
  const { g, cfg, opts } = ctx;
  if (opts.until === 'emotion') return fresh;
  const dims = (seq: string, last = headDim(cfg)) => ['batch', cfg.nKvHeads, seq, last];
  const past = g.input(`past_${which}_${l}`, KV_ELEM[opts.kv], dims('past_seq'));
  const present = `present_${which}_${l}`;
  g.output(present, KV_ELEM[opts.kv], dims('total_seq'));
  if (opts.kv === 'fp32') return g.node('Concat', [past, fresh], { axis: 2 }, present);
  if (opts.kv === 'fp16') {
    const stored = g.node('Concat', [past, g.node('Cast', [fresh], { to: DT.FLOAT16 })], { axis: 2 }, present);
    return g.node('Cast', [stored], { to: DT.FLOAT });
  }
  const scale = g.node('Div', [g.node('ReduceMax', [g.node('Abs', [fresh])], { axes: [-1], keepdims: 1 }), g.scalar(127)]); // [B, Hkv, S, 1]
  const inverse = g.node('Where', [g.node('Greater', [scale, g.scalar(0)]), g.node('Reciprocal', [scale]), g.scalar(0)]);
  const q = g.node('Cast', [g.node('Round', [g.node('Mul', [fresh, inverse])])], { to: DT.INT8 });
  const stored = g.node('Concat', [past, q], { axis: 2 }, present);
  const pastScale = g.input(`past_${which}_scale_${l}`, DT.FLOAT, dims('past_seq', 1));
  const scales = g.node('Concat', [pastScale, scale], { axis: 2 }, `present_${which}_scale_${l}`);
  g.output(scales, DT.FLOAT, dims('total_seq', 1));
  return g.node('Mul', [g.node('Cast', [stored], { to: DT.FLOAT }), scales]);
}

/** Half-split rotation of [B, n, S, hd] heads, as rotateInPlace: (x1·cos − x2·sin, x1·sin + x2·cos). */
function rope(ctx: Ctx, x: string): string {
  const { g } = ctx;
  if (ctx.rope.ops !== 'standard') throw new Error('rope: the ort graph rotates with RotaryEmbedding');
  const { cos, sin } = ctx.rope;
  const [x1, x2] = g.multi('Split', [x], 2, { axis: -1 });
  const first = g.node('Sub', [g.node('Mul', [x1!, cos]), g.node('Mul', [x2!, sin])]);
  const second = g.node('Add', [g.node('Mul', [x1!, sin]), g.node('Mul', [x2!, cos])]);
  return g.node('Concat', [first, second], { axis: -1 });
}

/** SwiGLU: down(silu(h·Wgate) ⊙ h·Wup) with h = RMSNorm(x). */
function mlp(ctx: Ctx, l: number, blk: BlockWeights<Float32Array>, x: string): string {
  const { g, cfg } = ctx;
  const h = rmsNorm(ctx, x, `blocks.${l}.mlpNorm`, blk.mlpNorm);
  const [gate, up] = g.multi('Split', [linear(ctx, `blocks.${l}.wGateUp`, h, blk.wGateUp, cfg.dModel, 2 * cfg.dFF)], 2, { axis: -1 });
  const act = g.node('Mul', [g.node('Mul', [gate!, g.node('Sigmoid', [gate!])]), up!]);
  return linear(ctx, `blocks.${l}.wDown`, act, blk.wDown, cfg.dFF, cfg.dModel);
}

/** e = softmax(W·RMSNorm(x) + b) per position (the `emotions` output), then x += e·P. */
function emotionHead(ctx: Ctx, w: Weights<Float32Array>, x: string): { x: string; emotions: string } {
  const { g, cfg } = ctx;
  const em = w.emotion;
  const hn = rmsNorm(ctx, x, 'emotion.norm', em.norm);
  const logits = g.node('Add', [linear(ctx, 'emotion.head', hn, em.head, cfg.dModel, cfg.nEmotions), g.initializer('emotion.headBias', [cfg.nEmotions], DT.FLOAT, em.headBias)]);
  const emotions = g.node('Softmax', [logits], { axis: -1 }, 'emotions');
  return { x: g.node('Add', [x, linear(ctx, 'emotion.proj', emotions, em.proj, cfg.nEmotions, cfg.dModel)]), emotions };
}

/** Final RMSNorm and the untied LM head, on the last position only. */
function lmHead(ctx: Ctx, w: Weights<Float32Array>, x: string): void {
  const { g, cfg } = ctx;
  const last = g.node('Slice', [x, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]); // [B, 1, d]
  const hn = rmsNorm(ctx, last, 'finalNorm', w.finalNorm);
  g.output(linear(ctx, 'lmHead', hn, w.lmHead, cfg.dModel, cfg.vocabSize, 'logits'), DT.FLOAT, ['batch', 1, cfg.vocabSize]);
}

/**
 * x · (mean(x²) + eps)^(-1/2) · gain, written as Pow → ReduceMean → Add → Sqrt → Div → Mul: the
 * pattern onnxruntime fuses into one SimplifiedLayerNormalization kernel.
 */
function rmsNorm(ctx: Ctx, x: string, name: string, gain: Float32Array): string {
  const { g, cfg } = ctx;
  const meanSquare = g.node('ReduceMean', [g.node('Pow', [x, g.scalar(2)])], { axes: [-1], keepdims: 1 });
  const rms = g.node('Sqrt', [g.node('Add', [meanSquare, g.scalar(cfg.normEps)])]);
  return g.node('Mul', [g.node('Div', [x, rms]), g.initializer(name, [gain.length], DT.FLOAT, gain)]);
}

/** Weight matrices under this many elements stay fp32 with int8 weights: they cost no bandwidth. */
const QUANTISE_MIN = 65_536;

/**
 * x · W for W [K, N]: fp32, or integer x_q · W_q scaled back by x's scale × W's column scale.
 * W_q is stored uint8 with zero point 128 rather than int8: onnxruntime's uint8 × int8 kernel on
 * AVX2 without VNNI adds byte-pair products in saturating int16, which put the paper config's
 * logits 5.0% of their range off fp32, against 2.2% for uint8 × uint8 (measured; 1.4% with the
 * MatMulNBits graph, whose activation scale is per 32-element block).
 */
function linear(ctx: Ctx, name: string, x: string, W: Float32Array, K: number, N: number, out?: string): string {
  const { g, opts } = ctx;
  if (opts.weights === 'fp32' || W.length < QUANTISE_MIN) return g.node('MatMul', [x, g.initializer(name, [K, N], DT.FLOAT, W)], {}, out);
  const { q, scale } = quantiseColumns(W, K, N);
  const shifted = new Uint8Array(q.length);
  for (let i = 0; i < q.length; i++) shifted[i] = q[i]! + 128;
  const [xq, xScale, xZero] = g.multi('DynamicQuantizeLinear', [x], 3);
  const weight = g.initializer(`${name}.uint8`, [K, N], DT.UINT8, shifted);
  const sums = g.node('MatMulInteger', [xq!, weight, xZero!, g.initializer(`${name}.zero`, [N], DT.UINT8, new Uint8Array(N).fill(128))]); // int32
  const scales = g.node('Mul', [xScale!, g.initializer(`${name}.scale`, [N], DT.FLOAT, scale)]);
  return g.node('Mul', [g.node('Cast', [sums], { to: DT.FLOAT }), scales], {}, out);
}

/** Symmetric absmax per column: W[k, n] ≈ q[k, n] · scale[n]. */
export function quantiseColumns(W: Float32Array, K: number, N: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) scale[n] = Math.max(scale[n]!, Math.abs(W[k * N + n]!));
  const inverse = scale.map((m) => (m > 0 ? 127 / m : 0));
  for (let n = 0; n < N; n++) scale[n] = scale[n]! / 127;
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) q[k * N + n] = Math.round(W[k * N + n]! * inverse[n]!);
  return { q, scale };
}

// ─── reading back ──────────────────────────────────────────────────────────────────────────────

/** A model file's metadata_props (onnxruntime's JS API does not expose them). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

/** sha256 of a model's config and every weight tensor: the key of an exported file. */
export function weightsDigest(cfg: ModelConfig, w: Weights<Float32Array>): string {
  const h = createHash('sha256').update(JSON.stringify(cfg));
  for (const [name, data] of weightEntries(w)) h.update(name).update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return h.digest('hex');
}
