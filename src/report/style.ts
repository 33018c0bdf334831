/**
 * The stylesheet every report page shares (the combined report, the profile and attention pages).
 * CSS stays a string here: it has no logic for a checker to read, and the page stays one file.
 */

export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif';

export const REPORT_CSS = String.raw`
:root {
  --bg: #f6f7f9; --surface: #fff; --text: #1f2328; --muted: #59636e; --line: #d9dee3; --soft: #eef1f4;
  --accent: #2f6feb; --accent-soft: #e8effd; --good: #1a7f37; --good-soft: #dafbe1; --bad: #cf222e; --bad-soft: #ffebe9;
  --warn: #9a6700; --warn-soft: #fff8c5;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; scroll-padding-top: 56px; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 ${FONT_STACK}; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header.top { background: var(--surface); display: flow-root; }
header.top h1 { font-size: 24px; margin: 0; padding-top: 22px; letter-spacing: -0.01em; }
.subtitle { color: var(--muted); margin: 4px 0 12px; }
.banner { background: var(--warn-soft); color: var(--warn); border: 1px solid #eed888; border-radius: 6px; padding: 6px 10px; margin: 0 0 12px; }
nav.toc { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); }
nav.toc .wrap { display: flex; gap: 2px; overflow-x: auto; scrollbar-width: none; }
nav a { color: var(--muted); text-decoration: none; padding: 8px 10px; border-bottom: 2px solid transparent; white-space: nowrap; font-size: 14px; }
nav a:hover, nav a:focus-visible { color: var(--accent); border-bottom-color: var(--accent); }
main { padding-top: 8px; padding-bottom: 24px; }
section { background: var(--surface); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px 20px; margin: 16px 0; min-width: 0; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 18px 0 2px; }
h3 .sub, figcaption .sub { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 4px; }
.lede { color: var(--muted); margin: 0 0 8px; max-width: 80ch; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
code, .hash { font-family: var(--mono); font-size: 12.5px; }
.hash { color: var(--muted); word-break: break-all; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 6px 0; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 7px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--soft); }
thead th { background: #f9fafb; font-weight: 600; font-size: 13px; color: var(--muted); border-bottom: 1px solid var(--line); white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.board thead th:not(:first-child) { text-align: right; }
table.board tbody th { font-weight: 600; white-space: nowrap; }
table.board thead th.left { text-align: left; }
/* The model column stays in view while a wide table scrolls sideways. */
table.board tbody th, table.board thead th:first-child { position: sticky; left: 0; z-index: 1; background: var(--surface); }
table.board thead th:first-child { background: #f9fafb; }
table.board tr.tied-row > th { background: #f7faff; }
table.narrow { width: auto; min-width: 50%; }
.table-wrap:has(> table.narrow) { width: fit-content; max-width: 100%; }
table.board .run { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
table.board td:nth-child(2) { white-space: nowrap; }
th.sort { cursor: pointer; user-select: none; }
th.sort:hover { color: var(--text); }
th.sort::after { content: "↕"; opacity: 0.3; margin-left: 4px; font-size: 11px; }
th[aria-sort="ascending"]::after { content: "▲"; opacity: 0.8; }
th[aria-sort="descending"]::after { content: "▼"; opacity: 0.8; }
.ci { color: var(--muted); font-size: 12.5px; }
td.best { font-weight: 700; }
td.best::before { content: ""; display: inline-block; width: 6px; height: 6px; border-radius: 50%; background: var(--accent); margin-right: 6px; vertical-align: middle; }
.best-key { border-bottom: 2px solid var(--accent); }
tr.tied-row > * { background: #f7faff; }
tr.group-end > * { border-bottom: 2px solid #c9d6ee; }
td.neg { color: var(--bad); }
.badge { display: inline-block; font-size: 11.5px; font-weight: 600; line-height: 1.6; padding: 0 7px; border-radius: 999px; white-space: nowrap; background: var(--soft); color: var(--muted); }
.badge.lead { background: var(--accent); color: #fff; }
.badge.tied { background: var(--accent-soft); color: var(--accent); }
.badge.worse { background: var(--soft); color: var(--muted); }
.badge.ok { background: var(--good-soft); color: var(--good); }
.badge.bad { background: var(--bad-soft); color: var(--bad); }
.badge.none { background: var(--soft); color: var(--muted); }
.badge.warn { background: var(--warn-soft); color: var(--warn); }
figure { margin: 0; }
figure.chart { margin: 8px 0 4px; }
.chart-box { position: relative; height: 300px; }
.chart-box.tall { height: 360px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.cm-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 16px; margin-top: 14px; }
.cm-card figcaption { color: var(--text); margin: 0 0 4px; }
.model { font-weight: 600; overflow-wrap: anywhere; }
table.cm-table { font-size: 13px; width: 100%; }
table.cm-table th, table.cm-table td { padding: 5px 4px; text-align: center; border: 1px solid var(--soft); min-width: 46px; }
table.cm-table thead th { white-space: nowrap; font-size: 11.5px; vertical-align: bottom; }
table.cm-table thead th.corner { text-align: left; font-weight: 400; min-width: 0; }
table.cm-table thead th.unp { white-space: normal; font-style: italic; hyphens: manual; min-width: 64px; }
table.cm-table tbody th { text-align: left; font-size: 12.5px; white-space: nowrap; padding-right: 8px; }
td.cm { cursor: pointer; font-variant-numeric: tabular-nums; line-height: 1.2; }
td.cm b { display: block; font-size: 13.5px; }
td.cm small { display: block; font-size: 10.5px; opacity: 0.8; }
td.cm.zero { color: #b4bcc4; }
td.cm:hover, td.cm:focus-visible { outline: 2px solid var(--text); outline-offset: -2px; }
table.claims td { font-size: 13.5px; }
.claim { font-weight: 500; }
.filters { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)) minmax(0, 2fr) auto; gap: 10px; align-items: end; margin: 10px 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; min-width: 0; }
@media (max-width: 980px) { .filters { grid-template-columns: repeat(3, minmax(0, 1fr)); } .filters .search { grid-column: span 2; } }
select, input[type="search"], button { font: inherit; font-size: 14px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--surface); color: var(--text); min-width: 0; width: 100%; }
button { cursor: pointer; width: auto; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { opacity: 0.45; cursor: default; }
select:focus, input:focus, button:focus-visible { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
.ex-status { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px; margin: 6px 0 10px; color: var(--muted); font-size: 13.5px; }
.pager { display: inline-flex; align-items: center; gap: 8px; }
.samples { display: grid; gap: 10px; }
.sample { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 8px; padding: 10px 12px; min-width: 0; }
.sample.s1 { border-left-color: var(--good); }
.sample.s0 { border-left-color: var(--bad); }
.sample.s2, .sample.s3 { border-left-color: var(--warn); }
.sample-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; font-size: 13px; color: var(--muted); }
.sample-head .model { color: var(--text); }
.sample-input { margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; cursor: pointer; }
.sample-input.open { display: block; }
.sample-labels { font-size: 13.5px; }
.sample-labels b { font-weight: 600; }
.sample-labels .wrong { color: var(--bad); }
.raw { margin: 6px 0 0; padding: 6px 8px; background: #f6f8fa; border-radius: 6px; font: 12.5px/1.45 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12em; overflow: auto; }
.raw::before { content: "raw output  "; color: var(--muted); font-family: ${FONT_STACK}; font-size: 11px; }
.err { color: var(--bad); font-size: 13px; margin-top: 4px; overflow-wrap: anywhere; }
.meta-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 14px; }
.meta-card { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 10px; min-width: 0; }
.meta-card h3 { margin: 10px 0 6px; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 13.5px; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
footer { padding: 8px 20px 32px; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .wrap { padding: 0 12px; }
  header.top h1 { font-size: 20px; padding-top: 14px; }
  section { padding: 14px 12px 16px; border-radius: 8px; margin: 12px 0; }
  th, td { padding: 6px 8px; }
  table.board tbody th { white-space: normal; min-width: 90px; max-width: 150px; overflow-wrap: anywhere; }
  .chart-box { height: 260px; }
  .chart-box.tall { height: 300px; }
  .filters { grid-template-columns: 1fr 1fr; }
  .filters .search { grid-column: span 1; }
  dl { grid-template-columns: 1fr; gap: 0; }
  dd { margin-bottom: 6px; }
}
.att { margin: 8px 0; word-break: break-word; }
.att span { border-radius: 3px; }
.att .emo { text-decoration: underline 2px; }
@media print { nav.toc, .filters, .ex-status { display: none; } section { break-inside: avoid; } }
`;
