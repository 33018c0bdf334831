import { esc } from '../../util/html.js';
import type { Entry } from '../entries.js';
import type { OtherRuns } from '../inputs.js';
import type { Section } from '../page.js';
import { evaluateClaims, formatClaimValue, subjectOf, weightsOfSpec, type ClaimFigure, type ClaimRow, type PublishedClaim } from '../published.js';

/** Figures for published claims that are not per-sample metrics, read from the other runs' files. */
export function claimFigures(x: OtherRuns): ClaimFigure[] {
  const out: ClaimFigure[] = [];
  for (const t of x.throughput) {
    for (const m of t.summary.models) {
      const d = m.throughput.decode_tps;
      if (d) out.push({ metric: 'throughput.decode_tps', model: m.spec, value: d.value, lo: d.lo, hi: d.hi, subject: subjectOf(m.spec, m.meta.config) });
    }
  }
  for (const { profile: p } of x.profiles) {
    const weights = weightsOfSpec(p.model);
    const subject = { params: p.params, ...(weights ? { weights } : {}) };
    out.push({ metric: 'profile.params', model: p.model, value: p.params, subject });
    if (Number.isFinite(p.claims.best_total_saving_pct)) out.push({ metric: 'profile.total_saving', model: p.model, value: -p.claims.best_total_saving_pct / 100, subject });
    if (Number.isFinite(p.claims.bias_overhead_pct)) out.push({ metric: 'profile.bias_overhead', model: p.model, value: p.claims.bias_overhead_pct / 100, subject });
  }
  for (const a of x.attention) {
    const l = a.summary.strong_texts > 0 ? a.summary.strong_lift : a.summary.lift;
    const weights = weightsOfSpec(a.model);
    out.push({ metric: 'attention.lift', model: a.model, value: l.value, lo: l.lo, hi: l.hi, subject: weights ? { weights } : {} });
  }
  return out;
}

/**
 * The published claims checked against the runs. Shown when `always` (the user named a claims file)
 * or when at least one claim was measured on its own configuration: a report of a user's own CSV
 * does not carry a table of "not measured" article figures.
 */
export function claimsSection(entries: readonly Entry[], claims: readonly PublishedClaim[] | undefined, figures: readonly ClaimFigure[], always: boolean): Section | undefined {
  const rows = claims ? evaluateClaims(claims, entries.map((e) => ({ suite: e.suite, label: e.label, result: e.result })), figures) : [];
  if (!always && !rows.some((r) => r.status !== 'not measured')) return undefined;
  const rule = `<p class="lede">A claim is <span class="badge ok">reproduced</span> when the measured 95% interval contains the claimed value or lies on the better side of it (for an "at least" claim: upper end ≥ claim; for an "at most" claim: lower end ≤ claim; a point value where there is no interval), <span class="badge bad">not reproduced</span> when the whole interval is on the worse side, and <span class="badge none">not measured</span> when no run has that metric for that model on the configuration the claim is about (parameter count, device, trained weights; the row says why).</p>`;
  if (rows.length === 0) return { id: 'claims', nav: 'Claims', html: `<section id="claims"><h2>Published claims</h2>${rule}<p class="muted">No published claims were given (baselines/published.json).</p></section>` };
  const cls: Record<ClaimRow['status'], string> = { reproduced: 'ok', 'not reproduced': 'bad', 'not measured': 'none' };
  const body = rows.map((r) => {
    const c = r.claim;
    const m = r.measured;
    const ci = m && m.lo !== undefined && m.hi !== undefined && formatClaimValue(m.lo, c.unit) !== formatClaimValue(m.hi, c.unit) ? ` <span class="ci">[${esc(formatClaimValue(m.lo, c.unit))}–${esc(formatClaimValue(m.hi, c.unit))}]</span>` : '';
    const measured = m ? `${esc(formatClaimValue(m.value, c.unit))}${ci}${m.n !== undefined ? ` <span class="muted small">n=${m.n}</span>` : ''}` : '<span class="muted">—</span>';
    const dir = c.direction === 'lower' ? 'at most' : 'at least';
    const reason = r.reason ? `<br><span class="muted small reason">${esc(r.reason)}</span>` : '';
    return `<tr><td><span class="claim">${esc(c.claim)}</span><br><span class="muted small">${esc(c.id)} · ${esc(c.source)}${c.note ? ` · ${esc(c.note)}` : ''}</span></td><td><code>${esc(c.metric ?? '—')}</code></td><td>${esc(c.model ?? 'any')}${m ? `<br><span class="muted small">as ${esc(m.model)}</span>` : ''}</td><td class="num" title="${dir}">${esc(formatClaimValue(c.value, c.unit))}</td><td class="num">${measured}</td><td><span class="badge ${cls[r.status]}">${esc(r.status)}</span>${reason}</td></tr>`;
  });
  const count = (s: ClaimRow['status']) => rows.filter((r) => r.status === s).length;
  return {
    id: 'claims',
    nav: 'Claims',
    html: `<section id="claims"><h2>Published claims</h2>
${rule}
<p class="muted small">${count('reproduced')} reproduced · ${count('not reproduced')} not reproduced · ${count('not measured')} not measured</p>
<div class="table-wrap"><table class="claims"><thead><tr><th scope="col">claim</th><th scope="col">metric</th><th scope="col">model</th><th scope="col">claimed</th><th scope="col">measured [95% CI]</th><th scope="col">status</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div></section>`,
  };
}
