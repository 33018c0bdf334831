import { loadDataset } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { EMOTIONS } from '../scratch/config.js';
import { openScratch } from '../profile/profile.js';
import { seededShuffle } from '../util/rng.js';
import { pkgPath } from '../util/paths.js';
import type { LiftSummary, TextLift } from '../results/types.js';
import { liftSummary, textLift } from './attention-lift.js';

export async function attentionLift(o: { model: string; texts?: string[]; limit: number; seed: number }): Promise<{ model: string; summary: LiftSummary; texts: TextLift[] }> {
  const model = await openScratch(o.model, { bias: true });
  let texts = o.texts;
  if (!texts || texts.length === 0) {
    const data = await loadDataset(pkgPath('datasets', 'emotion', 'emotion.csv'), { labels: [...EMOTIONS] });
    texts = seededShuffle(data.rows.filter((r) => r.split === 'test'), o.seed).slice(0, o.limit).map((r) => r.text);
  }
  const lifts = texts.flatMap((t) => textLift(model, t) ?? []);
  model.dispose();
  if (lifts.length === 0) throw new UserError('none of the texts contains an emotion word from the lexicon, so there is no lift to measure');
  return { model: o.model, summary: liftSummary(lifts, o.seed), texts: lifts };
}
