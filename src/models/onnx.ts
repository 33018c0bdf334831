/**
 * `onnx:<path>`: a local ONNX model run with onnxruntime (a file, or a directory with model.onnx).
 *
 *   classifier  input_ids [+ attention_mask, token_type_ids] → logits [batch, labels]; label names
 *               from labels.json beside the file (["joy", …] or {"0": "joy", …}) or the model's
 *               metadata id2label. Answers the suite directly (classify).
 *   causal LM   logits [batch, seq, vocab], optionally with a past_* → present_* cache; answers the
 *               suite's prompt by generating (chat), like an API model.
 *   the scratch model's export (`emobench export-onnx`): classifies with its `emotions` output, or
 *               generates with head=lm. Its tokenizer.json is read with the project's tokenizer,
 *               whose pre-split HF's JSON cannot express, so token ids equal scratch:<dir>'s.
 *
 * Any other tokenizer.json (needed beside the file) is read by @huggingface/tokenizers, with
 * tokenizer_config.json when present for the special tokens.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import { EMOTIONS } from '../scratch/config.js';
import { Tokenizer, type TextStream } from '../scratch/tokenizer.js';
import { EXPORT_FORMAT, readOnnxMetadata } from '../onnx/export.js';
import { generate, scratchTokens, type DecodeTokens, type GenerateOptions, type TokenEvent } from '../scratch/generate.js';
import { emptyPast, openSession, OrtCausalLM, type OrtInfo } from '../onnx/ort-engine.js';
import { configHash, sha256 } from '../util/hash.js';
import { chatPrompt, completeLocally } from './local-chat.js';
import { checkOptions, type ModelSpec } from './spec.js';
import type { ChatRequest, ChatResult, ClassifyOutput, Model, ModelMeta } from './types.js';

/** Inputs the runner knows how to fill; any other input name is refused. */
const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'position_ids', 'token_type_ids'];

interface Codec {
  /** Text → ids with the model's special tokens. */
  encode(text: string): number[];
  lm: DecodeTokens;
}

export async function createOnnxModel(spec: ModelSpec): Promise<Model> {
  checkOptions(spec, ['head']);
  if (spec.target === undefined) throw new UserError(`model spec "${spec.raw}": name the file, e.g. onnx:./model.onnx`);
  const given = resolve(spec.target);
  if (!existsSync(given)) throw new UserError(`model spec "${spec.raw}": ${given}: no such file`);
  const path = statSync(given).isDirectory() ? join(given, 'model.onnx') : given;
  if (!existsSync(path)) throw new UserError(`model spec "${spec.raw}": ${path}: no such file (a directory needs model.onnx)`);
  const head = spec.options['head'];
  if (head !== undefined && head !== 'emotion' && head !== 'lm') throw new UserError(`model spec "${spec.raw}": head must be emotion or lm`);

  const bytes = await readFile(path);
  let metadata: Record<string, string>;
  try {
    metadata = readOnnxMetadata(bytes);
  } catch (e) {
    throw new UserError(`${path}: not a valid ONNX model: ${firstLine(e)}`);
  }
  let opened: { session: ort.InferenceSession; info: OrtInfo };
  try {
    opened = await openSession(bytes);
  } catch (e) {
    throw new UserError(`${path}: onnxruntime cannot load this model: ${firstLine(e)}`);
  }
  const { session, info } = opened;

  if (!session.inputNames.includes('input_ids')) throw new UserError(`${path}: the model has no "input_ids" input (inputs: ${session.inputNames.join(', ')})`);
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.includes(n) && !n.startsWith('past'));
  if (unknown.length > 0) throw new UserError(`${path}: unknown input${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${KNOWN_INPUTS.join(', ')}, past_*)`);

  // Earlier formats differ from the current one in how int8 weights (1) and attention (2) are
  // built, not in their inputs and outputs.
  const scratchExport = [EXPORT_FORMAT, 'emobench-scratch/1', 'emobench-scratch/2'].includes(metadata['emobench.format'] ?? '');
  const logits = session.outputMetadata.find((m) => m.name === 'logits') ?? session.outputMetadata[0];
  const rank = logits?.isTensor ? logits.shape.length : 0;
  const kind: 'emotion' | 'classifier' | 'lm' = scratchExport ? (head === 'lm' ? 'lm' : 'emotion') : rank === 2 ? 'classifier' : 'lm';
  if (!scratchExport && head !== undefined) throw new UserError(`model spec "${spec.raw}": head= applies to emobench exports only; this model's output decides (${kind})`);
  if (kind === 'lm' && rank !== 3 && !scratchExport) throw new UserError(`${path}: output "${logits?.name}" must be [batch, labels] (classifier) or [batch, seq, vocab] (causal LM)`);

  // A generic model states no context limit; the export's is its config's maxSeq (its RoPE table).
  const maxSeq = scratchExport ? (JSON.parse(metadata['emobench.config'] ?? '{}') as { maxSeq?: number }).maxSeq ?? 1024 : Number.MAX_SAFE_INTEGER;
  const codec = await loadCodec(path, scratchExport, maxSeq);
  const labels = kind === 'lm' ? [] : kind === 'emotion' ? [...EMOTIONS] : classifierLabels(path, metadata);
  if (kind === 'classifier' && logits?.isTensor && typeof logits.shape[1] === 'number' && logits.shape[1] !== labels.length) {
    throw new UserError(`${path}: the model has ${logits.shape[1]} outputs but ${labels.length} labels are named`);
  }
  const config = { kind, file: path, sha256: sha256(bytes), labels, ...(scratchExport ? { export: JSON.parse(metadata['emobench.options'] ?? '{}') as unknown } : {}) };
  const lm = new OrtCausalLM(session, maxSeq);
  const unfed = lm.unfedPast();
  if (kind === 'lm' && unfed.length > 0) throw new UserError(`${path}: no present_* output feeds input${unfed.length > 1 ? 's' : ''} ${unfed.join(', ')} (expected present${unfed[0]!.replace(/^past(_key_values)?/, '')})`);
  return new OnnxModel(spec.raw, session, info, codec, { kind, labels, outputName: kind === 'emotion' ? 'emotions' : (logits?.name ?? 'logits'), config }, lm);
}

