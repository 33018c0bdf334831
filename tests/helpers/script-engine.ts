import type { DecodeEngine } from '../../src/scratch/generate.js';

/** Japanese, emoji with a skin tone, an accent: characters of 2, 3 and 4 UTF-8 bytes, some joined. */
export const MULTIBYTE_TEXT = '今日はとても嬉しい😀、café で 👍🏽 ありがとう！';

/**
 * A decode engine that answers every row with the tokens of `script`, then EOS: each forward puts
 * all the probability on the next scripted id. It tests what lies above the engine (the driver,
 * streaming, the chat adapter, the server) on a known token sequence; random-weight models emit
 * arbitrary bytes, mostly invalid UTF-8, so they cannot be steered to whole multi-byte characters.
 */
export function scriptedEngine(script: readonly number[], o: { vocab: number; eos: number; maxSeq?: number }): DecodeEngine {
  return {
    maxSeq: o.maxSeq ?? 4096,
    open(batch) {
      let at = 0;
      const forward = () => {
        const logits = new Float32Array(batch * o.vocab).fill(-10);
        for (let b = 0; b < batch; b++) logits[b * o.vocab + (script[at] ?? o.eos)] = 10;
        at++;
        return { logits };
      };
      return { prefill: forward, step: forward };
    },
  };
}
