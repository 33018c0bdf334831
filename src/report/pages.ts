import type { LiftSummary, TextLift } from '../analysis/attention-lift.js';
import type { ProfileResult } from '../profile/profile.js';
import type { ChartSpec } from './charts.js';
import { renderPage } from './page.js';
import { attentionSection } from './sections/attention.js';
import { memorySection } from './sections/memory.js';

/**
 * The pages `emobench profile` and `emobench attention` write beside their JSON: the same sections
 * the combined report shows, alone in the same shell.
 */

export function profilePage(p: ProfileResult): string {
  const charts: ChartSpec[] = [];
  const section = memorySection([{ profile: p }], charts)!;
  return renderPage({ title: `emobench profile · ${p.model}`, subtitle: `memory profile of ${p.model}`, sections: [section], data: { charts, entries: [], suites: 0, explorer: null } });
}

export function attentionPage(model: string, summary: LiftSummary, texts: readonly TextLift[], shown = 30): string {
  const section = attentionSection([{ model, summary, texts }], shown)!;
  return renderPage({ title: `emobench attention · ${model}`, subtitle: `attention on emotion words, ${model}`, sections: [section], data: { charts: [], entries: [], suites: 0, explorer: null } });
}
