/**
 * The unit of work being served (an HTTP request or a background job) and what it has cost so far.
 * Database time is added by the timed database wrapper from wherever the statement runs, through
 * AsyncLocalStorage, so no use case has to pass a meter around. Metering and metrics read it when
 * the work ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface WorkScope {
  /** The practice the work is for, once known (set by tenant resolution or the job runner). */
  tenantId: string | null;
  /** Wall time spent waiting on database statements, in milliseconds. */
  dbMs: number;
  /** Statements (or statement batches sent as one message) run for this work. */
  dbStatements: number;
}

const storage = new AsyncLocalStorage<WorkScope>();

/** A fresh scope for one unit of work. */
export function newWorkScope(tenantId: string | null = null): WorkScope {
  return { tenantId, dbMs: 0, dbStatements: 0 };
}

/** Runs `fn` (and everything it awaits) inside `scope`. */
export function runInScope<T>(scope: WorkScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the work in progress, or undefined outside any (start-up, migrations). */
export function currentScope(): WorkScope | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it awaits) outside any scope: work done on behalf of several. */
export function outsideScope<T>(fn: () => T): T {
  return storage.exit(fn);
}
