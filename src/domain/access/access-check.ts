/**
 * One round trip for an authenticated read: the member's access is taken from a per-process cache
 * and *proved current* by a guard that rides in the same message as the request's first tenant
 * statement. The guard probes the member's access version in the database (one primary-key row;
 * triggers move it on every change of status, roles or role permissions) and raises when it
 * differs, so the statement never runs on stale access; the request is then run again with access
 * loaded afresh (see staff-auth.ts). A role edit or a disabled account therefore still applies to
 * the very next request, with no invalidation message to lose: the version moves in the same
 * transaction as the change.
 */
import { uuidLiteral } from '../../db/sql-literal.ts';
import type { StatementGuard } from '../../tenancy/tenant-context.ts';
import type { Access } from './permission-service.ts';

/** SQLSTATE the guard raises (class HT is ours; no PostgreSQL class uses it). */
export const ACCESS_CHANGED_SQLSTATE = 'HT403';

/** Thrown by a context's data door once its guard has failed: nothing more may run on that access. */
export class StaleAccessError extends Error {
  constructor() {
    super('The member\'s access changed during the request');
    this.name = 'StaleAccessError';
  }
}

function isAccessChanged(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === ACCESS_CHANGED_SQLSTATE;
}

/** The speculative check of one request: pending until a guarded statement succeeds or fails. */
export class AccessCheck implements StatementGuard {
  state: 'pending' | 'confirmed' | 'stale' = 'pending';
  readonly #sql: string;

  constructor(tenantId: string, userId: string, version: number) {
    if (!Number.isSafeInteger(version) || version < 0) throw new Error('access version must be a non-negative integer');
    // Every value is a checked uuid or integer. A PL/pgSQL function (migration 0023): PostgreSQL
    // keeps its plan for the session.
    this.#sql = `; select assert_access_version(${uuidLiteral(tenantId)}, ${uuidLiteral(userId)}, ${version})`;
  }

  sql(): string {
    if (this.state === 'stale') throw new StaleAccessError();
    return this.state === 'pending' ? this.#sql : '';
  }

  settle(ran: boolean, err: unknown): void {
    if (isAccessChanged(err)) this.state = 'stale';
    else if (ran && err === null && this.state === 'pending') this.state = 'confirmed';
  }
}

/**
 * Active members' access by (tenant, user), most recently used last. Only a hint: every use is
 * proved by an `AccessCheck`, so an entry can be stale without harm and no invalidation is needed.
 */
export class AccessCache {
  readonly #entries = new Map<string, Access>();

  constructor(private readonly max = 10_000) {}

  get(tenantId: string, userId: string): Access | undefined {
    const key = `${tenantId}/${userId}`;
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  /** Keeps `access` when it is active (a denial is always re-read, never served from here). */
  set(tenantId: string, userId: string, access: Access): void {
    const key = `${tenantId}/${userId}`;
    this.#entries.delete(key);
    if (!access.active || access.version === null || this.max === 0) return;
    this.#entries.set(key, access);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
