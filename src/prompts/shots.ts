import type { Row } from '../datasets/types.js';
import { mulberry32 } from '../util/rng.js';
import { renderChat, type ChatMessage, type PromptTemplate } from './render.js';

/**
 * The messages for one row: the system prompt (or its chain-of-thought variant), then k worked
 * examples from the train split — preferring the row's own kind and language — as user/assistant
 * turns, then the question. Examples are picked by a seed and the row id, so reruns send the same.
 */
export function promptBuilder(t: PromptTemplate & { cot_system?: string; shots: number }, train: readonly Row[], o: { labels: readonly string[]; shots?: number; cot: boolean; seed: number }) {
  const k = o.shots ?? t.shots;
  const template = { ...t, system: o.cot ? (t.cot_system ?? t.system) : t.system };
  const vars = (r: Row) => ({ text: r.text, labels: o.labels.join(', ') });
  return (row: Row): ChatMessage[] => {
    const messages = renderChat(template, vars(row));
    if (k === 0 || train.length === 0) return messages;
    const pool = train.filter((r) => r.kind === row.kind && r.lang === row.lang);
    const from = pool.length >= k ? pool : train;
    const rand = mulberry32(o.seed ^ hashId(row.id));
    const picked = new Set<number>();
    while (picked.size < Math.min(k, from.length)) picked.add(Math.floor(rand() * from.length));
    const examples = [...picked].flatMap((i) => {
      const ex = from[i]!;
      return [{ role: 'user' as const, content: renderChat({ user: template.user }, vars(ex))[0]!.content }, { role: 'assistant' as const, content: `The answer is ${ex.label}.` }];
    });
    const question = messages.at(-1)!;
    return [...messages.slice(0, -1), ...examples, question];
  };
}

function hashId(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
