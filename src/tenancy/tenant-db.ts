/**
 * The one door to tenant tables (`withTenant`) and the named escalations (`asPlatform` for the
 * control plane, `asOwner` for DDL). Tenant context is transaction-local: it is sent in the same
 * message as BEGIN and vanishes at COMMIT, so a pooled connection never carries it further.
 */
import type { Database, QueryResult, Tx } from '../db/database.ts';
import { ident, literal, uuidLiteral } from '../db/sql-literal.ts';
import { currentScope } from '../observability/work-scope.ts';

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

/** Used when a Database was never configured (config default: HEALTHTRACK_STATEMENT_TIMEOUT_MS). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
const statementTimeouts = new WeakMap<Database, number>();

/** Sets the statement timeout of every runtime transaction and statement on `db` (0 = none). */
export function configureStatementTimeout(db: Database, ms: number): void {
  statementTimeouts.set(db, Math.max(0, Math.floor(ms)));
}

/**
 * The per-use override: a view of `db` whose runtime work gets `ms` instead (reports, exports).
 * @example const reportDb = withStatementTimeout(services.db, config.protection.reportStatementTimeoutMs)
 */
export function withStatementTimeout(db: Database, ms: number): Database {
  const view = Object.create(db) as Database;
  configureStatementTimeout(view, ms);
  return view;
}

function timeoutSql(db: Database | undefined): string {
  const ms = (db && statementTimeouts.get(db)) ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // Transaction-local like the tenant context, and in the same message: no extra round trip. It
  // applies from the next statement on (PostgreSQL reads it when a statement starts).
  return `set_config('statement_timeout', '${ms}', true)`;
}

/** The literal-only preamble that scopes a transaction to a tenant and bounds its statements. */
export function tenantPreamble(tenantId: string, schema: string, db?: Database): string {
  return (
    `select set_config('app.tenant_id', ${uuidLiteral(tenantId)}, true), ` +
    `set_config('search_path', ${literal(ident(schema))}, true), ` +
    timeoutSql(db)
  );
}

/** The work in progress is for this tenant (metering): the first practice it touches wins. */
function attribute(tenant: TenantRef): void {
  const scope = currentScope();
  if (scope && scope.tenantId === null) scope.tenantId = tenant.id;
}

/**
 * Runs `fn` in a transaction scoped to `tenant`, as the runtime role, under RLS. `guard` is
 * literal-only SQL (starting with `;`) run after the tenant context, in the same message.
 * @example await withTenant(db, tenant, (tx) => tx.query('select * from patients where tenant_id = $1 and id = $2', [tx.tenantId, id]))
 */
export function withTenant<T>(db: Database, tenant: TenantRef, fn: (tx: TenantTx) => Promise<T>, guard = ''): Promise<T> {
  attribute(tenant);
  return db.runtimeTransaction(tenantPreamble(tenant.id, tenant.schema, db) + guard, (tx) =>
    fn({ tenantId: tenant.id, query: tx.query.bind(tx), exec: tx.exec.bind(tx), queueWrite: tx.queueWrite.bind(tx) }),
  );
}

/**
 * Runs a single statement scoped to `tenant`: on PostgreSQL one round trip (role, context and
 * statement in one message, one implicit transaction). For hot reads; use `withTenant` for more.
 */
export function withTenantStatement<R>(db: Database, tenant: TenantRef, sql: string, params: readonly unknown[], guard = ''): Promise<QueryResult<R>> {
  attribute(tenant);
  return db.runtimeStatement<R>(tenantPreamble(tenant.id, tenant.schema, db) + guard, sql, params);
}

/** The control-plane preamble: search_path `platform`, no tenant context. */
export const platformPreamble = (db: Database): string => `select set_config('search_path', 'platform', true), ${timeoutSql(db)}`;

/** One write for one tenant (see `withEachTenant`). */
export interface TenantWrite {
  readonly tenant: TenantRef;
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Runs writes of several tenants in one transaction as the runtime role, each after its own
 * tenant's context (so RLS checks every row against its own practice). Nothing reads them, so they
 * are queued writes (`Tx.queueWrite`): on PostgreSQL the first goes with BEGIN and the rest with the
 * COMMIT, two round trips for the whole batch. For group commit (tenancy/group-commit.ts).
 */
export function withEachTenant(db: Database, writes: readonly TenantWrite[]): Promise<void> {
  return db.runtimeTransaction(platformPreamble(db), async (tx) => {
    for (const w of writes) {
      await tx.queueWrite(tenantPreamble(w.tenant.id, w.tenant.schema, db));
      await tx.queueWrite(w.sql, w.params);
    }
  });
}

/**
 * Escalation: runs `fn` against the control plane (schema `platform`) with no tenant context,
 * so tenant tables show nothing. Only platform code (tenants, identity) calls this.
 */
export function asPlatform<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.runtimeTransaction(platformPreamble(db), fn);
}

/**
 * Escalation: runs `fn` as the owner role, for DDL (dedicated schemas) and tenant erase.
 * RLS is forced on the owner too, so row work here still needs a tenant context.
 */
export function asOwner<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.ownerTransaction(fn);
}
