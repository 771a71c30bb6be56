/**
 * Group commit for small tenant writes that must be durable before a request answers but need not
 * share its transaction: a read's audit event. The read itself then stays read-only (no
 * transaction id, no WAL flush of its own), and the writes of every request waiting at the same
 * moment, whatever their practice, commit together: one transaction and one WAL flush per batch
 * instead of per read. Each write still runs as the runtime role after its own tenant's context,
 * so row-level security checks every row against the practice it belongs to.
 *
 * A caller's promise settles only when its write has committed (or failed), so a response that
 * waits on it never goes out ahead of the record.
 */
import type { Database } from '../db/database.ts';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { currentScope, outsideScope, type WorkScope } from '../observability/work-scope.ts';
import type { TenantRef } from './tenant-db.ts';
import { withEachTenant } from './tenant-db.ts';

interface Pending {
  readonly tenant: TenantRef;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The request or job that asked for the write: it is charged its share of the batch's time. */
  readonly scope: WorkScope | undefined;
  resolve(): void;
  reject(err: unknown): void;
}

export interface GroupCommitStats {
  /** Transactions attempted, retries of single writes included. */
  readonly batches: number;
  /** Writes handed to the committer. */
  readonly writes: number;
}

/** Most writes one transaction carries; the rest wait for the next. */
export const GROUP_COMMIT_MAX_WRITES = 256;

/**
 * Batches in flight at once. While one batch waits for its WAL flush, the next can be on its way (and
 * PostgreSQL flushes their commits together), so a write does not wait for a whole earlier batch.
 */
export const GROUP_COMMIT_MAX_IN_FLIGHT = 2;

/** One per database handle: writes gather while the batches in flight are busy and go out as the next. */
export class GroupCommitter {
  readonly #db: Database;
  #pending: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  #batches = 0;
  #writes = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Resolves once the write has committed with its batch; rejects with the batch's (or its own) error. */
  write(tenant: TenantRef, sql: string, params: readonly unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ tenant, sql, params, scope: currentScope(), resolve, reject });
      this.#schedule();
    });
  }

  get stats(): GroupCommitStats {
    return { batches: this.#batches, writes: this.#writes };
  }

  /** Starts a batch on the next turn of the event loop, when there is room for one. */
  #schedule(): void {
    if (this.#scheduled || this.#pending.length === 0 || this.#inFlight >= GROUP_COMMIT_MAX_IN_FLIGHT) return;
    this.#scheduled = true;
    // Writes queued in this turn of the event loop join the batch. The batch serves many requests,
    // so it runs outside the first one's scope and charges each its share instead.
    outsideScope(() =>
      setImmediate(() => {
        this.#scheduled = false;
        this.#launch();
      }),
    );
  }

  #launch(): void {
    while (this.#pending.length > 0 && this.#inFlight < GROUP_COMMIT_MAX_IN_FLIGHT) {
      const batch = this.#pending.splice(0, GROUP_COMMIT_MAX_WRITES);
      this.#inFlight++;
      void this.#settle(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  /** Commits `batch` and settles each write's promise; never rejects. */
  async #settle(batch: readonly Pending[]): Promise<void> {
    this.#writes += batch.length;
    try {
      await this.#commit(batch);
      for (const p of batch) p.resolve();
    } catch (err) {
      // Database down or connection lost (perhaps after the COMMIT went out): every write fails at
      // once, with no retry piling onto an outage or repeating an event that may have committed.
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // A statement failed, so the batch rolled back: one bad write must not sink its neighbours.
      // Each is retried alone, one after another (a bounded load), and settles on its own.
      for (const p of batch) await this.#commit([p]).then(p.resolve, p.reject);
    }
  }

  /** One transaction: per write, its tenant's context then its statement, in one message where possible. */
  async #commit(batch: readonly Pending[]): Promise<void> {
    this.#batches++;
    const t0 = performance.now();
    try {
      await withEachTenant(this.#db, batch);
    } finally {
      const share = (performance.now() - t0) / batch.length;
      for (const p of batch) {
        if (!p.scope) continue;
        p.scope.dbMs += share;
        p.scope.dbStatements += 1;
      }
    }
  }
}

const committers = new WeakMap<Database, GroupCommitter>();

/** The group committer of `db` (created on first use). */
export function groupCommitter(db: Database): GroupCommitter {
  let c = committers.get(db);
  if (!c) committers.set(db, (c = new GroupCommitter(db)));
  return c;
}
