/** The driver-neutral database handle shared by PGlite and node-postgres. */

export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** A statement runner bound to one open transaction. */
export interface Tx {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs literal-only SQL that may hold several statements (simple protocol). */
  exec(sql: string): Promise<void>;
  /**
   * Runs a write whose result nobody reads (an audit row) in this transaction, in order. Where the
   * driver allows (PostgreSQL) it travels in the same message as the next statement or the COMMIT,
   * one round trip fewer, and a failure is reported there; otherwise it runs at once.
   */
  queueWrite(sql: string, params?: readonly unknown[]): Promise<void>;
}

/** Connections of the runtime pool, read at metrics scrape time. */
export interface PoolStats {
  /** Open connections (busy + idle). */
  readonly total: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

/** Names of the two database roles; fixed so that migrations can grant to them. */
export const OWNER_ROLE = 'healthtrack_owner';
export const RUNTIME_ROLE = 'healthtrack_app';

/**
 * A database with two doors: runtime transactions run as the runtime role (RLS applies),
 * owner transactions run as the owner role (migrations and tenant-schema DDL only).
 * Neither is exported beyond `src/db` and `src/tenancy`.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in a transaction as the runtime role. `preamble` is literal-only SQL sent in the
   * same message as BEGIN (tenant context, search_path), so it costs no extra round trip.
   */
  runtimeTransaction<T>(preamble: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs one statement as the runtime role after `preamble`, in a single round trip where the
   * driver allows (PostgreSQL: one simple-protocol message, an implicit transaction).
   */
  runtimeStatement<R = Record<string, unknown>>(preamble: string, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs `fn` in a transaction as the owner role. */
  ownerTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs one statement as the database's connecting (bootstrap) user, outside any role switch. */
  bootstrapExec(sql: string): Promise<void>;
  /** The runtime pool's connections right now (metrics); optional for handles without a pool. */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}
