import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { streamSamples } from '../results/read-samples.js';
import { boardSlug, LeaderboardFileSchema } from './boards.js';
import { leaderboardFile } from './publish.js';
import { Site, type Page } from './site.js';
import type { Links } from './pages.js';

/**
 * `emobench view`: a read-only web server over results folders. node:http is enough for five GET
 * routes; a routing library would not earn its place. Runs are addressed by catalog id only — a
 * request never names a file path — so nothing outside the results folders can be read.
 */

export const SERVER_LINKS: Links = {
  index: '/',
  run: (id) => `/run/${encodeURIComponent(id)}`,
  board: (k) => `/board/${encodeURIComponent(boardSlug(k))}`,
  compare: (a, b) => `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
  comparePicker: true,
};

export interface ViewOptions {
  roots: readonly string[];
  host: string;
  port: number;
  alpha?: number;
  log?: (line: string) => void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const isLoopback = (host: string) => LOOPBACK_HOSTS.has(host) || host.startsWith('127.');

/** The Host header's name part ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
function hostName(h: string | undefined): string {
  if (!h) return '';
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]!;
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'" });
  res.end(head ? undefined : body);
}

const sendPage = (res: ServerResponse, p: Page, head: boolean) => send(res, p.status, 'text/html; charset=utf-8', p.html, head);

async function route(site: Site, req: IncomingMessage, res: ServerResponse, boundLoopback: boolean): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  // A page on another site could reach a loopback server through DNS rebinding; its Host header gives it away.
  if (boundLoopback && !isLoopback(hostName(req.headers.host))) {
    send(res, 400, 'text/plain; charset=utf-8', 'emobench view answers only to localhost\n', head);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://view.invalid');
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    sendPage(res, site.bad('Malformed URL.'), head);
    return;
  }
  const [first, ...rest] = parts;
  if (first === undefined) return sendPage(res, site.index(), head);
  if (first === 'run' && rest.length >= 1) return sendPage(res, await site.run(rest.join('/')), head);
  if (first === 'board' && rest.length === 1) return sendPage(res, await site.board(rest[0]!), head);
  if (first === 'compare' && rest.length === 0) {
    const a = url.searchParams.get('a');
    const b = url.searchParams.get('b');
    if (!a || !b) return sendPage(res, site.bad('Name two runs: /compare?a=<run>&b=<run>.'), head);
    return sendPage(res, await site.compare(a, b), head);
  }
  if (first === 'api' && rest[0] === 'runs' && rest.length === 1) {
    const cat = site.catalog();
    const strip = <T extends { dir: string }>({ dir: _dir, ...x }: T) => x;
    return send(res, 200, 'application/json', JSON.stringify({ runs: cat.runs.map(strip), unreadable: cat.unreadable.map(strip) }), head);
  }
  if (first === 'api' && rest[0] === 'runs' && rest.at(-1) === 'samples' && rest.length >= 3) {
    const entry = site.catalog().byId.get(rest.slice(1, -1).join('/'));
    if (!entry || entry.kind !== 'eval') return send(res, 404, 'application/json', '{"error":"no such eval run"}', head);
    const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
    // Streamed from disk and cut to one page: a 100k-sample run is never held whole.
    const page = [];
    let i = 0;
    for await (const s of streamSamples(join(entry.dir, 'samples.jsonl'))) {
      if (i++ < offset) continue;
      if (page.length === limit) break;
      page.push(s);
    }
    return send(res, 200, 'application/json', JSON.stringify({ offset, limit, samples: page }), head);
  }
  if (first === 'leaderboard.json' && rest.length === 0) {
    const file = await leaderboardFile(site);
    LeaderboardFileSchema.parse(file);
    return send(res, 200, 'application/json', JSON.stringify(file, null, 2), head);
  }
  sendPage(res, site.notFound(`Nothing at ${url.pathname}.`), head);
}

/** Starts the server; resolves once it listens, with its URL. */
export async function startView(o: ViewOptions): Promise<{ server: Server; url: string }> {
  const site = new Site(o.roots, SERVER_LINKS, o.alpha ?? 0.05);
  const boundLoopback = isLoopback(o.host);
  const server = createServer((req, res) => {
    route(site, req, res, boundLoopback).catch((e: unknown) => {
      o.log?.(`emobench view: ${req.url}: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) send(res, 500, 'text/html; charset=utf-8', site.bad(`Cannot render this page: ${(e as Error)?.message ?? String(e)}`).html, false);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { server, url: `http://${shown}:${port}/` };
}
