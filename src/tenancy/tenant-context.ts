/** The explicit context every tenant use case receives: who acts, for which tenant, and the data door. */
import type { Database } from '../db/database.ts';
import type { TenantRef, TenantTx } from './tenant-db.ts';
import { withTenant } from './tenant-db.ts';

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
  };
}
