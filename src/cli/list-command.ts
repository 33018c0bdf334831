import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { baselinePath, type BaselineKind } from '../models/baseline-file.js';
import { outputOptions, printResult } from './shared.js';
import { loadEndpoints } from '../api/endpoints.js';
import { MODEL_KINDS } from '../models/registry.js';
import { table } from '../util/text-table.js';
import { listShippedSuites, loadSuite } from '../suites/load.js';
import { pkgPath } from '../util/paths.js';

export interface Inventory {
  suites: { name: string; task: string; labels: string[]; description: string }[];
  model_kinds: { name: string; description: string }[];
  registry: { name: string; model: string; base_url: string; api_key_env: string | null }[];
  weights: { spec: string; dir: string; context: number | null }[];
}

/** What a user can run without writing anything: shipped suites, model kinds, endpoints, weights. */
export async function inventory(): Promise<Inventory> {
  const suites = [];
  for (const name of listShippedSuites()) {
    const { spec } = await loadSuite(name);
    suites.push({ name, task: spec.task, labels: spec.labels ?? [], description: (spec.description ?? '').trim() });
  }
  const registry = [...loadEndpoints().values()].map((e) => ({ name: e.name, model: e.model, base_url: e.base_url, api_key_env: e.api_key_env ?? null }));
  const root = pkgPath('models');
  const weights = existsSync(root)
    ? readdirSync(root)
        .filter((d) => statSync(join(root, d)).isDirectory())
        .flatMap((d) => {
          const dir = join('models', d);
          if (existsSync(join(root, d, 'config.json'))) {
            const c = JSON.parse(readFileSync(join(root, d, 'config.json'), 'utf8')) as { maxSeq?: number };
            return [{ spec: d === 'scratch' ? 'scratch' : `scratch:${dir}`, dir, context: c.maxSeq ?? null }];
          }
          // A saved baseline (emobench train --kind tfidf|nb) reads any length of text.
          return (['tfidf', 'nb'] as const satisfies readonly BaselineKind[]).filter((k) => existsSync(baselinePath(join(root, d), k))).map((k) => ({ spec: `${k}:${dir}`, dir, context: null }));
        })
    : [];
  return { suites, model_kinds: Object.entries(MODEL_KINDS).map(([name, description]) => ({ name, description })), registry, weights };
}

function builder(y: Argv) {
  return outputOptions(y, 'the inventory')
    .example('$0 list', 'suites, model kinds, endpoints and shipped weights')
    .example('$0 list --json | jq .suites', 'for scripts');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const listCommand: CommandModule<object, Parsed> = {
  command: 'list',
  describe: 'List the shipped suites, model kinds, openai: endpoints (baselines/models.yaml) and shipped weights',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const inv = await inventory();
    const first = (s: string) => (s.split(/(?<=\.)\s/)[0] ?? '').slice(0, 90);
    printResult(a, inv, () =>
      [
        'suites (--suite NAME, or a path to your own .yaml)',
        table(['name', 'task', 'labels', 'about'], inv.suites.map((s) => [s.name, s.task, s.labels.join(' ') || '-', first(s.description)])),
        '',
        'model kinds (--model SPEC)',
        table(['kind', 'what it is'], inv.model_kinds.map((k) => [k.name, k.description])),
        '',
        'openai: endpoints (--model openai:NAME; baselines/models.yaml)',
        table(['name', 'model', 'base URL', 'key from'], inv.registry.map((r) => [r.name, r.model, r.base_url, r.api_key_env ? `$${r.api_key_env}` : '-'])),
        '',
        'shipped weights',
        table(['spec', 'folder', 'context'], inv.weights.map((w) => [w.spec, w.dir, w.context === null ? '-' : `${w.context} tokens`])),
        '',
      ].join('\n'),
    );
  },
};
