import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the mock endpoint does with one chat request. */
export interface MockReply {
  /** Streamed answer text (default: the label word found in the prompt's text). */
  text?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer with this HTTP status and body instead of a stream. */
  status?: number;
  body?: string;
  /** Stream chunks of this text forever (until the client hangs up), as fast as it reads or one per dripMs. */
  endless?: string;
  dripMs?: number;
}

export interface MockRequest {
  n: number;
  body: { messages?: { role: string; content: string }[]; [k: string]: unknown };
  headers: IncomingMessage['headers'];
}

export interface MockOpenAI {
  url: string;
  /** Requests received so far. */
  requests: number;
  /** Bytes of streamed answer text sent so far. */
  sentBytes: number;
  close: () => Promise<void>;
}

const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];

/** The label named in the prompt's "Text:" line: a perfect classifier for texts that name their label. */
export function labelInPrompt(req: MockRequest): string {
  const user = req.body.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const text = /Text: (.*)/.exec(user)?.[1] ?? '';
  return LABELS.find((l) => text.includes(l)) ?? 'neutral';
}

/**
 * A minimal OpenAI-compatible chat endpoint on a loopback port, streaming SSE like the real API, whose
 * every answer the test decides: for fault and hostile-server tests that need no model behind them.
 */
export async function startMockOpenAI(reply: (req: MockRequest) => MockReply = () => ({})): Promise<MockOpenAI> {
  const state: MockOpenAI = { url: '', requests: 0, sentBytes: 0, close: async () => undefined };
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: MockRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MockRequest['body'];
      } catch {
        // A GET (models list) has no body.
      }
      const r: MockRequest = { n: state.requests++, body, headers: req.headers };
      const plan = reply(r);
      later(plan.delayMs ?? 0, () => {
        if (res.destroyed) return;
        if (plan.status !== undefined) {
          res.writeHead(plan.status, { 'content-type': 'application/json' });
          res.end(plan.body ?? '{}');
          return;
        }
        const event = (delta: Record<string, unknown>, finish: string | null = null) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(event({ role: 'assistant', content: '' }));
        if (plan.endless !== undefined) {
          const piece = event({ content: plan.endless });
          const pump = () => {
            if (res.destroyed) return;
            state.sentBytes += plan.endless!.length;
            if (plan.dripMs !== undefined) {
              res.write(piece);
              later(plan.dripMs, pump);
            } else if (res.write(piece)) setImmediate(pump);
            else res.once('drain', pump);
          };
          pump();
          return;
        }
        const text = plan.text ?? labelInPrompt(r);
        state.sentBytes += text.length;
        res.write(event({ content: text }));
        res.write(event({}, 'stop'));
        res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** A CSV whose test texts each name their label (so a perfect answer is known), plus a train split. */
export function labelledCsv(testRows: number, trainRows = 5): string {
  const lines = ['id,text,label,lang,split'];
  for (let i = 0; i < testRows; i++) lines.push(`t${String(i).padStart(4, '0')},today I feel ${LABELS[i % 5]} number ${i},${LABELS[i % 5]},${i % 2 ? 'en' : 'ja'},test`);
  for (let i = 0; i < trainRows; i++) lines.push(`r${i},a train text about ${LABELS[i % 5]},${LABELS[i % 5]},en,train`);
  return `${lines.join('\n')}\n`;
}
