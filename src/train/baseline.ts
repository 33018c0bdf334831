/**
 * `emobench train --kind tfidf|nb`: a classical baseline fitted on exactly the rows a scratch run
 * with the same --data/--augment/--seed trains on (the project's dev holdout excluded), scored on
 * the same dev sets, and saved with the hashes of what it saw (src/models/baseline-file.ts).
 */
import { EMOTIONS } from '../scratch/config.js';
import { parseDatasetSpec } from '../datasets/load.js';
import { saveBaseline, type BaselineKind, type TrainingRecord } from '../models/baseline-file.js';
import { NaiveBayesModel } from '../models/naive-bayes.js';
import { TfidfModel, type TfidfFitInfo } from '../models/tfidf.js';
import { accuracy, macroF1 } from '../scoring/classification.js';
import { sha256, sha256File } from '../util/hash.js';
import { augment, type Augmentation } from './augment.js';
import { loadTrainingData, PROJECT_DATASET, type DataSpec } from './data.js';

export interface BaselineTrainOptions {
  kind: BaselineKind;
  data: DataSpec[];
  dev: string[];
  augment: Augmentation[];
  seed: number;
  out: string;
}

export interface BaselineTrainResult {
  path: string;
  training: TrainingRecord;
  dev: Record<string, { n: number; accuracy: number; macroF1: number }>;
  fit?: TfidfFitInfo;
  seconds: number;
}

export async function trainBaseline(o: BaselineTrainOptions, say: (line: string) => void = () => undefined): Promise<BaselineTrainResult> {
  const t0 = performance.now();
  const data = await loadTrainingData(o.data, o.dev, o.seed);
  const examples = augment(data.train, o.augment, o.seed);
  const labels = [...EMOTIONS];
  const rows = examples.map((e) => ({ text: e.text, label: labels[e.label]!, count: 1 }));
  say(`fitting ${o.kind} on ${rows.length.toLocaleString('en-US')} rows…`);
  let model: TfidfModel | NaiveBayesModel;
  let fit: TfidfFitInfo | undefined;
  if (o.kind === 'tfidf') {
    const m = new TfidfModel(`tfidf:${o.out}`);
    fit = m.fit(rows, labels);
    model = m;
  } else {
    const m = new NaiveBayesModel(`nb:${o.out}`);
    m.fit(rows, labels);
    model = m;
  }

  const dev: BaselineTrainResult['dev'] = {};
  for (const [name, set] of data.dev) {
    const out = await model.classify(set.map((e) => e.text), labels);
    const preds = set.map((e, i) => ({ gold: labels[e.label]!, pred: out[i]!.label }));
    dev[name] = { n: set.length, accuracy: accuracy(preds), macroF1: macroF1(preds, labels) };
  }

  const training: TrainingRecord = {
    data: await Promise.all(
      o.data.map(async (spec, i) => {
        const file = spec.dataset === 'emotion' ? PROJECT_DATASET : parseDatasetSpec(spec.dataset).path;
        return { spec: spec.raw, file, sha256: await sha256File(file), rows: data.counts[i]!.rows, repeat: spec.repeat };
      }),
    ),
    augment: o.augment,
    seed: o.seed,
    rows: rows.length,
    rowsSha256: sha256(rows.map((r) => `${r.label}\t${r.text}`).join('\n')),
  };
  const path = saveBaseline(o.out, o.kind, model.toState(), training);
  return { path, training, dev, ...(fit ? { fit } : {}), seconds: (performance.now() - t0) / 1000 };
}
