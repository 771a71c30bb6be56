/**
 * Wraps a Database so that every runtime statement's wall time is added to the current work scope
 * (per-tenant metering) and reported to the registered listeners (Prometheus histograms). The
 * wrapper adds one `performance.now()` pair per statement; it sends nothing extra to the database.
 */
import type { Database, QueryResult, Tx } from './database.ts';
import { currentScope } from '../observability/work-scope.ts';

/** Called after each runtime statement with its duration and whether it failed. */
export type StatementListener = (ms: number, failed: boolean) => void;

const listeners = new Set<StatementListener>();

/** Registers a listener for runtime statement timings; returns a function that removes it. */
export function onStatement(listener: StatementListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function record(ms: number, failed: boolean): void {
  const scope = currentScope();
  if (scope) {
    scope.dbMs += ms;
    scope.dbStatements += 1;
  }
  for (const listener of listeners) listener(ms, failed);
}

async function timed<T>(run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    const result = await run();
    record(performance.now() - t0, false);
    return result;
  } catch (err) {
    record(performance.now() - t0, true);
    throw err;
  }
}

function timedTx(tx: Tx): Tx {
  return {
    query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      return timed(() => tx.query<R>(sql, params));
    },
    exec(sql: string): Promise<void> {
      return timed(() => tx.exec(sql));
    },
    queueWrite(sql: string, params?: readonly unknown[]): Promise<void> {
      return timed(() => tx.queueWrite(sql, params));
    },
  };
}

/**
 * The same database, with runtime statements timed. Owner (DDL) work is not metered. Everything
 * else (PGlite's `startServing`, `dump`) is inherited from the wrapped handle.
 */
export function timeDatabase<D extends Database>(db: D): D {
  const wrapped = Object.create(db) as D;
  Object.assign(wrapped, {
    runtimeTransaction: <T>(preamble: string, fn: (tx: Tx) => Promise<T>) => db.runtimeTransaction(preamble, (tx) => fn(timedTx(tx))),
    runtimeStatement: <R>(preamble: string, sql: string, params?: readonly unknown[]) => timed(() => db.runtimeStatement<R>(preamble, sql, params)),
  });
  return wrapped;
}
