import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startServe } from './helpers/servers.js';

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function streamOnce(url: string, i: number, disconnectEarly: boolean): Promise<'done' | 'aborted'> {
  const ac = new AbortController();
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'scratch@tiny', messages: [{ role: 'user', content: `client ${i}` }], max_tokens: 4, stream: true }),
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    if (disconnectEarly) {
      ac.abort();
      return 'aborted';
    }
  }
  assert.match(text, /data: \[DONE\]\n\n$/);
  return 'done';
}

test('serve under 200 concurrent streaming clients: every request answered, memory stable, disconnects recovered', { timeout: 240_000 }, async () => {
  const server = await startServe(['--model', 'scratch@tiny']);
  try {
    const wave = async (n: number) => {
      const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => streamOnce(server.url, i, i % 4 === 3)));
      const failures = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(failures.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3), []);
      return results.map((r) => (r as PromiseFulfilledResult<string>).value);
    };
    const first = await wave(200);
    assert.equal(first.filter((r) => r === 'done').length, 150);
    const afterFirst = rssMb(server.proc.pid!);
    await wave(200);
    await wave(200);
    const afterThird = rssMb(server.proc.pid!);
    assert.ok(afterThird - afterFirst < 60, `server memory grew ${afterFirst.toFixed(0)} → ${afterThird.toFixed(0)} MB`);
    // After 150 clients walked away mid-stream, the server still answers.
    assert.equal(await streamOnce(server.url, 999, false), 'done');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
