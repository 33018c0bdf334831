import { esc } from '../report/html.js';
import { signedPct } from '../util/text.js';
import type { LiftSummary, TextLift } from '../results/types.js';

/** Tokens shaded by the attention they receive; emotion-word tokens underlined. */
export function shaded(t: TextLift, received: number[]): string {
  const max = Math.max(...t.received_on, ...t.received_off, 1e-9);
  return t.tokens
    .map((tok, i) => {
      const alpha = (received[i]! / max).toFixed(3);
      const cls = t.emotion_tokens.includes(i) ? ' class="emo"' : '';
      return `<span${cls} style="background:rgba(214,69,65,${alpha})" title="${received[i]!.toFixed(4)}">${esc(tok)}</span>`;
    })
    .join('');
}

export function attentionHtml(model: string, s: LiftSummary, lifts: readonly TextLift[], shown = 30): string {
  const rows = lifts
    .slice(0, shown)
    .map(
      (t) =>
        `<div class="sample"><div class="meta">mass on emotion words: ${(100 * t.mass_on).toFixed(1)}% with bias, ${(100 * t.mass_off).toFixed(1)}% without (${signedPct(t.mass_on / t.mass_off - 1)})</div><div class="row"><b>bias on</b> ${shaded(t, t.received_on)}</div><div class="row"><b>bias off</b> ${shaded(t, t.received_off)}</div></div>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>emobench attention · ${esc(model)}</title>
<style>body{font:15px/1.6 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}main{max-width:980px;margin:auto;padding:16px}
.sample{background:#fff;border:1px solid #e3e6ea;border-radius:10px;padding:10px 14px;margin:10px 0}.row{margin:4px 0;word-break:break-word}.row b{display:inline-block;width:64px;font-size:12px;color:#5b6573}
.meta{font-size:12px;color:#5b6573}.emo{text-decoration:underline 2px #1d2430}span{border-radius:3px}</style></head><body><main>
<h1>Attention on emotion words: ${esc(model)}</h1>
<p>Attention lift (bias on vs off, same weights): <b>${signedPct(s.lift.value)}</b> [${signedPct(s.lift.lo)} to ${signedPct(s.lift.hi)}] over ${s.texts} texts with an emotion word; <b>${signedPct(s.strong_lift.value)}</b> [${signedPct(s.strong_lift.lo)} to ${signedPct(s.strong_lift.hi)}] over the ${s.strong_texts} strongly emotional ones (claimed +20%). Tokens are shaded by the attention they receive (bias layers and heads averaged); emotion words are underlined.</p>
${rows}</main></body></html>`;
}
