import { readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * Byte-level BPE tokenizer for the scratch transformer, in the spirit of GPT-2 and minbpe.
 *
 * Ids: 0..2 are the special tokens, 3..258 the 256 bytes, then one id per merge in the order the
 * merges were learned. Working on UTF-8 bytes means any string can be encoded without an unknown
 * token, and a merge's id doubles as its rank: earlier merges have smaller ids.
 */

export const SPECIAL_TOKENS = ['<|bos|>', '<|eos|>', '<|pad|>'] as const;
const FIRST_BYTE_ID = SPECIAL_TOKENS.length;
const FIRST_MERGE_ID = FIRST_BYTE_ID + 256;

/** A pair of ids packed into one number, so pair tables can be Maps keyed by numbers, not strings. */
const PAIR_BASE = 2 ** 24;
const pairKey = (a: number, b: number): number => a * PAIR_BASE + b;

/**
 * Chunks that merges never cross. Each alternative is a run of one script class, optionally led
 * by a single space, so " word" and "word" share merges the way GPT-2's do. Japanese has no
 * spaces, so script changes are the only word boundaries we get for free: kanji (Han), hiragana
 * and katakana each form their own runs ("今日はとても" → "今日", "はとても"); the long-vowel
 * mark ー belongs to Script=Common and is added to both kana classes by hand. Combining marks
 * stay with the character before them, and emoji keep their ZWJ joiners, skin tones and variation
 * selectors. Whitespace runs give up their last space to the next chunk.
 *
 * The alternatives tile every string: whitespace goes to the last two, letters to one of the four
 * letter classes, digits and pictographs to theirs, and everything else (punctuation, symbols,
 * marks with nothing before them, lone surrogates) to the one before the whitespace.
 */
const run = (cls: string): string => String.raw`(?:${cls}\p{M}*)+`;
const CHUNK_PATTERN = new RegExp(
  [
    ` ?${run(String.raw`\p{sc=Han}`)}`,
    ` ?${run(String.raw`[\p{sc=Hiragana}ー]`)}`,
    ` ?${run(String.raw`[\p{sc=Katakana}ー]`)}`,
    ` ?${run(String.raw`(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])\p{L}`)}`,
    ` ?${run(String.raw`\p{N}`)}`,
    String.raw` ?\p{Extended_Pictographic}[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{M}\u200D]*`,
    String.raw` ?[^\s\p{L}\p{N}\p{Extended_Pictographic}]+`,
    String.raw`\s+(?!\S)`,
    String.raw`\s+`,
  ].join('|'),
  'gu',
);

function splitChunks(text: string): string[] {
  return text.match(CHUNK_PATTERN) ?? [];
}

// TextEncoder turns each lone surrogate into U+FFFD, so decode(encode(s)) is s with its lone
// surrogates replaced (String.prototype.toWellFormed). ignoreBOM: true keeps a leading U+FEFF in
// the output instead of swallowing it as a byte order mark.
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function chunkToByteIds(chunk: string): number[] {
  return Array.from(utf8Encoder.encode(chunk), (byte) => byte + FIRST_BYTE_ID);
}

/** Replaces every adjacent (a, b) in ids, left to right, by id. Returns ids itself when none occurs. */
function mergePair(ids: readonly number[], a: number, b: number, id: number): readonly number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else {
      out.push(ids[i]!);
    }
  }
  return out.length === ids.length ? ids : out;
}

/**
 * GPT-2's byte → printable character map, which tokenizer.json files use to store byte strings
 * as text: printable Latin-1 bytes stand for themselves, the rest are moved to U+0100 and up.
 */
const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCharCode(printable(b) ? b : next++));
})();

const ENCODE_CACHE_SIZE = 50_000;

export interface EncodeOptions {
  bos?: boolean;
  eos?: boolean;
}

export interface DecodeOptions {
  /** Default true. When false, special tokens appear as their text, e.g. "<|eos|>". */
  skipSpecialTokens?: boolean;
}

