/**
 * Runs due jobs: claims a batch with FOR UPDATE SKIP LOCKED (safe with several processes), runs
 * each under its tenant's context, retries failures with exponential backoff, and takes back jobs
 * whose process died (their lock expires). A job runs at least once; handlers make it idempotent.
 */
import type { Database } from '../db/database.ts';
import { asPlatform, type TenantRef, type Tier } from '../tenancy/tenant-db.ts';
import { newWorkScope, runInScope } from '../observability/work-scope.ts';
import { reportJobRun, reportJobStart } from '../observability/job-events.ts';

export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly tenant: TenantRef | null;
  /** The runner's clock for this batch (real time, or the time a test drives it at). */
  readonly now: Date;
}

export type JobHandler = (job: Job) => Promise<void>;

interface ClaimedRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  tenant_id: string | null;
  slug: string | null;
  tier: Tier | null;
  schema_name: string | null;
}

export interface RunnerOptions {
  readonly batchSize?: number;
  readonly lockSeconds?: number;
  readonly pollMs?: number;
  /**
   * Most jobs of one practice in a batch (default: the whole batch). Turn order already gives every
   * practice with due jobs a place in the batch; a lower cap also bounds how long one practice's
   * batch can delay another's newly due job, at the cost of that practice's throughput when alone.
   */
  readonly perTenantCap?: number;
}

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private scope: (() => readonly string[]) | undefined;

  constructor(
    private readonly db: Database,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly options: RunnerOptions = {},
  ) {}

  /**
   * Limits this runner to the jobs of the given practices. Tests use it: several test processes
   * share one PostgreSQL database, and a runner driven to a future `now` must not claim (and run
   * early) another process's jobs. Production runners have no scope.
   */
  restrictTo(tenantIds: () => readonly string[]): void {
    this.scope = tenantIds;
  }

  /** Claims and runs one batch of due jobs; returns how many ran. */
  async runDue(now?: Date): Promise<number> {
    const scope = this.scope?.() ?? null;
    const batchSize = this.options.batchSize ?? 20;
    const claimed = await asPlatform(this.db, (tx) =>
      tx.query<ClaimedRow>(
        // Tenant-fair: each practice's due jobs are numbered oldest first and the batch takes turn 1
        // of every practice, then turn 2, … (at most perTenantCap each), so one practice with
        // thousands of due jobs cannot starve the others. Row locks cannot be taken in a query with
        // a window function, so the second step locks the picks (SKIP LOCKED) and re-checks them.
        `with ranked as (
           select id, run_at, row_number() over (partition by tenant_id order by run_at, id) as turn from jobs
            where ((status = 'queued' and run_at <= coalesce($2::timestamptz, now()))
               or (status = 'running' and locked_until < now()))
              and ($4::uuid[] is null or tenant_id = any($4::uuid[]))),
         due as (
           select j.id, r.turn from jobs j join ranked r on r.id = j.id
            where r.turn <= $5
              and ((j.status = 'queued' and j.run_at <= coalesce($2::timestamptz, now()))
               or (j.status = 'running' and j.locked_until < now()))
            order by r.turn, r.run_at limit $1 for update of j skip locked),
         claimed as (
           update jobs j set status = 'running', attempts = j.attempts + 1, locked_until = now() + make_interval(secs => $3)
             from due where j.id = due.id
           returning j.id, j.kind, j.payload, j.attempts, j.max_attempts, j.tenant_id, j.run_at, due.turn)
         select c.id, c.kind, c.payload, c.attempts, c.max_attempts, c.tenant_id, t.slug, t.tier, t.schema_name
           from claimed c left join tenants t on t.id = c.tenant_id
          order by c.turn, c.run_at`,
        [batchSize, now?.toISOString() ?? null, this.options.lockSeconds ?? 300, scope === null ? null : [...scope], this.options.perTenantCap ?? batchSize],
      ),
    );
    for (const row of claimed.rows) await this.runOne(row, now ?? new Date());
    return claimed.rows.length;
  }

  private async runOne(row: ClaimedRow, now: Date): Promise<void> {
    const handler = this.handlers.get(row.kind);
    const tenant: TenantRef | null =
      row.tenant_id && row.slug && row.tier && row.schema_name ? { id: row.tenant_id, slug: row.slug, tier: row.tier, schema: row.schema_name } : null;
    const t0 = performance.now();
    const scope = newWorkScope(tenant?.id ?? null);
    reportJobStart(row.kind, scope);
    try {
      if (!handler) throw new Error(`no handler for job kind "${row.kind}"`);
      if (row.tenant_id && !tenant) throw new Error('tenant no longer exists');
      const job = { id: row.id, kind: row.kind, payload: row.payload, attempts: row.attempts, tenant, now };
      await runInScope(scope, () => handler(job));
      await asPlatform(this.db, (tx) => tx.query(`update jobs set status = 'done', finished_at = now(), locked_until = null where id = $1`, [row.id]));
      reportJobRun(row.kind, 'done', performance.now() - t0, scope);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = row.attempts >= row.max_attempts;
      // Backoff: 30 s, 1 min, 2 min, 4 min, … capped at 1 h.
      const delay = Math.min(3600, 30 * 2 ** (row.attempts - 1));
      await asPlatform(this.db, (tx) =>
        tx.query(
          `update jobs set status = $2, last_error = $3, locked_until = null,
                  run_at = case when $2 = 'queued' then now() + make_interval(secs => $4) else run_at end,
                  finished_at = case when $2 = 'failed' then now() else null end
            where id = $1`,
          [row.id, final ? 'failed' : 'queued', message.slice(0, 1000), delay],
        ),
      );
      reportJobRun(row.kind, final ? 'failed' : 'retry', performance.now() - t0, scope);
    }
  }

  /** Polls for due jobs until `stop()`. */
  start(): void {
    const tick = async () => {
      try {
        this.running = this.runDue();
        await this.running;
      } catch {
        // The database may be briefly unavailable; the next tick retries.
      } finally {
        this.running = undefined;
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
      }
    };
    this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
  }

  /** Stops polling and waits for the batch in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