class OnnxModel implements Model {
  readonly classify?: (texts: readonly string[], labels: readonly string[]) => Promise<ClassifyOutput[]>;
  readonly chat?: (req: ChatRequest, signal?: AbortSignal, onToken?: (text: string) => void) => Promise<ChatResult>;

  constructor(
    readonly spec: string,
    private readonly session: ort.InferenceSession,
    private readonly engine: OrtInfo,
    private readonly codec: Codec,
    private readonly o: { kind: 'emotion' | 'classifier' | 'lm'; labels: readonly string[]; outputName: string; config: Record<string, unknown> },
    private readonly lm: OrtCausalLM,
  ) {
    // Exactly one path, so the runner knows whether to send texts or the suite's prompt.
    if (o.kind === 'lm') this.chat = (req, signal, onToken) => this.generate(req, signal, onToken);
    else this.classify = (texts, labels) => this.classifyTexts(texts, labels);
  }

  meta(): ModelMeta {
    return { spec: this.spec, kind: 'onnx', config: { ...this.o.config, engine: this.engine }, config_hash: configHash(this.o.config) };
  }

  private async classifyTexts(texts: readonly string[], labels: readonly string[]): Promise<ClassifyOutput[]> {
    const lower = this.o.labels.map((l) => l.toLowerCase());
    const index = labels.map((l) => lower.indexOf(l.toLowerCase()));
    if (index.some((i) => i === -1)) throw new Error(`the model knows ${this.o.labels.join(', ')}; this suite's labels are ${labels.join(', ')}`);
    const out: ClassifyOutput[] = [];
    // The scratch export reads the last position (left padding); encoders read position 0 (right padding).
    const left = this.o.kind === 'emotion';
    for (let s = 0; s < texts.length; s += 16) {
      const probs = await this.scores(texts.slice(s, s + 16), left);
      for (const p of probs) {
        const picked = index.map((i) => p[i]!);
        const z = picked.reduce((a, b) => a + b, 0);
        const norm = picked.map((x) => x / z);
        const label = labels[norm.indexOf(Math.max(...norm))]!;
        out.push({ label, probs: norm, raw: label });
      }
    }
    return out;
  }

  /** Probabilities over the model's labels for each text (softmax of classifier logits). */
  private async scores(texts: readonly string[], left: boolean): Promise<number[][]> {
    const { ids, mask } = padRows(texts.map((t) => this.codec.encode(t)), this.codec.lm.pad, left);
    const B = texts.length;
    const T = ids.length / B;
    const int64 = (v: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(v, BigInt), dims);
    const inputs = this.session.inputNames;
    const feeds: Record<string, ort.Tensor> = { ...emptyPast(this.session, B), input_ids: int64(ids, [B, T]) };
    if (inputs.includes('attention_mask')) feeds['attention_mask'] = int64(mask, [B, T]);
    if (inputs.includes('token_type_ids')) feeds['token_type_ids'] = int64(new Array<number>(B * T).fill(0), [B, T]);
    if (inputs.includes('position_ids')) feeds['position_ids'] = int64(positions(mask, T), [B, T]);
    const out = (await this.session.run(feeds))[this.o.outputName]!;
    const data = out.data as Float32Array;
    const width = Number(out.dims.at(-1));
    const rowSize = data.length / B;
    return Array.from({ length: B }, (_, b) => {
      // The emotions output holds every position; the prediction is the last one's.
      const row = Array.from(data.subarray((b + 1) * rowSize - width, (b + 1) * rowSize));
      return this.o.kind === 'emotion' ? row : softmax(row);
    });
  }