/** The parts of Hugging Face's tokenizer.json that a byte-level BPE uses. */
export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: {
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }[];
  normalizer: null;
  pre_tokenizer: ByteLevelJson;
  post_processor: null;
  decoder: ByteLevelJson;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    vocab: Record<string, number>;
    merges: string[];
  };
}

interface ByteLevelJson {
  type: 'ByteLevel';
  add_prefix_space: boolean;
  trim_offsets: boolean;
  use_regex: boolean;
}

const BYTE_LEVEL: ByteLevelJson = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };

/**
 * Token ids in, text out as soon as it is final: what every token-by-token consumer (the decode
 * driver's streaming, the server's stream, the attention view) reads instead of decoding ids one
 * by one, which would cut multi-byte characters in half.
 */
export interface TextStream {
  /** Adds a token; returns the text it completes ('' while a character is still incomplete). */
  push(id: number): string;
  /** The end of the stream: a character cut short comes out as U+FFFD, as decode() gives it. */
  flush(): string;
}

/**
 * Our tokenizer's TextStream: token bytes through one streaming TextDecoder, which holds exactly
 * the bytes of an incomplete character and turns invalid ones into U+FFFD at once, so the pieces
 * concatenate to decode(ids).
 */
class Utf8TokenStream implements TextStream {
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(
    private readonly tok: Tokenizer,
    private readonly skipSpecial: boolean,
  ) {}

  push(id: number): string {
    if (id >= FIRST_BYTE_ID) return this.utf8.decode(this.tok.bytesOf(id), { stream: true });
    // A special token ends any character in progress, as in decode().
    return this.skipSpecial ? '' : this.utf8.decode() + SPECIAL_TOKENS[id]!;
  }

  flush(): string {
    return this.utf8.decode();
  }
}

export class Tokenizer {
  readonly bos = 0;
  readonly eos = 1;
  readonly pad = 2;
  readonly vocabSize: number;
  /** merges[i] = [a, b] means tokens a and b together became token FIRST_MERGE_ID + i. */
  readonly merges: readonly (readonly [number, number])[];
  private readonly mergedId = new Map<number, number>();
  private readonly tokenBytes: Uint8Array[] = [];
  /** Chunks repeat a lot in natural text; Map order lets us evict the oldest entry first. */
  private readonly cache = new Map<string, readonly number[]>();

  /** Each merge must combine two earlier non-special tokens; trainBpe and fromJSON guarantee it. */
  constructor(merges: readonly (readonly [number, number])[]) {
    this.merges = merges;
    this.vocabSize = FIRST_MERGE_ID + merges.length;
    for (let id = 0; id < FIRST_BYTE_ID; id++) this.tokenBytes.push(new Uint8Array(0));
    for (let byte = 0; byte < 256; byte++) this.tokenBytes.push(Uint8Array.of(byte));
    merges.forEach(([a, b], i) => {
      const id = FIRST_MERGE_ID + i;
      this.mergedId.set(pairKey(a, b), id);
      const bytes = new Uint8Array(this.tokenBytes[a]!.length + this.tokenBytes[b]!.length);
      bytes.set(this.tokenBytes[a]!);
      bytes.set(this.tokenBytes[b]!, this.tokenBytes[a]!.length);
      this.tokenBytes.push(bytes);
    });
  }

