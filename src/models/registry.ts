import { UserError } from '../errors.js';
import { MajorityModel } from './majority.js';
import { NaiveBayesModel } from './naive-bayes.js';
import { checkOptions, parseModelSpec } from './spec.js';
import type { Model } from './types.js';

/** Every model name the CLI accepts, with a line of help each. */
export const MODEL_KINDS: Record<string, string> = {
  majority: 'always the most frequent training label (baseline floor)',
  nb: 'naive Bayes over character 1-3-grams, trained on the suite train split',
};

export async function createModel(raw: string): Promise<Model> {
  const spec = parseModelSpec(raw);
  switch (spec.name) {
    case 'majority':
      checkOptions(spec, []);
      return new MajorityModel(spec.raw);
    case 'nb':
      checkOptions(spec, []);
      return new NaiveBayesModel(spec.raw);
    default:
      throw new UserError(`model spec "${raw}": unknown model "${spec.name}" (known: ${Object.keys(MODEL_KINDS).join(', ')})`);
  }
}
