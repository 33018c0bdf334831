import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Client-side requests-per-minute and tokens-per-minute limits over a sliding 60 s window, so a run
 * stays inside an endpoint's quota instead of collecting 429s.
 */
export class RateLimiter {
  private events: { t: number; tokens: number }[] = [];

  constructor(
    private readonly rpm?: number,
    private readonly tpm?: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before a request of `tokens` may start (0 = now). */
  delayFor(tokens: number): number {
    const t = this.now();
    this.events = this.events.filter((e) => t - e.t < 60_000);
    let wait = 0;
    if (this.rpm !== undefined && this.events.length >= this.rpm) {
      wait = Math.max(wait, this.events[this.events.length - this.rpm]!.t + 60_000 - t);
    }
    if (this.tpm !== undefined) {
      let used = this.events.reduce((a, e) => a + e.tokens, 0);
      for (const e of this.events) {
        if (used + tokens <= this.tpm) break;
        used -= e.tokens;
        wait = Math.max(wait, e.t + 60_000 - t);
      }
    }
    return wait;
  }

  async acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.delayFor(tokens);
      if (wait <= 0) break;
      await sleep(wait, undefined, { signal });
    }
    this.events.push({ t: this.now(), tokens });
  }
}