  /**
   * Special tokens come only from opts: text that spells "<|eos|>" is encoded as ordinary bytes,
   * so data cannot inject a special token.
   */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const ids: number[] = opts.bos ? [this.bos] : [];
    for (const chunk of splitChunks(text)) {
      for (const id of this.encodeChunk(chunk)) ids.push(id);
    }
    if (opts.eos) ids.push(this.eos);
    return ids;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const skipSpecial = opts.skipSpecialTokens ?? true;
    let text = '';
    let bytes: number[] = [];
    for (const id of ids) {
      const tokenBytes = this.bytesOf(id);
      if (id >= FIRST_BYTE_ID) {
        for (const byte of tokenBytes) bytes.push(byte);
      } else if (!skipSpecial) {
        text += utf8Decoder.decode(Uint8Array.from(bytes)) + SPECIAL_TOKENS[id]!;
        bytes = [];
      }
    }
    return text + utf8Decoder.decode(Uint8Array.from(bytes));
  }

  /**
   * Each token's text, for display: a character whose bytes span tokens is shown whole on the token
   * that completes it (the tokens before show ''), so no piece holds U+FFFD for half a character.
   * Joined, the pieces are decode(ids, { skipSpecialTokens: false }).
   */
  pieces(ids: readonly number[]): string[] {
    const stream = this.textStream({ skipSpecialTokens: false });
    const out = ids.map((id) => stream.push(id));
    if (out.length > 0) out[out.length - 1] += stream.flush();
    return out;
  }

  /** Incremental decoding (see TextStream); special tokens are skipped unless asked for, as in decode(). */
  textStream(opts: DecodeOptions = {}): TextStream {
    return new Utf8TokenStream(this, opts.skipSpecialTokens ?? true);
  }

  /**
   * The text a single token stands for. A token can hold part of a multi-byte character; the
   * missing bytes show as U+FFFD (pieces() shows a sequence of tokens without splitting characters).
   */
  tokenToString(id: number): string {
    const bytes = this.bytesOf(id);
    return id < FIRST_BYTE_ID ? SPECIAL_TOKENS[id]! : utf8Decoder.decode(bytes);
  }

  /**
   * Hugging Face tokenizer.json. The pre-tokenizer is ByteLevel without a regex: our chunk split
   * has no exact equivalent in the Oniguruma syntax HF uses, so a HF tokenizer loaded from this
   * file treats each text as one chunk and may merge across our chunk boundaries. Its decoding is
   * identical; fromJSON always uses our split.
   */
  toJSON(): TokenizerJson {
    const strings = this.tokenBytes.map((bytes, id) =>
      id < FIRST_BYTE_ID ? SPECIAL_TOKENS[id]! : Array.from(bytes, (b) => BYTE_TO_CHAR[b]!).join(''),
    );
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: SPECIAL_TOKENS.map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: null,
      pre_tokenizer: { ...BYTE_LEVEL },
      post_processor: null,
      decoder: { ...BYTE_LEVEL },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        // fromEntries, not assignment: a token string could be "__proto__".
        vocab: Object.fromEntries(strings.map((s, id) => [s, id])),
        merges: this.merges.map(([a, b]) => `${strings[a]} ${strings[b]}`),
      },
    };
  }

  /**
   * Accepts only the layout toJSON writes (specials, then bytes, then merges in id order), since
   * our ids depend on it. `source` prefixes error messages, e.g. a file path.
   */
  static fromJSON(json: unknown, source = 'tokenizer.json'): Tokenizer {
    const fail = (field: string, problem: string): never => {
      throw new UserError(`${source}: ${field} ${problem}`);
    };
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

    if (!isObject(json)) return fail('(root)', 'must be a JSON object');
    const added = json.added_tokens;
    if (!Array.isArray(added)) return fail('added_tokens', 'must be an array');
    SPECIAL_TOKENS.forEach((content, id) => {
      if (!added.some((t) => isObject(t) && t.id === id && t.content === content)) {
        fail('added_tokens', `must contain {"id": ${id}, "content": "${content}"}`);
      }
    });

    const model = json.model;
    if (!isObject(model)) return fail('model', 'must be an object');
    if (model.type !== 'BPE') fail('model.type', `must be "BPE", got ${JSON.stringify(model.type)}`);
    const vocab = model.vocab;
    if (!isObject(vocab)) return fail('model.vocab', 'must be an object mapping token strings to ids');
    const merges = model.merges;
    if (!Array.isArray(merges)) return fail('model.merges', 'must be an array');

    const idOf = new Map<string, number>();
    const stringOf: string[] = [];
    const size = Object.keys(vocab).length;
    for (const [token, id] of Object.entries(vocab)) {
      if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= size) {
        fail(`model.vocab[${JSON.stringify(token)}]`, `must be an integer id in 0..${size - 1}, got ${JSON.stringify(id)}`);
      }
      if (stringOf[id as number] !== undefined) fail(`model.vocab[${JSON.stringify(token)}]`, `reuses id ${id as number}`);
      idOf.set(token, id as number);
      stringOf[id as number] = token;
    }
    SPECIAL_TOKENS.forEach((content, id) => {
      if (stringOf[id] !== content) fail('model.vocab', `must map "${content}" to id ${id}`);
    });
    BYTE_TO_CHAR.forEach((char, byte) => {
      if (stringOf[FIRST_BYTE_ID + byte] !== char) fail('model.vocab', `must map byte 0x${byte.toString(16)} ("${char}") to id ${FIRST_BYTE_ID + byte}`);
    });
    if (merges.length !== size - FIRST_MERGE_ID) {
      fail('model.merges', `has ${merges.length} entries but model.vocab has ${size - FIRST_MERGE_ID} merged tokens`);
    }

    // Newer HF files store merges as ["a", "b"] pairs instead of "a b" strings; take both.
    const pairs = merges.map((merge: unknown, i): [number, number] => {
      const field = `model.merges[${i}]`;
      const parts = typeof merge === 'string' ? merge.split(' ') : merge;
      if (!Array.isArray(parts) || parts.length !== 2 || !parts.every((p) => typeof p === 'string')) {
        return fail(field, `must be "left right" or ["left", "right"], got ${JSON.stringify(merge)}`);
      }
      const [left, right] = parts as [string, string];
      const id = FIRST_MERGE_ID + i;
      const partId = (part: string): number => {
        const found = idOf.get(part);
        if (found === undefined || found < FIRST_BYTE_ID || found >= id) {
          return fail(field, `part ${JSON.stringify(part)} must be a byte or earlier merged token in model.vocab`);
        }
        return found;
      };
      const [a, b] = [partId(left), partId(right)];
      if (stringOf[id] !== left + right) fail(field, `must produce model.vocab entry ${id}, which is ${JSON.stringify(stringOf[id])}`);
      return [a, b];
    });
    return new Tokenizer(pairs);
  }

  static async load(path: string): Promise<Tokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new UserError(`${path}: cannot read tokenizer: ${(err as Error).message}`);
    }
    return Tokenizer.fromJSON(json, path);
  }

  async save(path: string): Promise<void> {
    await writeFile(path, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
  }

  /** The UTF-8 bytes a token stands for: what maps tokens back onto spans of the text. */
  bytesOf(id: number): Uint8Array {
    const bytes = this.tokenBytes[id];
    if (bytes === undefined) throw new RangeError(`token id ${id} is outside the vocabulary 0..${this.vocabSize - 1}`);
    return bytes;
  }

  /**
   * Apply the earliest-learned merge present, repeat until none applies: this replays training's
   * merge order, so text like the training data splits the way training split it.
   */
  private encodeChunk(chunk: string): readonly number[] {
    const cached = this.cache.get(chunk);
    if (cached) return cached;
    let ids: readonly number[] = chunkToByteIds(chunk);
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const id = this.mergedId.get(pairKey(ids[i]!, ids[i + 1]!));
        if (id !== undefined && id < best) best = id;
      }
      if (best === Infinity) break;
      const [a, b] = this.merges[best - FIRST_MERGE_ID]!;
      ids = mergePair(ids, a, b, best);
    }
    if (this.cache.size >= ENCODE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(chunk, ids);
    return ids;
  }
}

