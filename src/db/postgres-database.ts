/** PostgreSQL via node-postgres behind the Database interface. */
import pg from 'pg';
import type { Database, QueryResult, Tx } from './database.ts';
import { OWNER_ROLE, RUNTIME_ROLE } from './database.ts';
import { inlineParams } from './inline-params.ts';

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
async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let begun = false;
  let broken = false;
  const first = async (sql: string, params?: readonly unknown[]): Promise<pg.QueryResult | null> => {
    if (begun) return null;
    begun = true;
    const inlined = inlineParams(sql, params);
    if (inlined === null) {
      await client.query(begin);
      return null;
    }
    return last(await client.query(`${begin}; ${inlined}`));
  };
  const tx: Tx = {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const merged = await first(sql, params);
      return toResult<R>(merged ?? (await client.query(sql, params as unknown[] | undefined)));
    },
    async exec(sql: string): Promise<void> {
      if (!(await first(sql))) await client.query(sql);
    },
  };
  try {
    const result = await fn(tx);
    if (begun) await client.query('commit');
    return result;
  } catch (err) {
    if (begun) {
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
}

/**
 * Opens two pools: a small owner pool for migrations and DDL, and the runtime pool whose
 * transactions always run as the runtime role (its own login, or SET LOCAL ROLE in BEGIN).
 */
export function openPostgres(options: PostgresOptions): Database {
  const owner = new pg.Pool({ connectionString: options.url, max: 4 });
  const runtime = new pg.Pool({ connectionString: options.runtimeUrl ?? options.url, max: options.poolSize });
  // An idle client losing its server must not crash the process; the pool replaces it.
  owner.on('error', () => undefined);
  runtime.on('error', () => undefined);

  return {
    kind: 'postgres',
    runtimeTransaction(preamble, fn) {
      // The role switch rides in the BEGIN message: even a connection opened by the owner login
      // can never run a runtime statement as anything but the runtime role.
      return inTransaction(runtime, `begin; set local role ${RUNTIME_ROLE}; ${preamble}`, fn);
    },
    async runtimeStatement<R>(preamble: string, sql: string, params?: readonly unknown[]) {
      const inlined = inlineParams(sql, params);
      if (inlined === null) return inTransaction(runtime, `begin; set local role ${RUNTIME_ROLE}; ${preamble}`, (tx) => tx.query<R>(sql, params));
      // One message, one implicit transaction: SET LOCAL and set_config(..., true) end with it.
      return toResult<R>(last(await runtime.query(`set local role ${RUNTIME_ROLE}; ${preamble}; ${inlined}`)));
    },
    ownerTransaction(fn) {
      return inTransaction(owner, `begin; set local role ${OWNER_ROLE}`, fn);
    },
    async bootstrapExec(sql) {
      await owner.query(sql);
    },
    async close() {
      await Promise.all([owner.end(), runtime.end()]);
    },
  };
}
