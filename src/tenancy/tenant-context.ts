/** The explicit context every tenant use case receives: who acts, for which tenant, and the data door. */
import type { Database, QueryResult } from '../db/database.ts';
import type { TenantRef, TenantTx } from './tenant-db.ts';
import { withTenant, withTenantStatement } from './tenant-db.ts';
import { groupCommitter } from './group-commit.ts';
import { AsyncLocalStorage } from 'node:async_hooks';

/** Set while a context's transaction callback runs (and in everything it awaits): see groupWrite. */
const insideTransaction = new AsyncLocalStorage<boolean>();

export type ActorKind = 'user' | 'operator' | 'system' | 'patient';

export interface Actor {
  readonly kind: ActorKind;
  readonly id: string | null;
}

export interface TenantContext {
  readonly tenant: TenantRef;
  readonly actor: Actor;
  readonly permissions: ReadonlySet<string>;
  readonly requestId: string | null;
  readonly ip: string | null;
  /** Opens a transaction on this tenant's data; the only way use cases reach tenant tables. */
  tx<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  /** Runs one statement on this tenant's data in a single round trip; `$1` conventionally the tenant id. */
  statement<R = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * A write on this tenant's data that must be durable before the caller goes on but need not join
   * its transaction (a read's audit event): group-committed with concurrent requests' writes.
   */
  groupWrite(sql: string, params: readonly unknown[]): Promise<void>;
}

/**
 * A check that rides in the same message as the context's tenant statements until one succeeds
 * (e.g. "the member's access is still what this context was built with", access-check.ts).
 */
export interface StatementGuard {
  /** Literal-only SQL (starting with `;`) to run after the tenant context; '' once proved. May throw to refuse. */
  sql(): string;
  /** The outcome of a transaction or statement that carried `sql()`; `ran` is false when no statement was sent. */
  settle(ran: boolean, err: unknown): void;
}

export interface TenantContextInit {
  readonly tenant: TenantRef;
  readonly actor: Actor;
  readonly permissions?: Iterable<string>;
  readonly requestId?: string | null;
  readonly ip?: string | null;
  readonly guard?: StatementGuard;
}

async function guardedTx<T>(db: Database, tenant: TenantRef, guard: StatementGuard, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const sql = guard.sql();
  let ran = false;
  // Each statement settles the guard on its own outcome: a callback that catches the guard's error
  // and returns normally must not let the check pass (PostgreSQL turns that COMMIT into a rollback).
  const settleOnError = (err: unknown): never => {
    guard.settle(true, err);
    throw err;
  };
  const counted = (tx: TenantTx): TenantTx => ({
    tenantId: tx.tenantId,
    query: <R>(q: string, p?: readonly unknown[]) => ((ran = true), tx.query<R>(q, p).catch(settleOnError)),
    exec: (q) => ((ran = true), tx.exec(q).catch(settleOnError)),
    queueWrite: (q, p) => ((ran = true), tx.queueWrite(q, p).catch(settleOnError)),
  });
  return withTenant(db, tenant, (tx) => fn(counted(tx)), sql).then(
    (result) => (guard.settle(ran, null), result),
    (err: unknown) => {
      guard.settle(ran, err);
      throw err;
    },
  );
}

async function guardedStatement<R>(db: Database, tenant: TenantRef, guard: StatementGuard, sql: string, params: readonly unknown[]): Promise<QueryResult<R>> {
  return withTenantStatement<R>(db, tenant, sql, params, guard.sql()).then(
    (result) => (guard.settle(true, null), result),
    (err: unknown) => {
      guard.settle(true, err);
      throw err;
    },
  );
}

/** Builds a context bound to `db`; tests and the CLI use it exactly as the HTTP layer does. */
export function tenantContext(db: Database, init: TenantContextInit): TenantContext {
  const tenant = init.tenant;
  const guard = init.guard;
  return {
    tenant,
    actor: init.actor,
    permissions: new Set(init.permissions ?? []),
    requestId: init.requestId ?? null,
    ip: init.ip ?? null,
    tx: (fn) => {
      const marked = (tx: TenantTx) => insideTransaction.run(true, () => fn(tx));
      return guard ? guardedTx(db, tenant, guard, marked) : withTenant(db, tenant, marked);
    },
    statement: (sql, params) => (guard ? guardedStatement(db, tenant, guard, sql, params) : withTenantStatement(db, tenant, sql, params)),
    groupWrite: (sql, params) => {
      // Inside a transaction the write would not share its fate, and on PGlite (one connection) the
      // batch would wait for that very transaction for good: such writes belong in the transaction.
      if (insideTransaction.getStore()) return Promise.reject(new Error('groupWrite called inside a transaction: write it in the transaction instead'));
      return groupCommitter(db).write(tenant, sql, params);
    },
  };
}