export interface TrainOptions {
  /** Stop early once the most frequent pair occurs fewer times than this. Default 2: a pair seen once only memorizes. */
  minFrequency?: number;
  /** Called after each merge with the number of merges so far. */
  onProgress?: (merges: number) => void;
}

/**
 * Learns merges until the vocabulary has vocabSize tokens (fewer if pairs run out).
 *
 * Texts are reduced to unique chunks with counts, so a chunk seen 10,000 times costs one word.
 * Then, per merge, only the words containing the merged pair change: we subtract their old pair
 * counts, merge, and add their new pair counts, accumulating the net change per pair. A max-heap
 * gives the most frequent pair; instead of updating entries in place we push a new entry whenever
 * a count rises, and drop or re-push entries that turn out stale when popped.
 */
export function trainBpe(texts: Iterable<string>, vocabSize: number, opts: TrainOptions = {}): Tokenizer {
  const minFrequency = opts.minFrequency ?? 2;
  if (!Number.isInteger(vocabSize) || vocabSize < FIRST_MERGE_ID || vocabSize > PAIR_BASE) {
    throw new RangeError(`vocabSize must be an integer in ${FIRST_MERGE_ID}..${PAIR_BASE}, got ${vocabSize}`);
  }

  const chunkCounts = new Map<string, number>();
  for (const text of texts) {
    for (const chunk of splitChunks(text)) chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
  }
  const words: (readonly number[])[] = [];
  const freqs: number[] = [];
  for (const [chunk, count] of chunkCounts) {
    words.push(chunkToByteIds(chunk));
    freqs.push(count);
  }

  const pairCounts = new Map<number, number>();
  // May still list a word that has since lost the pair; merging then leaves that word unchanged.
  const wordsWithPair = new Map<number, Set<number>>();
  const addPairs = (counts: Map<number, number>, word: readonly number[], freq: number, w: number, onlyWith?: number) => {
    for (let i = 0; i + 1 < word.length; i++) {
      const a = word[i]!;
      const b = word[i + 1]!;
      const key = pairKey(a, b);
      counts.set(key, (counts.get(key) ?? 0) + freq);
      if (freq > 0 && (onlyWith === undefined || a === onlyWith || b === onlyWith)) {
        let set = wordsWithPair.get(key);
        if (!set) wordsWithPair.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((word, w) => addPairs(pairCounts, word, freqs[w]!, w));

  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);
  const popMostFrequent = (): { key: number; count: number } | undefined => {
    for (let top = heap.pop(); top; top = heap.pop()) {
      const current = pairCounts.get(top.key) ?? 0;
      if (current === top.count) return top;
      if (current > 0) heap.push(current, top.key);
    }
    return undefined;
  };

  const merges: [number, number][] = [];
  while (FIRST_MERGE_ID + merges.length < vocabSize) {
    const best = popMostFrequent();
    if (!best || best.count < minFrequency) break;
    const a = Math.floor(best.key / PAIR_BASE);
    const b = best.key % PAIR_BASE;
    const id = FIRST_MERGE_ID + merges.length;
    merges.push([a, b]);

    const delta = new Map<number, number>();
    for (const w of wordsWithPair.get(best.key)!) {
      const merged = mergePair(words[w]!, a, b, id);
      if (merged === words[w]) continue;
      addPairs(delta, words[w]!, -freqs[w]!, w);
      addPairs(delta, merged, freqs[w]!, w, id);
      words[w] = merged;
    }
    wordsWithPair.delete(best.key);
    for (const [key, change] of delta) {
      const count = (pairCounts.get(key) ?? 0) + change;
      if (count > 0) pairCounts.set(key, count);
      else pairCounts.delete(key);
      if (change > 0) heap.push(count, key);
    }
    opts.onProgress?.(merges.length);
  }
  return new Tokenizer(merges);
}

/** Max-heap of (count, pair key). Ties go to the smaller key, so training is deterministic. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.keys.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } | undefined {
    if (this.keys.length === 0) return undefined;
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    this.swap(0, this.keys.length - 1);
    this.counts.pop();
    this.keys.pop();
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < this.keys.length && this.above(left, first)) first = left;
      if (right < this.keys.length && this.above(right, first)) first = right;
      if (first === i) break;
      this.swap(i, first);
      i = first;
    }
    return top;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
}
