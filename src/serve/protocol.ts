import { z } from 'zod';

/**
 * The OpenAI request bodies emobench serve accepts, validated so a bad request gets a 400 naming the
 * parameter, as OpenAI's API does.
 */
export interface ServeLimits {
  maxTokens: number;
  maxN: number;
}

const sampling = (limits: ServeLimits) => ({
  model: z.string().min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.number().int().min(1).max(limits.maxN).optional(),
  max_tokens: z.number().int().min(1).max(limits.maxTokens).nullish(),
  max_completion_tokens: z.number().int().min(1).max(limits.maxTokens).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  user: z.string().optional(),
});

/** A message's content: a string, or OpenAI's array of text parts (joined; other part types are refused). */
const messageContent = z
  .union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() })).min(1)])
  .transform((c) => (typeof c === 'string' ? c : c.map((part) => part.text).join('\n')));

export function chatRequestSchema(limits: ServeLimits) {
  return z.object({
    ...sampling(limits),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant', 'developer']), content: messageContent }))
      .min(1),
  });
}

export function completionRequestSchema(limits: ServeLimits) {
  return z.object({ ...sampling(limits), prompt: z.string() });
}

export type ChatBody = z.infer<ReturnType<typeof chatRequestSchema>>;
export type CompletionBody = z.infer<ReturnType<typeof completionRequestSchema>>;

/** OpenAI's error body shape. */
export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}
