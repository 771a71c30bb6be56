/**
 * The per-practice request limiter's contract: a token bucket (sustained rate + burst) and a cap on
 * requests in progress, both keyed by tenant id and decided in memory or in one Redis round trip.
 */

/** The limits one practice's requests are held to. */
export interface RequestLimits {
  /** Token bucket refill, requests per second (sustained rate). */
  readonly ratePerSecond: number;
  /** Token bucket size: requests allowed at once above the sustained rate. */
  readonly burst: number;
  /** Requests of the practice in progress at the same time. */
  readonly maxConcurrent: number;
}

/** The limiter's answer: admitted with a release for the end of the request, or refused with a wait. */
export type Admission =
  | { readonly kind: 'admitted'; release(): void }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'concurrency_limited'; readonly retryAfterSeconds: number };

export interface TenantLimiter {
  /** Counts one request of `tenantId` against `limits`; an admitted request must be released once. */
  admit(tenantId: string, limits: RequestLimits): Promise<Admission>;
  close(): Promise<void>;
}

/**
 * Seconds to suggest before retrying when the practice is at its concurrency cap: about as long as
 * its recent requests took (an exponentially weighted mean), at least one second.
 */
export class DurationEstimate {
  private readonly meanMs = new Map<string, number>();

  record(tenantId: string, ms: number): void {
    const prev = this.meanMs.get(tenantId);
    if (prev === undefined && this.meanMs.size > 100_000) this.meanMs.clear();
    this.meanMs.set(tenantId, prev === undefined ? ms : prev * 0.8 + ms * 0.2);
  }

  retryAfterSeconds(tenantId: string): number {
    return Math.max(1, Math.ceil((this.meanMs.get(tenantId) ?? 0) / 1000));
  }
}

/**
 * The answer for an admitted request: its `release` runs once however often it is called, records
 * how long the request held its slot in `durations`, then runs `giveBack` to free the slot.
 *
 * @example return admitted(durations, tenantId, performance.now.bind(performance), () => slots.delete(requestId));
 */
export function admitted(durations: DurationEstimate, tenantId: string, clock: () => number, giveBack: () => void): Admission {
  const started = clock();
  let released = false;
  return {
    kind: 'admitted',
    release: () => {
      if (released) return;
      released = true;
      durations.record(tenantId, clock() - started);
      giveBack();
    },
  };
}
