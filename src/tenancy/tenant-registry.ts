/** Looks tenants up by slug (or custom subdomain) for every request, with a short in-process cache. */
import type { Database } from '../db/database.ts';
import { asPlatform, type TenantRef, type Tier } from './tenant-db.ts';

export type TenantStatus = 'active' | 'suspended';

export interface TenantRecord extends TenantRef {
  readonly name: string;
  /** The optional custom subdomain (`<subdomain>.<base host>`), a second name besides the slug. */
  readonly subdomain: string | null;
  readonly status: TenantStatus;
  readonly plan: string;
  readonly suspendedReason: string | null;
  readonly createdAt: string;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  subdomain: string | null;
  tier: Tier;
  schema_name: string;
  status: TenantStatus;
  plan: string;
  suspended_reason: string | null;
  created_at: Date;
}

export const TENANT_COLUMNS = 'id, slug, name, subdomain, tier, schema_name, status, plan, suspended_reason, created_at';

export function tenantFromRow(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    subdomain: row.subdomain,
    tier: row.tier,
    schema: row.schema_name,
    status: row.status,
    plan: row.plan,
    suspendedReason: row.suspended_reason,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Operator overrides of the plan's request limits (platform.tenant_limits); absent fields follow the plan. */
export interface LimitOverrides {
  readonly requestsPerMinute?: number;
  readonly burst?: number;
  readonly maxConcurrentRequests?: number;
}

/** A tenant as requests see it: its record plus the features it has right now (plan + overrides). */
export interface ResolvedTenant extends TenantRecord {
  readonly features: ReadonlySet<string>;
  /** Loaded with the record, so the per-request limiter needs no database round trip. */
  readonly limitOverrides?: LimitOverrides;
}

/**
 * Turns a plan key and the tenant's feature overrides into its effective features. Injected (see
 * services.ts) because the plan catalogue is platform knowledge the tenancy core does not hold.
 */
export type FeatureResolver = (plan: string, overrides: Readonly<Record<string, boolean>>) => ReadonlySet<string>;

interface CacheEntry {
  readonly at: number;
  readonly tenant: ResolvedTenant | null;
}

/**
 * Caches slug lookups for `ttlMs` (default 2 s), effective features included, so a feature check
 * costs no database round trip. Changes made by this process (suspend, delete, plan, feature and
 * subdomain changes) invalidate at once; other processes see them within the TTL.
 */
export class TenantRegistry {
  private readonly cache = new Map<string, CacheEntry>();
  /** Host-name lookups (slug or subdomain), kept apart: a subdomain must never answer `bySlug`. */
  private readonly nameCache = new Map<string, CacheEntry>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 2000,
    // Without a resolver a tenant has no features: feature-gated routes fail closed.
    private readonly resolveFeatures: FeatureResolver = () => new Set(),
  ) {}

  /** The practice whose slug is `slug` (X-Tenant, login bodies and `:slug` paths name slugs only). */
  bySlug(slug: string): Promise<ResolvedTenant | null> {
    return this.lookup(this.cache, slug.toLowerCase(), 'slug = $1');
  }

  /**
   * The practice a host name names: its slug or its custom subdomain. Names are unique across both
   * columns (migration 0005), so at most one row matches.
   */
  byName(name: string): Promise<ResolvedTenant | null> {
    return this.lookup(this.nameCache, name.toLowerCase(), '(slug = $1 or subdomain = $1)');
  }

  private async lookup(cache: Map<string, CacheEntry>, key: string, where: string): Promise<ResolvedTenant | null> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.tenant;
    const res = await asPlatform(this.db, (tx) =>
      tx.query<TenantRow & { overrides: Record<string, boolean> | null; limit_overrides: LimitOverrides | null }>(
        `select ${TENANT_COLUMNS},
                (select jsonb_object_agg(f.feature, f.enabled) from tenant_features f where f.tenant_id = tenants.id) as overrides,
                (select jsonb_strip_nulls(jsonb_build_object('requestsPerMinute', l.requests_per_minute, 'burst', l.burst,
                                                             'maxConcurrentRequests', l.max_concurrent_requests))
                   from tenant_limits l where l.tenant_id = tenants.id) as limit_overrides
           from tenants where ${where}`,
        [key],
      ),
    );
    const row = res.rows[0];
    const tenant = row
      ? { ...tenantFromRow(row), features: this.resolveFeatures(row.plan, row.overrides ?? {}), limitOverrides: row.limit_overrides ?? {} }
      : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: Date.now(), tenant });
    return tenant;
  }

  /**
   * Forgets `name` (a slug or subdomain; everything when omitted): its own entries, cached misses
   * included, and every entry holding the practice of that slug or subdomain, so a change made
   * under one name is not served stale under the other.
   */
  invalidate(name?: string): void {
    if (!name) {
      this.cache.clear();
      this.nameCache.clear();
      return;
    }
    const key = name.toLowerCase();
    for (const cache of [this.cache, this.nameCache]) {
      cache.delete(key);
      for (const [k, entry] of cache) {
        if (entry.tenant && (entry.tenant.slug === key || entry.tenant.subdomain === key)) cache.delete(k);
      }
    }
  }
}
