/**
 * Where usage outside HTTP is counted: jobs run and emails sent (by wrapping the job handlers and
 * the mailer), and the daily storage snapshot (two jobs: a daily scheduler that enqueues one
 * measurement job per practice, page by page, and the measurement itself). Each practice is measured
 * in its own job and transactions, so thousands of practices never share one long transaction and
 * a slow one delays nobody else's beyond its turn in the queue.
 */
import type { Database } from '../db/database.ts';
import type { Job, JobHandler } from '../jobs/job-runner.ts';
import { enqueueJobsOnce } from '../jobs/job-queue.ts';
import type { Mailer } from '../infra/mailer.ts';
import { currentScope } from '../observability/work-scope.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { getTenant } from './tenant-lifecycle.ts';
import { measureTenantUsage } from './tenant-usage.ts';
import { utcDay, type UsageMeter } from './usage-meter.ts';

export const USAGE_SCHEDULE_JOB = 'usage.schedule';
export const USAGE_STORAGE_JOB = 'usage.storage';

/** Practices enqueued per statement by the scheduler. */
const SCHEDULE_PAGE = 500;
/** The scheduler runs shortly after each UTC midnight. */
const SCHEDULE_OFFSET_MS = 5 * 60_000;

/**
 * Wraps job handlers so that each run (an attempt, successful or not) of a practice's job counts as
 * one job and adds its database time to the practice's day.
 */
export function meterJobs(handlers: Map<string, JobHandler>, meter: UsageMeter): void {
  for (const [kind, handler] of handlers) {
    handlers.set(kind, async (job: Job) => {
      const scope = currentScope();
      try {
        await handler(job);
      } finally {
        const tenantId = job.tenant?.id ?? scope?.tenantId ?? null;
        if (tenantId) meter.count(tenantId, { jobsRun: 1, dbMs: scope?.dbMs ?? 0 });
      }
    });
  }
}

/** A mailer that counts each message handed over (sent over SMTP, or kept in development) for the practice of the work in progress. */
export function meterMailer(mailer: Mailer, meter: UsageMeter): Mailer {
  return {
    mode: mailer.mode,
    async send(message) {
      await mailer.send(message);
      const tenantId = currentScope()?.tenantId;
      if (tenantId) meter.count(tenantId, { emailsSent: 1 });
    },
  };
}

/** Enqueues the scheduler for `day` unless it exists (run at every start: one per day whatever the restarts). */
export async function scheduleDailyUsage(db: Database, now: Date = new Date()): Promise<void> {
  const day = utcDay(now);
  await asPlatform(db, (tx) => enqueueJobsOnce(tx, [{ tenantId: null, kind: USAGE_SCHEDULE_JOB, payload: { day }, runAt: now, dedupeKey: `${USAGE_SCHEDULE_JOB}:${day}` }]));
}

/**
 * Enqueues one storage measurement per practice for `day` (a page of practices per statement; a
 * practice already enqueued for that day is skipped), then the scheduler of the next day. Answers
 * how many measurements it added.
 */
export async function enqueueStorageSnapshots(db: Database, day: string, now: Date): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let added = 0;
  for (;;) {
    const page = await asPlatform(db, async (tx) => {
      const ids = await tx.query<{ id: string }>('select id from tenants where id > $1 order by id limit $2', [after, SCHEDULE_PAGE]);
      added += await enqueueJobsOnce(
        tx,
        ids.rows.map((r) => ({ tenantId: r.id, kind: USAGE_STORAGE_JOB, payload: { day }, runAt: now, dedupeKey: `${USAGE_STORAGE_JOB}:${r.id}:${day}` })),
      );
      return ids.rows;
    });
    if (page.length < SCHEDULE_PAGE) break;
    after = page.at(-1)!.id;
  }
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
  const nextDay = utcDay(next);
  await asPlatform(db, (tx) =>
    enqueueJobsOnce(tx, [
      { tenantId: null, kind: USAGE_SCHEDULE_JOB, payload: { day: nextDay }, runAt: new Date(next.getTime() + SCHEDULE_OFFSET_MS), dedupeKey: `${USAGE_SCHEDULE_JOB}:${nextDay}` },
    ]),
  );
  return added;
}

/** Measures one practice (the existing measurement) and keeps its storage as that day's snapshot. */
export async function snapshotStorage(db: Database, tenantId: string, day: string): Promise<number> {
  const tenant = await getTenant(db, tenantId);
  const usage = await measureTenantUsage(db, tenant);
  await asPlatform(db, (tx) =>
    tx.query(
      `insert into usage_daily (tenant_id, day, storage_bytes) values ($1, $2::date, $3)
       on conflict (tenant_id, day) do update set storage_bytes = excluded.storage_bytes`,
      [tenant.id, day, usage.storageBytes],
    ),
  );
  return usage.storageBytes;
}

/** The two usage jobs (not themselves metered: they are the platform's overhead, not the practice's). */
export function usageJobHandlers(db: Database): [string, JobHandler][] {
  return [
    [USAGE_SCHEDULE_JOB, async (job) => void (await enqueueStorageSnapshots(db, String(job.payload.day), job.now))],
    [
      USAGE_STORAGE_JOB,
      async (job) => {
        if (!job.tenant) return; // the practice was deleted: nothing to measure
        await snapshotStorage(db, job.tenant.id, String(job.payload.day));
      },
    ],
  ];
}
