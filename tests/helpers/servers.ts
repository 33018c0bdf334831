import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface RunningServe {
  url: string;
  port: number;
  proc: ChildProcess;
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts the real `emobench serve` on a free loopback port and waits until it listens. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServe> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 120_000);
    const check = () => {
      const m = /on http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stderr!.on('data', check);
    void exited.then((c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    proc,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/** What the proxy does to the n-th request (0-based) it sees. */
export type Fault = 'pass' | 'http429' | 'http500' | 'stall' | 'drop' | 'malformed' | 'cut-stream' | 'http400';

export interface FaultProxy {
  url: string;
  /** Faults injected, by kind. */
  injected: Record<string, number>;
  requests: number;
  close: () => Promise<void>;
}

/**
 * A real HTTP proxy between emobench and a real server that injects the failures production APIs
 * produce. `plan(n, body)` picks the fault for request n (bodies let a test fail one sample always);
 * `rawBody(n)`, when given, replaces every answer with that text.
 */
export async function startFaultProxy(upstream: string, plan: (n: number, body: string) => Fault, rawBody?: (n: number) => string): Promise<FaultProxy> {
  const up = new URL(upstream);
  const state: FaultProxy = { url: '', injected: {}, requests: 0, close: async () => undefined };
  const stalled: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = state.requests++;
      if (rawBody) {
        // Answer with arbitrary bytes as a 200 event stream: what a broken server might send.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return res.end(rawBody(n));
      }
      const fault = plan(n, body);
      if (fault !== 'pass') state.injected[fault] = (state.injected[fault] ?? 0) + 1;
      switch (fault) {
        case 'http429':
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.05' });
          return res.end(JSON.stringify({ error: { message: 'rate limited', type: 'rate_limit_error' } }));
        case 'http500':
          res.writeHead(500, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }));
        case 'http400':
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: 'this input is refused', type: 'invalid_request_error' } }));
        case 'stall':
          stalled.push(res); // never answers; the client's timeout must fire
          return;
        case 'drop':
          return req.socket.destroy();
        case 'malformed':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return res.end('data: {"id":"x","choices":[{"index":0,"delta":{"content":"jo\n\ndata: [DONE]\n\n');
      }
      const fwd = request(
        { host: up.hostname, port: up.port, path: `${up.pathname.replace(/\/$/, '')}${req.url!.replace(/^\/v1/, '')}`, method: req.method, headers: { ...req.headers, host: up.host } },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (fault === 'cut-stream') {
            // Forward the first chunk only, then cut the connection mid-stream.
            upRes.once('data', (c: Buffer) => {
              res.write(c);
              setTimeout(() => res.socket?.destroy(), 5);
            });
            return;
          }
          upRes.pipe(res);
        },
      );
      fwd.on('error', () => res.destroy());
      fwd.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = async () => {
    for (const r of stalled) r.socket?.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
