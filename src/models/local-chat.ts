/**
 * The chat adapter every local generative engine shares (scratch on tfjs, onnxruntime or WebGPU;
 * onnx: causal LMs): a chat request becomes a prompt, the prompt a generation through the decode
 * driver (src/scratch/generate.ts), the generation a ChatResult with usage counts, time to first
 * token and the finish reason.
 */
import type { GenerateOptions, Generation, TokenEvent } from '../scratch/generate.js';
import type { ChatMessage } from '../prompts/render.js';
import type { ChatResult, Sampling } from './types.js';

/** A local model that generates: prompts in, generations out, tokens streamed as they settle. */
export interface Generator {
  generateBatch(prompts: readonly string[], opts: GenerateOptions, onToken?: (e: TokenEvent) => void): Promise<Generation[]>;
}

/** The local models' chat template: turns in order, then the cue for the answer. */
export function chatPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => m.content.trim()).join('\n\n')}\nAnswer:`;
}

/** A request's sampling as decode options; local models default to greedy, 16 tokens, seed 0. */
export function generateOptions(s: Sampling): GenerateOptions {
  return { temperature: s.temperature ?? 0, ...(s.top_p !== undefined ? { topP: s.top_p } : {}), maxNewTokens: s.max_tokens ?? 16, ...(s.stop ? { stop: s.stop } : {}), seed: s.seed ?? 0 };
}

/** One prompt completed by a local model; `onToken` receives each piece of settled text. */
export async function completeLocally(model: Generator, prompt: string, sampling: Sampling, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult> {
  const t0 = performance.now();
  let ttft: number | undefined;
  const [gen] = await model.generateBatch([prompt], generateOptions(sampling), (e) => {
    // Throwing out of the token callback is how a cancelled request stops generating.
    if (signal?.aborted) throw new Error('cancelled');
    if (e.text !== '' && ttft === undefined) ttft = performance.now() - t0;
    if (e.text !== '') onToken?.(e.text);
  });
  return {
    text: gen!.text,
    usage: { prompt_tokens: gen!.promptIds.length, completion_tokens: gen!.ids.length, source: 'server' },
    ...(ttft !== undefined ? { ttft_ms: ttft } : {}),
    e2e_ms: performance.now() - t0,
    cached: false,
    attempts: 1,
    finish_reason: gen!.finishReason === 'length' ? 'length' : 'stop',
  };
}
