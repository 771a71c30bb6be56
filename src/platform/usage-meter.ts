/**
 * Per-practice, per-UTC-day usage counted in memory and added to `platform.usage_daily` in batches.
 *
 * Decision: the hot path (every request, every job) only touches a Map; a timer flushes every
 * `flushMs` with one statement that ADDS the deltas (`requests = usage_daily.requests + excluded.requests`),
 * so any number of processes or cluster workers sum correctly. Active users are de-duplicated in
 * memory (a user is sent once per practice and day per process) and inserted with ON CONFLICT DO
 * NOTHING in the same statement. What a process counted since its last flush is lost if it crashes
 * (at most `flushMs` of its traffic); a clean shutdown flushes (`close`).
 */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';

/** What is counted per practice and day (storage is a snapshot, written by the daily measurement). */
export interface UsageDelta {
  requests?: number;
  errors?: number;
  dbMs?: number;
  emailsSent?: number;
  jobsRun?: number;
}

interface Bucket {
  readonly tenantId: string;
  readonly day: string;
  requests: number;
  errors: number;
  /** Milliseconds, fractional: only whole milliseconds are flushed, the rest carries over. */
  dbMs: number;
  emailsSent: number;
  jobsRun: number;
  /** Users not yet sent for this practice and day. */
  readonly newUsers: Set<string>;
}

/** The UTC calendar day of `at`, as YYYY-MM-DD. */
export function utcDay(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

/** Users already sent, per `tenant|day`, kept for today and yesterday only. */
type SeenUsers = Map<string, Set<string>>;

export class UsageMeter {
  private buckets = new Map<string, Bucket>();
  private readonly seen: SeenUsers = new Map();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<number> | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private bucket(tenantId: string, day: string): Bucket {
    const key = `${tenantId}|${day}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tenantId, day, requests: 0, errors: 0, dbMs: 0, emailsSent: 0, jobsRun: 0, newUsers: new Set() };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Adds to a practice's counters for today (UTC). Cheap: no I/O. */
  count(tenantId: string, delta: UsageDelta, at: Date = this.clock()): void {
    const b = this.bucket(tenantId, utcDay(at));
    b.requests += delta.requests ?? 0;
    b.errors += delta.errors ?? 0;
    b.dbMs += delta.dbMs ?? 0;
    b.emailsSent += delta.emailsSent ?? 0;
    b.jobsRun += delta.jobsRun ?? 0;
  }

  /** Notes a staff user active today; only the first sighting per practice and day reaches the database. */
  activeUser(tenantId: string, userId: string, at: Date = this.clock()): void {
    const day = utcDay(at);
    const key = `${tenantId}|${day}`;
    let users = this.seen.get(key);
    if (!users) {
      users = new Set();
      this.seen.set(key, users);
    }
    if (users.has(userId)) return;
    users.add(userId);
    this.bucket(tenantId, day).newUsers.add(userId);
  }

  /**
   * Writes everything counted so far with one statement and answers how many practice-days it
   * wrote (inserted or updated). Rows of practices deleted meanwhile are dropped. On failure the deltas go back into
   * memory for the next flush.
   */
  flush(): Promise<number> {
    // One flush at a time per meter: a timer tick during a slow flush waits for it, then runs.
    const run = (this.flushing ?? Promise.resolve(0)).catch(() => 0).then(() => this.flushNow());
    this.flushing = run;
    return run;
  }

  private async flushNow(): Promise<number> {
    const taken = [...this.buckets.values()];
    this.buckets = new Map();
    this.forgetOldDays();
    // Today's sub-millisecond remainders carry over, so many short statements still add up; an
    // earlier day is closed, its time rounded, so nothing lingers in memory.
    const today = utcDay(this.clock());
    const rows = taken.map((b) => ({ b, ms: b.day === today ? Math.floor(b.dbMs) : Math.round(b.dbMs) }));
    const sendable = rows.filter(({ b, ms }) => b.requests || b.errors || ms || b.emailsSent || b.jobsRun || b.newUsers.size);
    for (const { b, ms } of rows) if (b.day === today && b.dbMs - ms > 0) this.bucket(b.tenantId, b.day).dbMs += b.dbMs - ms;
    if (sendable.length === 0) return 0;
    const users = sendable.flatMap(({ b }) => [...b.newUsers].map((u) => [b.tenantId, b.day, u] as const));
    let written: number;
    try {
      const res = await asPlatform(this.db, (tx) =>
        tx.query(
          `with active as (
             insert into usage_active_users (tenant_id, day, user_id)
             select u.tenant_id, u.day, u.user_id
               from unnest($8::uuid[], $9::date[], $10::uuid[]) as u (tenant_id, day, user_id)
               join tenants t on t.id = u.tenant_id
             on conflict do nothing)
           insert into usage_daily as d (tenant_id, day, requests, errors, db_ms, emails_sent, jobs_run)
           select v.tenant_id, v.day, v.requests, v.errors, v.db_ms, v.emails_sent, v.jobs_run
             from unnest($1::uuid[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
                  as v (tenant_id, day, requests, errors, db_ms, emails_sent, jobs_run)
             join tenants t on t.id = v.tenant_id
           on conflict (tenant_id, day) do update set
             requests = d.requests + excluded.requests, errors = d.errors + excluded.errors, db_ms = d.db_ms + excluded.db_ms,
             emails_sent = d.emails_sent + excluded.emails_sent, jobs_run = d.jobs_run + excluded.jobs_run`,
          [
            sendable.map(({ b }) => b.tenantId),
            sendable.map(({ b }) => b.day),
            sendable.map(({ b }) => b.requests),
            sendable.map(({ b }) => b.errors),
            sendable.map(({ ms }) => ms),
            sendable.map(({ b }) => b.emailsSent),
            sendable.map(({ b }) => b.jobsRun),
            users.map((u) => u[0]),
            users.map((u) => u[1]),
            users.map((u) => u[2]),
          ],
        ),
      );
      written = res.rowCount;
    } catch (err) {
      for (const { b, ms } of sendable) {
        this.count(b.tenantId, { requests: b.requests, errors: b.errors, dbMs: ms, emailsSent: b.emailsSent, jobsRun: b.jobsRun }, new Date(`${b.day}T12:00:00Z`));
        for (const u of b.newUsers) this.bucket(b.tenantId, b.day).newUsers.add(u);
      }
      throw err;
    }
    return written;
  }

  /** Keeps the in-memory user sets of today and yesterday only, so memory stays bounded. */
  private forgetOldDays(): void {
    const now = this.clock();
    const keep = new Set([utcDay(now), utcDay(new Date(now.getTime() - 86_400_000))]);
    for (const key of this.seen.keys()) if (!keep.has(key.slice(key.indexOf('|') + 1))) this.seen.delete(key);
  }

  /** Flushes every `flushMs` until `close`; a failed flush keeps its deltas for the next one. */
  start(flushMs: number): void {
    if (this.timer || flushMs <= 0) return;
    this.timer = setInterval(() => {
      this.flush().catch(() => undefined);
    }, flushMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes what is left (best effort: the process is going away). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => undefined);
  }
}
