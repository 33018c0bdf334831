import { readFileSync } from 'node:fs';
import { esc, htmlPage } from '../util/html.js';
import type { PageData } from './charts.js';
import { REPORT_CSS } from './style.js';

/**
 * The shell of every report page: header, section navigation, the sections, and the client script
 * with the page's data. The combined report (html.ts) and the profile and attention pages (pages.ts)
 * are all this shell around sections from ./sections/.
 */

let clientSource: string | undefined;

/** client/report-client.js's text, read once: beside this module in src/ (tsx) and in dist/ (the build copies it). */
function clientJs(): string {
  clientSource ??= readFileSync(new URL('./client/report-client.js', import.meta.url), 'utf8');
  return clientSource;
}

export interface Section {
  id: string;
  /** Navigation label; none = not in the navigation. */
  nav?: string;
  html: string;
}

export interface ReportPage {
  title: string;
  /** The line under the title. */
  subtitle: string;
  /** Shown as a warning banner (an incomplete run). */
  banner?: string;
  sections: readonly Section[];
  data: PageData;
  /** Further JSON blocks (the sample explorer's rows). */
  blocks?: readonly string[];
}

/** "23 Nov 2026, 10:15 UTC": an ISO time as people read it (UTC, so the page is the same everywhere). */
export function humanTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const month = t.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const hm = `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
  return `${t.getUTCDate()} ${month} ${t.getUTCFullYear()}, ${hm} UTC`;
}

export function renderPage(p: ReportPage): string {
  const nav = p.sections.filter((s) => s.nav !== undefined);
  const body = `<header class="top">
<div class="wrap">
<h1>${esc(p.title)}</h1>
<p class="subtitle">${p.subtitle}</p>
${p.banner ? `<p class="banner">${esc(p.banner)}</p>` : ''}
</div>
</header>
<nav class="toc" aria-label="sections"><div class="wrap">${nav.map((s) => `<a href="#${esc(s.id)}">${esc(s.nav)}</a>`).join('')}</div></nav>
<main class="wrap">
${p.sections.map((s) => s.html).join('\n')}
</main>
<footer class="wrap muted small">emobench · every figure with its 95% interval · this file works offline</footer>
${(p.blocks ?? []).join('\n')}`;
  return htmlPage({ title: p.title, css: REPORT_CSS, body, data: { 'eb-data': p.data }, scripts: [clientJs()], charts: true });
}
