import { UserError } from '../errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptTemplate {
  system?: string;
  user: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/** Fill `{{name}}` placeholders; an unknown name is a suite error, not an empty string in a prompt. */
export function fill(template: string, vars: Readonly<Record<string, string>>, context = 'prompt'): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new UserError(`${context}: unknown placeholder {{${name}}} (known: ${Object.keys(vars).join(', ')})`);
    return v;
  });
}

/** The chat messages for one row: system (if any) then the user turn. */
export function renderChat(t: PromptTemplate, vars: Readonly<Record<string, string>>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (t.system) messages.push({ role: 'system', content: fill(t.system, vars, 'prompt.system') });
  messages.push({ role: 'user', content: fill(t.user, vars, 'prompt.user') });
  return messages;
}
