import { UserError } from '../errors.js';
import { configHash } from '../util/hash.js';
import type { ClassifyOutput, Model, ModelMeta, PrepareContext } from './types.js';

/** Always answers the most frequent training label: the floor every real model must clear. */
export class MajorityModel implements Model {
  private label: string | undefined;
  private probs: number[] = [];

  constructor(readonly spec: string) {}

  meta(): ModelMeta {
    const config = { kind: 'majority', label: this.label ?? null };
    return { spec: this.spec, kind: 'baseline', config, config_hash: configHash(config) };
  }

  async prepare({ train, labels }: PrepareContext): Promise<void> {
    if (train.length === 0) throw new UserError('majority: the suite has no training rows to count labels from');
    const counts = labels.map((l) => train.filter((r) => r.label === l).length);
    // Ties go to the label listed first in the suite, so the choice is deterministic.
    const best = counts.indexOf(Math.max(...counts));
    this.label = labels[best];
    this.probs = counts.map((c) => c / train.length);
  }

  async classify(texts: readonly string[]): Promise<ClassifyOutput[]> {
    const label = this.label ?? null;
    return texts.map(() => ({ label, probs: this.probs, raw: label ?? '' }));
  }
}