  private async generate(req: ChatRequest, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult> {
    const model = { generateBatch: (prompts: readonly string[], opts: GenerateOptions, cb?: (e: TokenEvent) => void) => generate(this.lm, this.codec.lm, prompts, opts, cb) };
    return completeLocally(model, chatPrompt(req.messages), req.sampling, signal, onToken);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function padRows(rows: readonly number[][], pad: number, left: boolean): { ids: number[]; mask: number[] } {
  const T = Math.max(...rows.map((r) => r.length));
  const ids: number[] = [];
  const mask: number[] = [];
  for (const r of rows) {
    const padIds = new Array<number>(T - r.length).fill(pad);
    const padMask = new Array<number>(T - r.length).fill(0);
    const ones = r.map(() => 1);
    ids.push(...(left ? [...padIds, ...r] : [...r, ...padIds]));
    mask.push(...(left ? [...padMask, ...ones] : [...ones, ...padMask]));
  }
  return { ids, mask };
}

/** Per row of a [B, T] mask: real tokens counted from 0, padding at 0. */
function positions(mask: readonly number[], T: number): number[] {
  let n = 0;
  return mask.map((m, i) => {
    if (i % T === 0) n = 0;
    return Math.max(0, (n += m) - 1);
  });
}

function softmax(x: number[]): number[] {
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Label names by class index: labels.json beside the model, else metadata id2label. */
function classifierLabels(path: string, metadata: Record<string, string>): string[] {
  const file = join(dirname(path), 'labels.json');
  const [source, text] = existsSync(file) ? [file, readFileSync(file, 'utf8')] : [`${path} (metadata id2label)`, metadata['id2label']];
  if (text === undefined) throw new UserError(`${path}: a classifier needs label names: put labels.json beside it (["joy", …]) or id2label in the model's metadata`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${source}: not valid JSON: ${firstLine(e)}`);
  }
  const labels = Array.isArray(json) ? json : typeof json === 'object' && json !== null ? Object.entries(json).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v as unknown) : [];
  if (labels.length === 0 || !labels.every((l) => typeof l === 'string')) throw new UserError(`${source}: must be a list of label names or an {"0": "name", …} map`);
  return labels as string[];
}

async function loadCodec(path: string, scratchExport: boolean, maxSeq: number): Promise<Codec> {
  const file = join(dirname(path), 'tokenizer.json');
  if (!existsSync(file)) throw new UserError(`${path}: needs a tokenizer.json beside it (${file} not found)`);
  if (scratchExport) {
    const tok = await Tokenizer.load(file);
    const lm = scratchTokens(tok);
    // Classification keeps a text's last maxSeq tokens, as ScratchModel does.
    return { encode: (text) => tok.encode(text, { bos: true }).slice(-maxSeq), lm };
  }
  const { Tokenizer: HfTokenizer } = await import('@huggingface/tokenizers');
  let tok: InstanceType<typeof HfTokenizer>;
  const configFile = join(dirname(path), 'tokenizer_config.json');
  let config: Record<string, unknown> = {};
  try {
    if (existsSync(configFile)) config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    tok = new HfTokenizer(JSON.parse(readFileSync(file, 'utf8')) as object, config);
  } catch (e) {
    throw new UserError(`${file}: cannot read the tokenizer: ${firstLine(e)}`);
  }
  const special = (key: string, fallbacks: string[]): number | undefined => {
    const v = config[key];
    const name = typeof v === 'string' ? v : typeof v === 'object' && v !== null ? (v as { content?: string }).content : undefined;
    for (const n of name !== undefined ? [name] : fallbacks) {
      const id = tok.token_to_id(n);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const eos = special('eos_token', ['</s>', '<|endoftext|>', '<|eos|>', '<eos>', '[SEP]']);
  const pad = special('pad_token', ['<pad>', '[PAD]', '<|pad|>']) ?? eos ?? 0;
  const lm: DecodeTokens = {
    encode: (text, specials) => tok.encode(text, { add_special_tokens: specials }).ids,
    textStream: () => new RedecodingTextStream((ids) => tok.decode([...ids], { skip_special_tokens: true })),
    pad,
    ...(eos !== undefined ? { eos } : {}),
    banned: pad !== eos ? [pad] : [],
    vocabSize: tok.get_vocab(true).size,
  };
  return { encode: (text) => lm.encode(text, true), lm };
}

/**
 * A TextStream for a tokenizer that shows no bytes (Hugging Face's decode only gives text): the
 * ids so far are decoded again on every token, and a trailing U+FFFD — a character whose last
 * bytes have not arrived — is held back until it resolves or the stream ends.
 */
class RedecodingTextStream implements TextStream {
  private readonly ids: number[] = [];
  private text = '';
  /** Characters of `text` already returned. */
  private settled = 0;

  constructor(private readonly decode: (ids: readonly number[]) => string) {}

  push(id: number): string {
    this.ids.push(id);
    this.text = this.decode(this.ids);
    let end = this.text.length;
    while (end > this.settled && this.text[end - 1] === '\uFFFD') end--;
    const piece = this.text.slice(this.settled, end);
    this.settled = end;
    return piece;
  }

  flush(): string {
    const piece = this.text.slice(this.settled);
    this.settled = this.text.length;
    return piece;
  }
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}
