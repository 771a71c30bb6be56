/** Looks tenants up by slug for every request, with a short in-process cache. */
import type { Database } from '../db/database.ts';
import { asPlatform, type TenantRef, type Tier } from './tenant-db.ts';

export type TenantStatus = 'active' | 'suspended';

export interface TenantRecord extends TenantRef {
  readonly name: string;
  readonly status: TenantStatus;
  readonly plan: string;
  readonly suspendedReason: string | null;
  readonly createdAt: string;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  tier: Tier;
  schema_name: string;
  status: TenantStatus;
  plan: string;
  suspended_reason: string | null;
  created_at: Date;
}

export const TENANT_COLUMNS = 'id, slug, name, tier, schema_name, status, plan, suspended_reason, created_at';

export function tenantFromRow(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    tier: row.tier,
    schema: row.schema_name,
    status: row.status,
    plan: row.plan,
    suspendedReason: row.suspended_reason,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Caches slug lookups for `ttlMs` (default 2 s). Changes made by this process (suspend, delete)
 * invalidate at once; other processes see them within the TTL.
 */
export class TenantRegistry {
  private readonly cache = new Map<string, { at: number; tenant: TenantRecord | null }>();

  constructor(private readonly db: Database, private readonly ttlMs = 2000) {}

  async bySlug(slug: string): Promise<TenantRecord | null> {
    const key = slug.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.tenant;
    const res = await asPlatform(this.db, (tx) =>
      tx.query<TenantRow>(`select ${TENANT_COLUMNS} from tenants where slug = $1`, [key]),
    );
    const tenant = res.rows[0] ? tenantFromRow(res.rows[0]) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { at: Date.now(), tenant });
    return tenant;
  }

  invalidate(slug?: string): void {
    if (slug) this.cache.delete(slug.toLowerCase());
    else this.cache.clear();
  }
}
