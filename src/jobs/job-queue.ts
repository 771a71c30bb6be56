/** Enqueueing durable jobs, inside the caller's transaction so a job exists iff its cause committed. */
import type { Tx } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';

export interface NewJob {
  readonly tenantId: string | null;
  readonly kind: string;
  /** Ids and scalars only: never PHI. */
  readonly payload: Record<string, string | number | boolean | null>;
  readonly runAt: Date;
  /** Enqueueing again with the same key reschedules the queued job instead of adding one. */
  readonly dedupeKey?: string;
  readonly maxAttempts?: number;
}

/**
 * Adds (or, with a dedupe key, re-arms) a job. Works from any runtime transaction, including a
 * tenant one: the table is qualified with its schema.
 */
export async function enqueueJob(tx: Tx, job: NewJob): Promise<void> {
  // Nothing reads the result: queued, it rides with the transaction's next statement or COMMIT.
  await tx.queueWrite(
    `insert into platform.jobs (id, tenant_id, kind, payload, run_at, dedupe_key, max_attempts)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (dedupe_key) do update
       set payload = excluded.payload, run_at = excluded.run_at, status = 'queued', attempts = 0, last_error = null,
           locked_until = null, finished_at = null
       where platform.jobs.status <> 'running'`,
    [uuidv7(), job.tenantId, job.kind, JSON.stringify(job.payload), job.runAt.toISOString(), job.dedupeKey ?? null, job.maxAttempts ?? 5],
  );
}

/** Cancels a queued job by its dedupe key (e.g. the reminder of a cancelled appointment). */
export async function cancelJob(tx: Tx, dedupeKey: string): Promise<void> {
  await tx.query(`update platform.jobs set status = 'cancelled', finished_at = now() where dedupe_key = $1 and status = 'queued'`, [dedupeKey]);
}

/**
 * Adds many jobs with one statement; a job whose dedupe key already exists, in any state (done
 * included), is left alone. For schedules that must run once per key (the daily usage measurement).
 * Answers how many were added.
 */
export async function enqueueJobsOnce(tx: Tx, jobs: readonly (NewJob & { readonly dedupeKey: string })[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const res = await tx.query(
    `insert into platform.jobs (id, tenant_id, kind, payload, run_at, dedupe_key, max_attempts)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::text[], $7::int[])
     on conflict (dedupe_key) do nothing`,
    [
      jobs.map(() => uuidv7()),
      jobs.map((j) => j.tenantId),
      jobs.map((j) => j.kind),
      jobs.map((j) => JSON.stringify(j.payload)),
      jobs.map((j) => j.runAt.toISOString()),
      jobs.map((j) => j.dedupeKey),
      jobs.map((j) => j.maxAttempts ?? 5),
    ],
  );
  return res.rowCount;
}
