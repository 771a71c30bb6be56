/** PostgreSQL via node-postgres behind the Database interface. */
import pg from 'pg';
import type { Database, QueryResult, Tx } from './database.ts';
import { OWNER_ROLE, RUNTIME_ROLE } from './database.ts';
import { inlineParams } from './inline-params.ts';
import { AvailabilityWatch, isDatabaseUnavailable, logAvailability, type AvailabilityEvent } from './availability.ts';

// Dates stay strings ("YYYY-MM-DD"); timestamps become Date; bigint counts become numbers.
pg.types.setTypeParser(1082, (v: string) => v);
pg.types.setTypeParser(20, (v: string) => Number(v));

/** The result of the last statement of a (possibly multi-statement) simple query. */
function last(res: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(res) ? res[res.length - 1]! : res;
}

function toResult<R>(res: pg.QueryResult): QueryResult<R> {
  return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
}

/**
 * A transaction whose BEGIN (and preamble) is sent lazily, in the same message as its first
 * statement with the parameters inlined as literals: one round trip fewer per transaction.
 */
async function inTransaction<T>(pool: pg.Pool, watch: AvailabilityWatch, begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    watch.failed(err);
    throw err;
  }
  let begun = false;
  // Set when the connection itself failed (not a statement, not the caller's own code).
  let lost: unknown;
  const send = async (sql: string, params?: readonly unknown[]): Promise<pg.QueryResult | pg.QueryResult[]> => {
    try {
      return await client.query(sql, params as unknown[] | undefined);
    } catch (err) {
      if (isDatabaseUnavailable(err)) lost = err;
      throw err;
    }
  };
  // Queued writes (inlined, in order), sent ahead of the next statement or the COMMIT in its message.
  let queued: string[] = [];
  const takeQueued = (): string => {
    // A newline before each semicolon: a queued statement ending in a `--` comment cannot swallow
    // the separator and what follows.
    const head = queued.map((q) => `${q}\n; `).join('');
    queued = [];
    return head;
  };
  const first = async (sql: string, params?: readonly unknown[]): Promise<pg.QueryResult | null> => {
    if (begun) return null;
    begun = true;
    const inlined = inlineParams(sql, params);
    if (inlined === null) {
      await send(begin);
      return null;
    }
    return last(await send(`${begin}; ${inlined}`));
  };
  /** Sends `sql` after the queued writes: in one message when it can be inlined, else in two. */
  const afterQueued = async (sql: string, params?: readonly unknown[]): Promise<pg.QueryResult> => {
    if (queued.length > 0) {
      const inlined = params === undefined ? sql : inlineParams(sql, params);
      if (inlined !== null) return last(await send(takeQueued() + inlined));
      await send(takeQueued());
    }
    return last(await send(sql, params));
  };
  const tx: Tx = {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const merged = await first(sql, params);
      return toResult<R>(merged ?? (await afterQueued(sql, params)));
    },
    async exec(sql: string): Promise<void> {
      if (!(await first(sql))) await afterQueued(sql);
    },
    async queueWrite(sql: string, params?: readonly unknown[]): Promise<void> {
      const inlined = begun ? inlineParams(sql, params) : null;
      if (inlined === null) await tx.query(sql, params);
      else queued.push(inlined);
    },
  };
  let broken = false;
  try {
    const result = await fn(tx);
    if (begun) await send(`${takeQueued()}commit`);
    watch.succeeded();
    return result;
  } catch (err) {
    if (lost !== undefined) {
      // A lost or timed-out connection is in an unknown state: drop it rather than wait on a
      // rollback it may never answer (the server rolls back when the connection goes).
      watch.failed(lost);
      broken = true;
    } else if (begun) {
      try {
        await client.query('rollback');
      } catch {
        broken = true;
      }
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

export interface PostgresOptions {
  /** Owner/migration connection (also used for the runtime role via SET ROLE when no runtime URL). */
  readonly url: string;
  readonly runtimeUrl?: string | undefined;
  readonly poolSize: number;
  /** Longest wait for a new connection or a free pool slot (0: no limit). */
  readonly connectTimeoutMs?: number;
  /** Longest wait for one runtime statement's answer before its connection is dropped (0: no limit). */
  readonly queryTimeoutMs?: number;
  /** Told when the database becomes unreachable and when it is back (default: a line on stderr). */
  readonly onAvailability?: (event: AvailabilityEvent) => void;
}

/** TCP keepalive on every connection: a silently dead peer is found by the kernel, not by a request. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * Opens two pools: a small owner pool for migrations and DDL, and the runtime pool whose
 * transactions always run as the runtime role (its own login, or SET LOCAL ROLE in BEGIN).
 */
export function openPostgres(options: PostgresOptions): Database {
  const watch = new AvailabilityWatch(options.onAvailability ?? logAvailability);
  const common = {
    connectionTimeoutMillis: options.connectTimeoutMs ?? 0,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  };
  // Migrations and DDL may legitimately run long: the owner pool has no statement read timeout.
  const owner = new pg.Pool({ ...common, connectionString: options.url, max: 4 });
  const runtime = new pg.Pool({
    ...common,
    connectionString: options.runtimeUrl ?? options.url,
    max: options.poolSize,
    ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
  });
  for (const pool of [owner, runtime]) {
    // An idle client losing its server must not crash the process; the pool replaces it.
    pool.on('error', (err) => watch.failed(err));
    // Nor may a checked-out client that loses its server between two statements (the pool listens
    // only while a client is idle): the statement that follows fails and the connection is dropped.
    pool.on('connect', (client) => client.on('error', () => undefined));
  }

  return {
    kind: 'postgres',
    runtimeTransaction(preamble, fn) {
      // The role switch rides in the BEGIN message: even a connection opened by the owner login
      // can never run a runtime statement as anything but the runtime role.
      return inTransaction(runtime, watch, `begin; set local role ${RUNTIME_ROLE}; ${preamble}`, fn);
    },
    async runtimeStatement<R>(preamble: string, sql: string, params?: readonly unknown[]) {
      const inlined = inlineParams(sql, params);
      if (inlined === null) return inTransaction(runtime, watch, `begin; set local role ${RUNTIME_ROLE}; ${preamble}`, (tx) => tx.query<R>(sql, params));
      // One message, one implicit transaction: SET LOCAL and set_config(..., true) end with it.
      // (On an error the pool drops the connection itself.)
      let res: pg.QueryResult | pg.QueryResult[];
      try {
        res = await runtime.query(`set local role ${RUNTIME_ROLE}; ${preamble}; ${inlined}`);
      } catch (err) {
        watch.failed(err);
        throw err;
      }
      watch.succeeded();
      return toResult<R>(last(res));
    },
    ownerTransaction(fn) {
      return inTransaction(owner, watch, `begin; set local role ${OWNER_ROLE}`, fn);
    },
    async bootstrapExec(sql) {
      try {
        await owner.query(sql);
      } catch (err) {
        watch.failed(err);
        throw err;
      }
    },
    poolStats() {
      return { total: runtime.totalCount, idle: runtime.idleCount, waiting: runtime.waitingCount };
    },
    async close() {
      await Promise.all([owner.end(), runtime.end()]);
    },
  };
}
