import type { LoadedRun } from '../../compare/compare.js';
import type { ThroughputSummary } from '../../results/types.js';
import { esc } from '../../util/html.js';
import { runNames } from '../entries.js';
import type { OtherRuns } from '../inputs.js';
import { humanTime, type Section } from '../page.js';

/** Every run the report was given, of every kind, with what was run where and when. */

function card(name: string, kind: string, kv: readonly [string, string][]): string {
  return `<div class="meta-card"><h3>${esc(name)} <span class="badge">${esc(kind)}</span></h3><dl>${kv.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`;
}

const when = (iso: string) => `${esc(humanTime(iso))} <span class="hash">${esc(iso)}</span>`;

function scoredCard(run: LoadedRun, name: string): string {
  const s = run.summary;
  const m = s.meta;
  const dur = (Date.parse(m.ended_at) - Date.parse(m.started_at)) / 1000;
  const kv: [string, string][] = [
    ['directory', `<code>${esc(run.dir)}</code>`],
    ['suite', `${esc(s.suite)} (${esc(s.task)}) · <code>${esc(m.suite.file)}</code><br><span class="hash">sha256 ${esc(m.suite.sha256)}</span>`],
    ['dataset', `<code>${esc(m.dataset.path)}</code> (${esc(m.dataset.format)})<br><span class="hash">sha256 ${esc(m.dataset.sha256)}</span>`],
    ['rows', `${m.dataset.rows} read · ${m.dataset.eval_rows} scored · ${m.dataset.train_rows} train${m.dataset.skipped ? ` · ${m.dataset.skipped} skipped` : ''}${m.dataset.dropped_by_mapping ? ` · ${m.dataset.dropped_by_mapping} dropped by label mapping` : ''}`],
    ['models', s.models.map((x) => `<code>${esc(x.spec)}</code> <span class="hash">${esc(x.meta.config_hash)}</span>`).join('<br>')],
    ['seed', `${esc(m.seed)}${m.limit !== null ? ` · limit ${esc(m.limit)}` : ''}${m.shard ? ` · shard ${esc(JSON.stringify(m.shard))}` : ''}`],
    ['emobench', `${esc(m.emobench)} · commit <code>${esc(m.git_commit ?? 'unknown')}</code>`],
    ['host', `${esc(m.host.platform)} · ${esc(m.host.cpu)} · ${esc(m.host.cores)} cores · ${esc(m.host.memory_gb)} GB · Node ${esc(m.host.node)}`],
    ['started', when(m.started_at)],
    ['ended', `${when(m.ended_at)}${Number.isFinite(dur) ? ` <span class="muted">(${esc(dur.toFixed(1))} s)</span>` : ''}`],
    ['complete', s.complete ? 'yes' : '<span class="badge warn">no: stopped early</span>'],
  ];
  return card(name, 'eval', kv);
}

function throughputCard(dir: string, s: ThroughputSummary, name: string): string {
  const m = s.meta;
  return card(name, 'throughput', [
    ['directory', `<code>${esc(dir)}</code>`],
    ['models', s.models.map((x) => `<code>${esc(x.spec)}</code> <span class="hash">${esc(x.meta.config_hash)}</span>`).join('<br>')],
    ['emobench', `${esc(m.emobench)} · commit <code>${esc(m.git_commit ?? 'unknown')}</code>`],
    ['host', `${esc(m.host.platform)} · ${esc(m.host.cpu)} · ${esc(m.host.cores)} cores · ${esc(m.host.memory_gb)} GB · Node ${esc(m.host.node)}`],
    ['started', when(m.started_at)],
    ['complete', s.complete ? 'yes' : '<span class="badge warn">no: stopped early</span>'],
  ]);
}

export function runsSection(scored: readonly LoadedRun[], other: OtherRuns): Section | undefined {
  const dirs = [...scored.map((r) => r.dir), ...other.throughput.map((r) => r.dir), ...other.profiles.map((r) => r.dir), ...other.attention.map((r) => r.dir)];
  if (dirs.length === 0) return undefined;
  const names = runNames(dirs);
  let i = 0;
  const cards = [
    ...scored.map((r) => scoredCard(r, names[i++]!)),
    ...other.throughput.map((r) => throughputCard(r.dir, r.summary, names[i++]!)),
    ...other.profiles.map(({ dir, profile: p }) =>
      card(names[i++]!, 'profile', [
        ['directory', `<code>${esc(dir)}</code>`],
        ['model', `<code>${esc(p.model)}</code> · ${p.params.toLocaleString('en-US')} parameters`],
        ['settings', `${p.sweep.length} measured`],
        ['complete', p.complete === false ? '<span class="badge warn">no: stopped early</span>' : 'yes'],
      ]),
    ),
    ...other.attention.map((a) =>
      card(names[i++]!, 'attention', [
        ['directory', `<code>${esc(a.dir)}</code>`],
        ['model', `<code>${esc(a.model)}</code>`],
        ['texts', `${a.summary.texts} with an emotion word · ${a.summary.strong_texts} strongly emotional`],
      ]),
    ),
  ];
  return { id: 'runs', nav: 'Runs', html: `<section id="runs"><h2>Runs</h2><div class="meta-grid">${cards.join('\n')}</div></section>` };
}
