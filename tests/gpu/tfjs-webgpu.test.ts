/**
 * The bench's framework reference: scratch@tiny on @tensorflow/tfjs-backend-webgpu (bench/tfjs-webgpu.ts)
 * against engine=webgpu on the same adapter and the tfjs engine on wasm. Bound: logits ≤ 1e-4
 * absolute between any two of them at every forward of a greedy run (prefill and each step, all
 * fp32; ~1e-7 measured on lavapipe, and flipping the bias on tiny moves them by 1.4e-3), and the
 * greedy tokens identical (32 of them alone; a left-padded batch with the bias off
 * checks the framework path's padding mask).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { agreement, recording, tfjsWebgpuEngine, tfjsWeights, useTfjsWebgpu, type TfjsWebgpu } from '../../bench/tfjs-webgpu.js';
import { GpuScratchEngine } from '../../src/gpu/engine.js';
import { tiny } from '../../src/scratch/config.js';
import { Decoder, tfjsEngine } from '../../src/scratch/decode.js';
import { generate, scratchTokens, type DecodeEngine } from '../../src/scratch/generate.js';
import { Tokenizer } from '../../src/scratch/tokenizer.js';
import { mapWeights, type Weights } from '../../src/scratch/weights.js';
import { tinyModel } from '../scratch/helpers.js';
import { skipGpu } from './helpers.js';

const BOUND = 1e-4;
const tok = scratchTokens(new Tokenizer([]));

async function run(engine: DecodeEngine, prompts: string[], maxNewTokens: number) {
  const logits: Float32Array[] = [];
  const gens = await generate(recording(engine, logits), tok, prompts, { maxNewTokens, temperature: 0, ignoreEos: true });
  return { ids: gens.map((g) => g.ids), logits };
}

describe('tfjs-backend-webgpu beside engine=webgpu (bench reference)', { skip: skipGpu }, () => {
  let weights: Weights<Float32Array>;
  const wasm = new Map<string, Awaited<ReturnType<typeof run>>>();
  let ours: GpuScratchEngine;
  let tfjs: TfjsWebgpu;
  const cases = [
    { name: 'one prompt, bias on', prompts: ['Dear diary, today'], bias: true, tokens: 32 },
    { name: 'left-padded batch of two, bias off', prompts: ['I am so', 'What a wonderful morning'], bias: false, tokens: 12 },
  ];

  before(async () => {
    // The wasm reference first: tensors never move between tfjs backends here (the webgpu backend
    // reads synchronously only through OffscreenCanvas, which Node lacks).
    const m = await tinyModel();
    weights = mapWeights(m.weights, (_n, v) => v.dataSync() as Float32Array);
    for (const c of cases) wasm.set(c.name, await run(tfjsEngine(new Decoder(m.weights, tiny, { bias: c.bias }), 'fp32'), c.prompts, c.tokens));
    m.dispose();
    tfjs = await useTfjsWebgpu();
  });
  after(() => {
    ours?.dispose();
    tfjs?.close();
  });

  for (const c of cases) {
    test(`${c.name}: logits within ${BOUND} and ${c.tokens} greedy tokens identical`, async () => {
      ours?.dispose();
      ours = await GpuScratchEngine.create(tiny, weights, new Tokenizer([]), { kv: 'fp32', bias: c.bias, weights: 'fp32' });
      const w = tfjsWeights(tiny, weights);
      const framework = await run(tfjsWebgpuEngine(w, tiny, c.bias), c.prompts, c.tokens);
      mapWeights(w, (_n, t) => t.dispose());
      const mine = await run(ours.model.engine('fp32'), c.prompts, c.tokens);
      const reference = wasm.get(c.name)!;
      assert.equal(framework.ids[0]!.length, c.tokens);
      for (const [label, a, b] of [
        ['ours vs tfjs-webgpu', mine, framework],
        ['tfjs-webgpu vs tfjs-wasm', framework, reference],
        ['ours vs tfjs-wasm', mine, reference],
      ] as const) {
        const agree = agreement(a, b);
        assert.equal(agree.firstDifference, -1, `${label}: greedy tokens differ at ${agree.firstDifference}`);
        assert.equal(agree.compared, c.tokens, label);
        assert.ok(agree.maxAbs <= BOUND, `${label}: max |Δ logit| ${agree.maxAbs}`);
      }
      assert.deepEqual(tfjs.adapter, ours.info().engine.adapter, 'the same adapter');
    });
  }
});
