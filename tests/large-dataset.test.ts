import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { Summary } from '../src/results/types.js';
import { ROOT, tempDir } from './helpers/cli.js';

const ROWS = 7500;
const TEXT_CHARS = 20_000;
/** V8's old space for the CLI: the file's texts alone (~150 MB) would not fit in it. */
const HEAP_MB = 96;
/** Peak RSS allowed: the CLI's own footprint (~120 MB) plus headroom, well below that plus the file. */
const RSS_BOUND_MB = 220;
const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];

/** ~150 MB of CSV: long texts, so the size comes from text volume as in a real large corpus. */
async function writeBigCsv(path: string): Promise<void> {
  const words = ['happy', 'angry', 'sad', 'wow', 'fine', 'today', 'the', 'rain', 'again', 'really', 'great', 'why'];
  const texts = Array.from({ length: 31 }, (_, k) => {
    const parts: string[] = [];
    for (let i = k, len = 0; len < TEXT_CHARS; len += parts.at(-1)!.length + 1) parts.push(words[(i = (i * 7 + 3) % 1009) % words.length]!);
    return parts.join(' ');
  });
  const out = createWriteStream(path);
  out.write('id,text,label,lang,split\n');
  for (let i = 0; i < ROWS; i++) {
    if (!out.write(`r${i},${texts[i % texts.length]} ${i},${LABELS[i % LABELS.length]},en,test\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) {
    for (let i = (chunk as Buffer).indexOf(0x0a); i !== -1; i = (chunk as Buffer).indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

test('eval streams a ~150 MB dataset: it finishes in a 96 MB heap with bounded peak RSS and scores every row', async () => {
  const dir = tempDir('emobench-large-');
  try {
    const csv = join(dir, 'big.csv');
    await writeBigCsv(csv);
    assert.ok(statSync(csv).size > 140e6);
    // The child reports its own peak RSS on exit (node has no rusage of a child).
    const probe = join(dir, 'rss.mjs');
    const rssFile = join(dir, 'rss.txt');
    writeFileSync(probe, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const out = join(dir, 'run');
    const r = spawnSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, '--import', pathToFileURL(probe).href, join(ROOT, 'bin', 'emobench.js'), 'eval', '--suite', 'emotion', '--model', 'majority', '--dataset', `csv:${csv}`, '--out', out, '--quiet'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const peakMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
    assert.ok(peakMb < RSS_BOUND_MB, `peak RSS ${peakMb.toFixed(0)} MB ≥ ${RSS_BOUND_MB} MB`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    assert.equal(summary.complete, true);
    assert.equal(summary.meta.dataset.rows, ROWS);
    assert.equal(summary.meta.dataset.eval_rows, ROWS);
    assert.equal(summary.models[0]!.n, ROWS);
    assert.equal(await countLines(join(out, 'samples.jsonl')), ROWS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
