/** PGlite (embedded PostgreSQL in WASM) behind the Database interface. */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import type { Database, QueryResult, Tx } from './database.ts';
import { OWNER_ROLE, RUNTIME_ROLE } from './database.ts';

function wrap(q: Pick<PGlite, 'query' | 'exec'>): Tx {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(sql, params as unknown[] | undefined);
      // PGlite reports affectedRows = 0 for SELECT; a statement that returns rows counts its rows.
      return { rows: res.rows, rowCount: res.fields.length > 0 ? res.rows.length : (res.affectedRows ?? 0) };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
    // In process there is no round trip to save: the write runs at once.
    async queueWrite(sql: string, params?: readonly unknown[]): Promise<void> {
      await q.query(sql, params as unknown[] | undefined);
    },
  };
}

export interface PgliteDatabase extends Database {
  /** Switches the session to the runtime role for good. */
  startServing(): Promise<void>;
  /** Dumps the data directory (used to build the migrated test template). */
  dump(): Promise<Blob>;
}

export interface PgliteOptions {
  /** Folder to persist into; undefined keeps it in memory. */
  readonly dataDir?: string;
  /** A dumped data directory to start from (tests use a migrated template). */
  readonly loadDataDir?: Blob;
}

/**
 * Opens PGlite. Its only connection belongs to the superuser `postgres`, so every transaction
 * switches role with SET LOCAL ROLE; between transactions the session role is the runtime role,
 * so nothing can run as the superuser by accident once `startServing` has been called.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pg = new PGlite({
    extensions: { btree_gist },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  await pg.waitReady;
  // Runtime work started and not finished: PGlite runs one at a time, the rest wait (pool metrics).
  let inFlight = 0;
  const tracked = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await run();
    } finally {
      inFlight--;
    }
  };

  return {
    kind: 'pglite',
    async runtimeTransaction(preamble, fn) {
      return tracked(() =>
        pg.transaction(async (t) => {
          await t.exec(`set local role ${RUNTIME_ROLE}; ${preamble}`);
          return fn(wrap(t));
        }),
      );
    },
    async runtimeStatement(preamble, sql, params) {
      return tracked(() =>
        pg.transaction(async (t) => {
          await t.exec(`set local role ${RUNTIME_ROLE}; ${preamble}`);
          return wrap(t).query(sql, params);
        }),
      );
    },
    poolStats() {
      return { total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) };
    },
    async ownerTransaction(fn) {
      return pg.transaction(async (t) => {
        await t.exec(`set local role ${OWNER_ROLE}`);
        return fn(wrap(t));
      });
    },
    async bootstrapExec(sql) {
      await pg.exec(`reset role; ${sql}`);
      await pg.exec(`set role ${RUNTIME_ROLE}`).catch(() => undefined);
    },
    async startServing() {
      await pg.exec(`set role ${RUNTIME_ROLE}`);
    },
    async dump() {
      return pg.dumpDataDir('none');
    },
    async close() {
      await pg.close();
    },
  };
}
