import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soak } from '../scripts/soak.js';

test('soak: random kill -9 and SIGINT, each followed by a resume, end equal to an uninterrupted run', { timeout: 120_000 }, async () => {
  const r = await soak({ cycles: 6, rows: 2000, seed: 7 });
  assert.deepEqual(r.problems, []);
  assert.ok(r.kills + r.interrupts >= 3, `only ${r.kills} kills and ${r.interrupts} interrupts landed`);
});
