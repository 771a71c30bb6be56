/** How many jobs wait or run, by kind: read for the metrics, from the partial index on open jobs. */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';

export interface QueueDepthRow {
  readonly kind: string;
  readonly status: 'queued' | 'running';
  /** All jobs of this kind and status. */
  readonly jobs: number;
  /** Queued jobs whose time has come (the backlog); 0 for running. */
  readonly due: number;
}

/**
 * Open jobs (queued or running) by kind and status. Finished jobs (done, failed, cancelled) are
 * not counted: they are history, and counting them would scan the whole table.
 */
export async function queueDepth(db: Database): Promise<QueueDepthRow[]> {
  const res = await asPlatform(db, (tx) =>
    tx.query<{ kind: string; status: 'queued' | 'running'; jobs: number; due: number }>(
      `select kind, status, count(*)::int as jobs,
              (count(*) filter (where status = 'queued' and run_at <= now()))::int as due
         from jobs where status in ('queued', 'running')
        group by kind, status`,
    ),
  );
  return res.rows;
}
