import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { boardKeys, boardSlug, buildBoard, LeaderboardFileSchema, type Board, type LeaderboardFile } from './boards.js';
import type { Catalog } from './catalog.js';
import type { Links } from './pages.js';
import { Site } from './site.js';

/**
 * `emobench publish`: the pages of `emobench view` as a static site — flat files with relative links,
 * so it works from disk and from any static host — plus the leaderboards as markdown, CSV and JSON.
 */

const SITE_MARKER = '.emobench-site';

const slug = (id: string) => `${id.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60)}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;

export const SITE_LINKS: Links = {
  index: 'index.html',
  run: (id) => `run-${slug(id)}.html`,
  board: (k) => `board-${boardSlug(k)}.html`,
  compare: (a, b) => `compare-${slug(a)}--${slug(b)}.html`,
  comparePicker: false,
};

/** Every board, newest run per model: the content of leaderboard.json. */
export async function leaderboardFile(site: Site, cat: Catalog = site.catalog()): Promise<LeaderboardFile> {
  const boards: Board[] = [];
  for (const k of boardKeys(cat)) boards.push(await buildBoard(k, site.alpha));
  return { schema: 'emobench.leaderboard/1', generated_at: new Date().toISOString(), alpha: site.alpha, boards };
}

/** Markdown table cells: pipes would split the cell and raw HTML would render on GitHub. */
const mdCell = (s: string) => s.replace(/[&<>|]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '|': '\\|' })[c]!);
const fmt = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(1));
const ci = (e: Board['rows'][number]['accuracy']) => (e.value === null ? '—' : e.lo === null || e.lo === e.hi ? fmt(e.value) : `${fmt(e.value)} [${fmt(e.lo)}–${fmt(e.hi)}]`);

export function leaderboardMarkdownOf(file: LeaderboardFile): string {
  const out: string[] = [];
  for (const b of file.boards) {
    out.push(`### ${mdCell(b.suite)} · ${mdCell(b.dataset.name)} (\`${b.dataset.sha256.slice(0, 12)}\`)`, '');
    out.push('| model | accuracy % [95% CI] | macro-F1 % [95% CI] | n | vs leader | run |', '| --- | ---: | ---: | ---: | --- | --- |');
    for (const r of b.rows) {
      const vs = r.leader ? 'leader' : r.tied ? 'tied' : 'behind';
      out.push(`| ${mdCell(r.model)} | ${ci(r.accuracy)} | ${ci(r.macro_f1)} | ${r.n} | ${vs} | ${mdCell(r.run)}${r.complete ? '' : ' (incomplete)'} |`);
    }
    out.push('');
  }
  if (file.boards.length === 0) out.push('No scored runs.', '');
  out.push(`Intervals: Wilson (accuracy), bootstrap (macro-F1). Tied: exact McNemar against the leader on shared samples, Holm-corrected, α = ${file.alpha}.`);
  return `${out.join('\n')}\n`;
}

export function leaderboardCsvOf(file: LeaderboardFile): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (x: number | null) => (x === null ? '' : String(x));
  const lines = ['suite,dataset,dataset_sha256,model,n,errors,accuracy,accuracy_lo,accuracy_hi,macro_f1,macro_f1_lo,macro_f1_hi,leader,tied,p_holm,run,date,complete'];
  for (const b of file.boards) {
    for (const r of b.rows) {
      const cells = [b.suite, b.dataset.name, b.dataset.sha256, r.model, String(r.n), String(r.errors), num(r.accuracy.value), num(r.accuracy.lo), num(r.accuracy.hi), num(r.macro_f1.value), num(r.macro_f1.lo), num(r.macro_f1.hi), String(r.leader), String(r.tied), num(r.p_holm), r.run, r.date ?? '', String(r.complete)];
      lines.push(cells.map(q).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface PublishOptions {
  roots: readonly string[];
  out: string;
  /** Pairs of runs (catalog ids or run directories) that get a comparison page: [A, B]. */
  compare: readonly [string, string][];
  alpha?: number;
}

/** A run named by its catalog id or by its directory. */
function resolveRun(cat: Catalog, name: string): string {
  if (cat.byId.has(name)) return name;
  const dir = resolve(name);
  const hit = cat.runs.find((r) => r.dir === dir);
  if (!hit) throw new UserError(`--compare: "${name}" is not a run in ${cat.runs.length === 0 ? 'these results folders (none found)' : `these results folders (ids look like ${cat.runs[0]!.id})`}`);
  return hit.id;
}

function checkOut(out: string): void {
  if (out.trim() === '') throw new UserError('--out: name a folder for the site, e.g. --out site');
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UserError(`--out ${out}: is a file, not a folder`);
  const files = readdirSync(out);
  if (files.length > 0 && !files.includes(SITE_MARKER)) throw new UserError(`--out ${out}: the folder holds other files and is not a site emobench published; name an empty or new folder`);
}

/**
 * Writes the whole site into a fresh folder beside `out`, then swaps it in: a reader (or a static
 * host) never sees half a site, and a failed publish leaves the previous one.
 */
export async function publishSite(o: PublishOptions): Promise<{ out: string; pages: number; runs: number; boards: number }> {
  const out = resolve(o.out);
  checkOut(o.out);
  const site = new Site(o.roots, SITE_LINKS, o.alpha ?? 0.05);
  const cat = site.catalog();
  const pairs = o.compare.map(([a, b]) => [resolveRun(cat, a), resolveRun(cat, b)] as [string, string]);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const write = (name: string, text: string) => writeFileSync(join(tmp, name), text);
    let pages = 0;
    const page = (name: string, html: string) => {
      write(name, html);
      pages++;
    };
    page('index.html', site.index(pairs).html);
    for (const r of cat.runs) page(SITE_LINKS.run(r.id), (await site.run(r.id, cat)).html);
    const keys = boardKeys(cat);
    for (const k of keys) page(SITE_LINKS.board(k), (await site.board(boardSlug(k), cat)).html);
    for (const [a, b] of pairs) {
      const p = await site.compare(a, b, cat);
      if (p.status !== 200) throw new UserError(`--compare ${a} ${b}: ${p.message ?? 'cannot compare'}`);
      page(SITE_LINKS.compare(a, b)!, p.html);
    }
    const file = LeaderboardFileSchema.parse(await leaderboardFile(site, cat));
    write('leaderboard.json', `${JSON.stringify(file, null, 2)}\n`);
    write('leaderboard.md', leaderboardMarkdownOf(file));
    write('leaderboard.csv', leaderboardCsvOf(file));
    write(SITE_MARKER, 'written by emobench publish; the next publish into this folder replaces it whole\n');
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
    return { out, pages, runs: cat.runs.length, boards: keys.length };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
