import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The base of every HTML page emobench writes (the report, the profile and attention pages, the
 * training curve): escaping, JSON and scripts embedded safely, chart.js inlined. In util so stages
 * below the report (train) can draw a page without importing the report.
 *
 * Safety: text and attribute values go through `esc()`, JSON inside <script> through
 * `jsonForScript()` (no `<`, `>`, `&`, U+2028/9 survive, so `</script>` or `<!--` in data cannot end
 * the block), and script sources through `inlineScript()`.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that is safe inside <script type="application/json">: `<`, `>`, `&` and the JS line
 * separators become \uXXXX escapes, which JSON.parse turns back into the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A script's source inside <script>…</script>: the only sequences that could end or alter the element. */
export function inlineScript(src: string): string {
  return src.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

let chartJsSource: string | undefined;

/** chart.js's UMD build, read once from node_modules (its exports map hides dist/, so go via the main entry). */
export function chartJs(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    chartJsSource = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  }
  return chartJsSource;
}

export interface PageParts {
  title: string;
  css: string;
  body: string;
  /** JSON blocks put before the scripts, by element id. */
  data?: Record<string, unknown>;
  /** Script sources run after chart.js, in order. */
  scripts?: readonly string[];
  /** Inline chart.js (default: when there are scripts). */
  charts?: boolean;
}

/** One self-contained page: nothing is fetched, so it works offline and from a CI artifact. */
export function htmlPage(p: PageParts): string {
  const scripts = p.scripts ?? [];
  const data = Object.entries(p.data ?? {}).map(([id, v]) => `<script type="application/json" id="${esc(id)}">${jsonForScript(v)}</script>`);
  const withCharts = p.charts ?? scripts.length > 0;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="emobench">
<title>${esc(p.title)}</title>
<style>${p.css}</style>
</head>
<body>
${p.body}
${data.join('\n')}
${withCharts ? `<script>${inlineScript(chartJs())}</script>\n` : ''}${scripts.map((s) => `<script>${inlineScript(s)}</script>`).join('\n')}
</body>
</html>
`;
}
