import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import { outputOptions, printResult } from './shared.js';

/**
 * Sample rows, written so the `nb` baseline clears the scaffolded gate on them: each emotion has its
 * own words in train and test. They are a template to replace with real data, not a benchmark.
 */
const SAMPLES: Record<string, string[]> = {
  joy: ['I am so happy with this, thank you!', 'What a wonderful day, I love it', 'This made me smile all morning', 'Great news, I am delighted', 'So happy and grateful today', 'I love this, it is wonderful', 'Delighted with the result, great work', 'Such a happy surprise gift, love it'],
  anger: ['This is outrageous, I am furious', 'I hate waiting, this is ridiculous', 'Absolutely unacceptable service, furious', 'Stop wasting my time, I am angry', 'Ridiculous, I am so angry right now', 'I am furious about this outrageous bill', 'Unacceptable, I hate this', 'This is infuriating and ridiculous'],
  sadness: ['I miss her so much, I feel empty', 'I cried all night, so sad', 'Nothing feels right since he left', 'I feel lonely and sad today', 'So sad to say goodbye', 'I miss home, I feel lonely', 'Tears again tonight, I feel empty', 'It is sad and lonely without you'],
  neutral: ['The meeting is at 10 am on Tuesday', 'Please send the report by Friday', 'The store opens at nine', 'The package was delivered to the office', 'The train leaves at noon from platform 2', 'Send the invoice to the office by Tuesday', 'The report is on the shared drive', 'Meeting moved to Friday at nine'],
};

export function sampleCsv(): string {
  const rows = ['id,text,label,split'];
  for (const [label, texts] of Object.entries(SAMPLES)) {
    texts.forEach((t, i) => rows.push(`${label}-${i + 1},"${t.replace(/"/g, '""')}",${label},${i < 5 ? 'train' : 'test'}`));
  }
  return `${rows.join('\n')}\n`;
}

export function suiteYaml(name: string, csv: string): string {
  return `# A suite: the task, the data and its splits, the labels, the prompt for chat models, the metrics.
# Reference: suites/emotion.yaml in emobench; \`emobench validate --suite ${name}.yaml\` checks the data.
name: ${name}
task: classification
dataset:
  path: ${csv}          # relative to this file; columns id, text, label (+ optional lang, split, tags)
  split: test
  train_split: train    # what nb and majority learn from
labels: [${Object.keys(SAMPLES).join(', ')}]
prompt:
  system: You are an emotion classifier.
  user: |-
    Text: {{text}}

    Which one of these labels fits best: {{labels}}?
    Answer with the single label only.
extract:
  type: label
default_models: [nb, majority]
`;
}

/** The gate the sample data passes on `nb`; raise it once the data is real. */
export const INIT_GATE = (name: string) => `${name}.accuracy>=0.6`;

export function workflowYaml(name: string, suitePath: string): string {
  return `name: emobench
on: [pull_request]
jobs:
  eval:
    runs-on: ubuntu-latest
    env:
      ONNXRUNTIME_NODE_INSTALL: skip   # onnxruntime-node's CUDA download is not needed on CPU
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm ci                    # with emobench in your package.json's devDependencies
      - run: npx emobench validate --suite ${suitePath}
      - run: npx emobench eval --suite ${suitePath} --model nb --gate "${INIT_GATE(name)}" --junit gates.xml
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: emobench-results, path: results/ }
`;
}

function builder(y: Argv) {
  return outputOptions(y, 'the files written')
    .positional('dir', { type: 'string', default: '.', describe: 'folder to scaffold into' })
    .option('name', { type: 'string', default: 'my-suite', describe: 'suite name (also the file names)' })
    .option('force', { type: 'boolean', default: false, describe: 'overwrite files that exist' })
    .check((a) => {
      if (!/^[a-z][a-z0-9-]*$/.test(a.name)) throw new UserError('--name: lower-case letters, digits and "-", starting with a letter');
      return true;
    })
    .example('$0 init', 'my-suite.yaml, my-suite.csv and .github/workflows/emobench.yml here')
    .example('$0 init eval --name tickets', 'into ./eval, suite "tickets"');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const initCommand: CommandModule<object, Parsed> = {
  command: 'init [dir]',
  describe: 'Scaffold a suite YAML, a sample CSV and a GitHub Actions workflow that runs and gates it',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: (a) => {
    const dir = a.dir;
    const files: [string, string][] = [
      [join(dir, `${a.name}.yaml`), suiteYaml(a.name, `${a.name}.csv`)],
      [join(dir, `${a.name}.csv`), sampleCsv()],
      [join(dir, '.github', 'workflows', 'emobench.yml'), workflowYaml(a.name, relative('.', join(dir, `${a.name}.yaml`)) || `${a.name}.yaml`)],
    ];
    const existing = files.filter(([f]) => existsSync(f)).map(([f]) => f);
    if (existing.length > 0 && !a.force) throw new UserError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; --force overwrites`);
    for (const [file, text] of files) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    printResult(a, { files: files.map(([f]) => f) }, () => `${files.map(([f]) => `wrote ${f}`).join('\n')}\nnext: emobench validate --suite ${files[0]![0]} && emobench eval --suite ${files[0]![0]} --model nb\n`);
  },
};
