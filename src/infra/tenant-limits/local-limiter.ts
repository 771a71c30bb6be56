/**
 * The in-process limiter: a token bucket and an in-progress count per practice, in two maps. Used
 * alone without Redis, and as the fallback while Redis is unreachable.
 */
import { admitted, DurationEstimate, type Admission, type RequestLimits, type TenantLimiter } from './limiter.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class LocalLimiter implements TenantLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    readonly durations = new DurationEstimate(),
    private readonly clock: () => number = performance.now.bind(performance),
  ) {}

  /** Synchronous core of `admit` (the Redis limiter falls back to it without an extra await). */
  admitNow(tenantId: string, limits: RequestLimits): Admission {
    const running = this.inFlight.get(tenantId) ?? 0;
    if (running >= limits.maxConcurrent) {
      return { kind: 'concurrency_limited', retryAfterSeconds: this.durations.retryAfterSeconds(tenantId) };
    }
    const now = this.clock();
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      // Practices are few and known (the tenant was resolved first), so the map stays small.
      bucket = { tokens: limits.burst, at: now };
      this.buckets.set(tenantId, bucket);
    }
    const perMs = limits.ratePerSecond / 1000;
    bucket.tokens = Math.min(limits.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    }
    bucket.tokens -= 1;
    this.inFlight.set(tenantId, running + 1);
    return admitted(this.durations, tenantId, this.clock, () => {
      const left = (this.inFlight.get(tenantId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(tenantId);
      else this.inFlight.set(tenantId, left);
    });
  }

  admit(tenantId: string, limits: RequestLimits): Promise<Admission> {
    return Promise.resolve(this.admitNow(tenantId, limits));
  }

  async close(): Promise<void> {}
}
