import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soak } from '../scripts/soak.js';

test('soak: random kill -9 and SIGINT, each followed by a resume (two of them racing), end equal to an uninterrupted run', { timeout: 150_000 }, async () => {
  const r = await soak({ cycles: 7, rows: 2000, seed: 7 });
  assert.deepEqual(r.problems, []);
  assert.ok(r.kills + r.interrupts >= 3, `only ${r.kills} kills and ${r.interrupts} interrupts landed`);
  assert.equal(r.races, 2);
  assert.ok(r.refusals >= 1, 'no racing resume was refused by the run-folder lock');
});
