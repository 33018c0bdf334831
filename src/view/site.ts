import { UserError } from '../errors.js';
import { loadRun } from '../compare/compare.js';
import { splitRunDirs } from '../report/inputs.js';
import { renderReport } from '../report/html.js';
import { boardKeys, boardSlug, buildBoard, compareTwo, type BoardKey } from './boards.js';
import { scanResults, type Catalog, type RunEntry } from './catalog.js';
import { boardPage, comparePage, indexPage, messagePage, withBackLink, type Links } from './pages.js';

/** A rendered page, or why there is none (the server turns `status` into the HTTP status). */
export interface Page {
  status: 200 | 400 | 404;
  html: string;
  /** Why there is no page (400, 404). */
  message?: string;
}

/**
 * The pages over a set of results folders, shared by the live server and the static site. The
 * catalog is rescanned on every index or lookup, so runs finished since the last page appear.
 */
export class Site {
  constructor(
    readonly roots: readonly string[],
    readonly links: Links,
    readonly alpha = 0.05,
  ) {}

  catalog(): Catalog {
    return scanResults(this.roots);
  }

  index(pairs: readonly [string, string][] = []): Page {
    const cat = this.catalog();
    return { status: 200, html: indexPage(cat, boardKeys(cat), this.links, pairs) };
  }

  async run(id: string, cat = this.catalog()): Promise<Page> {
    const entry = cat.byId.get(id);
    if (!entry) return this.notFound(`No run "${id}" in these results folders.`);
    return { status: 200, html: withBackLink(await renderRun(entry), this.links) };
  }

  findBoard(slug: string, cat = this.catalog()): BoardKey | undefined {
    return boardKeys(cat).find((k) => boardSlug(k) === slug);
  }

  async board(slug: string, cat = this.catalog()): Promise<Page> {
    const key = this.findBoard(slug, cat);
    if (!key) return this.notFound(`No leaderboard "${slug}".`);
    return { status: 200, html: boardPage(await buildBoard(key, this.alpha), this.links, this.alpha) };
  }

  async compare(a: string, b: string, cat = this.catalog()): Promise<Page> {
    const ra = cat.byId.get(a);
    const rb = cat.byId.get(b);
    if (!ra || !rb) return this.notFound(`No run "${!ra ? a : b}" in these results folders.`);
    if (ra.kind !== 'eval' || rb.kind !== 'eval') return this.bad('Only scored (eval) runs can be compared.');
    try {
      const c = await compareTwo(ra, rb, rb.seed ?? 0);
      return { status: 200, html: comparePage(c, { a, b }, this.links, this.alpha) };
    } catch (e) {
      if (e instanceof UserError) return this.bad(e.message);
      throw e;
    }
  }

  notFound(message: string): Page {
    return { status: 404, html: messagePage('Not found', message, this.links), message };
  }

  bad(message: string): Page {
    return { status: 400, html: messagePage('Cannot show this', message, this.links), message };
  }
}

/** The existing report, for one run of any kind: the same sections `emobench report` renders. */
export async function renderRun(entry: RunEntry): Promise<string> {
  const title = `emobench: ${entry.id}`;
  if (entry.kind === 'eval') return renderReport([await loadRun(entry.dir)], { title });
  return renderReport([], { title, other: splitRunDirs([entry.dir]).other });
}
