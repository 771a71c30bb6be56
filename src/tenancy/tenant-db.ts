/**
 * The one door to tenant tables (`withTenant`) and the named escalations (`asPlatform` for the
 * control plane, `asOwner` for DDL). Tenant context is transaction-local: it is sent in the same
 * message as BEGIN and vanishes at COMMIT, so a pooled connection never carries it further.
 */
import type { Database, QueryResult, Tx } from '../db/database.ts';
import { ident, literal, uuidLiteral } from '../db/sql-literal.ts';

export type Tier = 'pooled' | 'schema';

/** What the data plane needs to know of a tenant: its id and where its rows live. */
export interface TenantRef {
  readonly id: string;
  readonly slug: string;
  readonly tier: Tier;
  readonly schema: string;
}

/** A transaction scoped to one tenant; `tenantId` is the value RLS compares against. */
export interface TenantTx extends Tx {
  readonly tenantId: string;
}

/** The literal-only preamble that scopes a transaction to a tenant. */
export function tenantPreamble(tenantId: string, schema: string): string {
  return (
    `select set_config('app.tenant_id', ${uuidLiteral(tenantId)}, true), ` +
    `set_config('search_path', ${literal(ident(schema))}, true)`
  );
}

/**
 * Runs `fn` in a transaction scoped to `tenant`, as the runtime role, under RLS.
 * @example await withTenant(db, tenant, (tx) => tx.query('select * from patients where tenant_id = $1 and id = $2', [tx.tenantId, id]))
 */
export function withTenant<T>(db: Database, tenant: TenantRef, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  return db.runtimeTransaction(tenantPreamble(tenant.id, tenant.schema), (tx) =>
    fn({ tenantId: tenant.id, query: tx.query.bind(tx), exec: tx.exec.bind(tx) }),
  );
}

/**
 * Runs a single statement scoped to `tenant`: on PostgreSQL one round trip (role, context and
 * statement in one message, one implicit transaction). For hot reads; use `withTenant` for more.
 */
export function withTenantStatement<R>(db: Database, tenant: TenantRef, sql: string, params: readonly unknown[]): Promise<QueryResult<R>> {
  return db.runtimeStatement<R>(tenantPreamble(tenant.id, tenant.schema), sql, params);
}

const PLATFORM_PREAMBLE = `select set_config('search_path', 'platform', true)`;

/**
 * Escalation: runs `fn` against the control plane (schema `platform`) with no tenant context,
 * so tenant tables show nothing. Only platform code (tenants, identity) calls this.
 */
export function asPlatform<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.runtimeTransaction(PLATFORM_PREAMBLE, fn);
}

/**
 * Escalation: runs `fn` as the owner role, for DDL (dedicated schemas) and tenant erase.
 * RLS is forced on the owner too, so row work here still needs a tenant context.
 */
export function asOwner<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.ownerTransaction(fn);
}
