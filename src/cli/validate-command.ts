import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { parseDatasetSpec, readRows } from '../datasets/load.js';
import { RowValidator } from '../datasets/validate.js';
import type { ColumnMapping, SkippedRow } from '../datasets/types.js';
import { UserError, where } from '../errors.js';
import { loadSuite } from '../suites/load.js';
import { EXIT } from '../errors.js';
import { mappingOptions, outputOptions, parseMapping, setExitCode, suiteOption } from './shared.js';

export interface Validation {
  suite: string;
  dataset: string;
  rows: number;
  bad: number;
  /** The first `max` problems, in file order. */
  problems: SkippedRow[];
  /** A problem that stopped the reading (malformed CSV, a bad header): the rows after it are unchecked. */
  fatal?: string;
  splits: Record<string, number>;
}

/** Every row checked in one pass, as `eval` checks them, but each problem reported instead of the first. */
export async function validateDataset(suiteRef: string, datasetSpec: string | undefined, mapping?: ColumnMapping): Promise<Validation> {
  const suite = await loadSuite(suiteRef);
  const ds = suite.spec.dataset;
  if (!ds) throw new UserError(`suite "${suite.spec.name}" has task "${suite.spec.task}" and no dataset to validate`);
  const file = parseDatasetSpec(datasetSpec ?? ds.path, datasetSpec ? process.cwd() : dirname(suite.file));
  const v = new RowValidator(file.path, { labels: suite.spec.labels, lenient: true, ...(mapping ? { mapping } : {}) });
  const splits: Record<string, number> = {};
  let rows = 0;
  let fatal: string | undefined;
  try {
    for await (const row of readRows(file, v)) {
      rows++;
      splits[row.split] = (splits[row.split] ?? 0) + 1;
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    fatal = e.message;
  }
  return { suite: suite.spec.name, dataset: file.path, rows, bad: v.skipped.length, problems: v.skipped, fatal, splits };
}

function builder(y: Argv) {
  return outputOptions(mappingOptions(suiteOption(y)), 'the rows counted and every problem found')
    .option('dataset', { type: 'string', describe: "check this file instead of the suite's own (same forms as eval --dataset)" })
    .option('max-errors', { type: 'number', default: 50, describe: 'print at most this many bad rows (all are counted)' })
    .demandOption('suite')
    .example('$0 validate --suite emotion --dataset csv:my-data.csv', 'every bad row of your file at once, before a run');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const validateCommand: CommandModule<object, Parsed> = {
  command: 'validate',
  describe: 'Check a dataset against a suite (labels, ids, columns, quoting) and report every bad row, not just the first',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const r = await validateDataset(a.suite!, a.dataset, parseMapping(a));
    const ok = r.bad === 0 && r.fatal === undefined;
    if (a.json) process.stdout.write(`${JSON.stringify({ ...r, problems: r.problems.slice(0, a['max-errors']) }, null, 2)}\n`);
    else if (!a.quiet) {
      const shown = r.problems.slice(0, a['max-errors']);
      const out = ok ? process.stdout : process.stderr;
      for (const p of shown) out.write(`${where(r.dataset, p.line)}: ${p.reason}\n`);
      if (r.bad > shown.length) out.write(`… and ${r.bad - shown.length} more (--max-errors ${r.bad} shows them all)\n`);
      if (r.fatal) out.write(`${r.fatal}\n(reading stopped here: the rows after it are unchecked)\n`);
      const splits = Object.entries(r.splits).map(([s, n]) => `${n} ${s}`).join(', ');
      out.write(`${r.dataset}: ${r.rows} valid row${r.rows === 1 ? '' : 's'}${splits ? ` (${splits})` : ''}, ${r.bad} bad${r.fatal ? ', reading stopped early' : ''} — suite ${r.suite}\n`);
    }
    if (!ok) setExitCode(EXIT.badInput);
  },
};
