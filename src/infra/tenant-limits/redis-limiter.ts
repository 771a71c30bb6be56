/**
 * The shared limiter: every process of a deployment counts a practice's requests in Redis, in one
 * atomic script per request (one round trip, EVALSHA). While Redis is unreachable it fails open to
 * the in-process limiter (logged once per outage), so a Redis problem never fails a request.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LocalLimiter } from './local-limiter.ts';
import { admitted, type Admission, type RequestLimits, type TenantLimiter } from './limiter.ts';

// The clock a request's held duration is measured with (monotonic, like the local limiter's).
const clock = performance.now.bind(performance);

/**
 * KEYS[1] the bucket (hash: tokens, at), KEYS[2] the requests in progress (sorted set: member →
 * lease expiry). ARGV: rate per second, burst, max concurrent, lease ms, member. Time is Redis's own
 * clock, so processes with skewed clocks agree. Answers {0} admitted, {1, wait ms} rate limited,
 * {2} at the concurrency cap. A request's slot is a lease: a process that dies without releasing
 * frees its slots when their leases run out, never later.
 */
const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMs = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return {2}
end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local idle = math.ceil(burst / perMs) + 1000
if tokens < 1 then
  return {1, math.ceil((1 - tokens) / perMs)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
redis.call('PEXPIRE', KEYS[2], lease)
return {0}
`;

export interface RedisLimiterOptions {
  readonly url: string;
  readonly keyPrefix: string;
  /** How long a request's concurrency slot lives if its process never releases it. */
  readonly leaseMs?: number;
  /** A request waits at most this long for Redis before the in-process limiter decides. */
  readonly commandTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

type AdmitReply = [0] | [1, number] | [2];

interface WithAdmit extends Redis {
  htAdmit(bucket: string, inFlight: string, rate: number, burst: number, maxConcurrent: number, leaseMs: number, member: string): Promise<AdmitReply>;
}

export class RedisLimiter implements TenantLimiter {
  readonly local: LocalLimiter;
  private readonly redis: WithAdmit;
  private readonly process = randomUUID();
  private sequence = 0;
  private degraded = false;
  private readonly leaseMs: number;
  private readonly log: (message: string) => void;

  constructor(private readonly options: RedisLimiterOptions) {
    this.local = new LocalLimiter();
    this.leaseMs = options.leaseMs ?? 120_000;
    this.log = options.log ?? ((message) => console.warn(message));
    // No offline queue and a short command timeout: while Redis is away, requests are decided
    // locally at once instead of waiting for a reconnect.
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
    }) as WithAdmit;
    this.redis.defineCommand('htAdmit', { numberOfKeys: 2, lua: ADMIT_SCRIPT });
    this.redis.on('error', (err: Error) => this.fallBack(err));
  }

  /** Resolves once connected (tests and start-up checks; requests never wait for it). */
  ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.redis.once('ready', () => resolve()));
  }

  private fallBack(err: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log(`tenant limits: Redis unreachable (${err instanceof Error ? err.message : String(err)}); limiting per process until it is back`);
  }

  async admit(tenantId: string, limits: RequestLimits): Promise<Admission> {
    const keys = `${this.options.keyPrefix}tl:{${tenantId}}`;
    const member = `${this.process}:${++this.sequence}`;
    let reply: AdmitReply;
    try {
      reply = await this.redis.htAdmit(`${keys}:bucket`, `${keys}:inflight`, limits.ratePerSecond, limits.burst, limits.maxConcurrent, this.leaseMs, member);
    } catch (err) {
      this.fallBack(err);
      // A timeout may come after the script ran and took a slot: give it back (best effort; the
      // lease ends it otherwise).
      this.redis.zrem(`${keys}:inflight`, member).catch(() => undefined);
      return this.local.admitNow(tenantId, limits);
    }
    if (this.degraded) {
      this.degraded = false;
      this.log('tenant limits: Redis is back; limits are shared across processes again');
    }
    if (reply[0] === 2) return { kind: 'concurrency_limited', retryAfterSeconds: this.local.durations.retryAfterSeconds(tenantId) };
    if (reply[0] === 1) return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil(reply[1] / 1000)) };
    return admitted(this.local.durations, tenantId, clock, () => {
      // A release lost to a Redis outage is not retried: the slot's lease ends it.
      this.redis.zrem(`${keys}:inflight`, member).catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
