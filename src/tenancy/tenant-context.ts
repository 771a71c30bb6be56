/** The explicit context every tenant use case receives: who acts, for which tenant, and the data door. */
import type { Database, QueryResult } from '../db/database.ts';
import type { TenantRef, TenantTx } from './tenant-db.ts';
import { withTenant, withTenantStatement } from './tenant-db.ts';

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
}

export interface TenantContextInit {
  readonly tenant: TenantRef;
  readonly actor: Actor;
  readonly permissions?: Iterable<string>;
  readonly requestId?: string | null;
  readonly ip?: string | null;
}

/** Builds a context bound to `db`; tests and the CLI use it exactly as the HTTP layer does. */
export function tenantContext(db: Database, init: TenantContextInit): TenantContext {
  const tenant = init.tenant;
  return {
    tenant,
    actor: init.actor,
    permissions: new Set(init.permissions ?? []),
    requestId: init.requestId ?? null,
    ip: init.ip ?? null,
    tx: (fn) => withTenant(db, tenant, fn),
    statement: (sql, params) => withTenantStatement(db, tenant, sql, params),
  };
}
