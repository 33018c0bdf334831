/**
 * A one-line progress bar on stderr, drawn only on a terminal so logs and pipes stay clean.
 * Hand-written: it is a dozen lines, and stdout must stay free for --json.
 */
export function progressBar(enabled: boolean): { update: (done: number, total: number, label: string) => void; end: () => void } {
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      if (!enabled) return;
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 28;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(80));
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write('\r'.padEnd(81) + '\r');
    },
  };
}
