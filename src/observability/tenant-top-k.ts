/**
 * Per-practice request counts with a bounded number of series, however many practices there are:
 * only the K busiest practices of the recent window get their own `tenant` label; every other
 * request is counted under tenant="other". Full per-practice detail is usage metering's job.
 *
 * Each series stays monotonic: a practice that joins the top K starts a new series from zero
 * (its earlier requests stay in "other"), one that leaves has its series removed. Prometheus
 * sees series appear and end, never a counter going down, so `rate()` stays right.
 */
import type { CounterCell, HotCounter } from './hot-path-metrics.ts';

export const OTHER_TENANTS = 'other';

export class TopTenants {
  /** Requests per practice since the last re-ranking (the recent window). */
  private window = new Map<string, number>();
  private readonly labelled = new Map<string, CounterCell>();
  private readonly other: CounterCell;
  private rankedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param counter the family with the single label `tenant`
   * @param k how many practices may have their own series
   * @param windowMs the shortest time between re-rankings (done at scrape time, off the hot path)
   */
  constructor(
    private readonly counter: HotCounter,
    private readonly k: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // Present from the start, so that the family exists before the first attributed request.
    this.other = counter.cell(OTHER_TENANTS, { tenant: OTHER_TENANTS });
  }

  /** Counts one request of `tenantId` (two map operations and an increment). */
  record(tenantId: string): void {
    this.window.set(tenantId, (this.window.get(tenantId) ?? 0) + 1);
    (this.labelled.get(tenantId) ?? this.other).value += 1;
  }

  /** Re-ranks when the window has passed (or never ranked); call before reading the counter. */
  maybeRerank(): void {
    const t = this.now();
    if (t - this.rankedAt < this.windowMs) return;
    this.rankedAt = t;
    this.rerank();
  }

  /** The K busiest practices of the window keep or get a series; the others lose theirs. */
  rerank(): void {
    const top = new Set(
      [...this.window.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, this.k)
        .map(([id]) => id),
    );
    for (const id of [...this.labelled.keys()]) {
      if (top.has(id)) continue;
      this.labelled.delete(id);
      this.counter.remove(id);
    }
    for (const id of top) {
      // "other" is the key of the catch-all cell; a practice id (a UUID) can never collide with it.
      if (!this.labelled.has(id)) this.labelled.set(id, this.counter.cell(id, { tenant: id }));
    }
    this.window = new Map();
  }
}
