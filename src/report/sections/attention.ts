import type { LiftSummary, TextLift } from '../../analysis/attention-lift.js';
import { esc } from '../../util/html.js';
import { signedPct } from '../cells.js';
import type { Section } from '../page.js';

/** Tokens shaded by the attention they receive; emotion-word tokens underlined. */
export function shaded(t: TextLift, received: readonly number[]): string {
  const max = Math.max(...t.received_on, ...t.received_off, 1e-9);
  return t.tokens
    .map((tok, i) => {
      const alpha = (received[i]! / max).toFixed(3);
      const cls = t.emotion_tokens.includes(i) ? ' class="emo"' : '';
      return `<span${cls} style="background:rgba(214,69,65,${alpha})" title="${received[i]!.toFixed(4)}">${esc(tok)}</span>`;
    })
    .join('');
}

/** One attention analysis: the lift with its interval, and the first `shown` texts shaded. */
export function attentionBlock(a: { model: string; summary: LiftSummary; texts: readonly TextLift[] }, shown: number): string {
  const s = a.summary;
  const texts = a.texts.slice(0, shown).map(
    (t) =>
      `<div class="att"><div class="small muted">mass on emotion words: ${(100 * t.mass_on).toFixed(1)}% with bias, ${(100 * t.mass_off).toFixed(1)}% without (${signedPct(t.mass_on / t.mass_off - 1)})</div><div><b class="small">bias on</b> ${shaded(t, t.received_on)}</div><div><b class="small">bias off</b> ${shaded(t, t.received_off)}</div></div>`,
  );
  const ci = (e: LiftSummary['lift']) => (e.lo === e.hi ? '' : ` [${signedPct(e.lo)}, ${signedPct(e.hi)}]`);
  return `<h3>${esc(a.model)}</h3><p>Attention lift on emotion words (bias on vs off, same weights): <b>${signedPct(s.lift.value)}</b>${ci(s.lift)} over ${s.texts} texts; strongly emotional: <b>${signedPct(s.strong_lift.value)}</b>${s.strong_texts > 0 ? ci(s.strong_lift) : ''} over ${s.strong_texts}.</p>${texts.join('')}`;
}

export function attentionSection(runs: readonly { model: string; summary: LiftSummary; texts: readonly TextLift[] }[], shown = 8): Section | undefined {
  if (runs.length === 0) return undefined;
  return {
    id: 'attention',
    nav: 'Attention',
    html: `<section id="attention"><h2>Attention view</h2><p class="lede">Tokens shaded by the attention they receive (emotion-bias layers and heads averaged), with the bias on and off; emotion words underlined.</p>${runs.map((a) => attentionBlock(a, shown)).join('\n')}</section>`,
  };
}
