/**
 * A practice's custom subdomain: a second name besides its slug, so `riverside` can also be reached
 * at `riverside-family.<base host>`. Slugs and subdomains share one namespace across all practices;
 * migration 0005 enforces it (unique column plus a trigger that serialises claims of one name with a
 * transaction-scoped advisory lock), so two practices claiming a name at once cannot both win.
 *
 * The caller invalidates the tenant registry for the old and new names (see `subdomainNames`): this
 * process then resolves the change on the next request, other processes within the registry TTL.
 */
import type { Database } from '../db/database.ts';
import { isUuid } from '../db/sql-literal.ts';
import { AppError, validationError } from '../errors/catalogue.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { recordAudit } from '../domain/audit/audit-log.ts';

const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Names that address the platform itself (or could pass for it), never a practice. */
export const RESERVED_SUBDOMAINS: readonly string[] = ['www', 'api', 'app', 'admin', 'platform', 'docs', 'static', 'assets', 'mail', 'status'];

export interface SubdomainChange {
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly previous: string | null;
  readonly subdomain: string | null;
}

/** Whether a database error says the name is another practice's slug or subdomain (migration 0005). */
export function isNameTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && (e.constraint === 'tenants_name_taken' || e.constraint === 'tenants_subdomain_key');
}

/** Trims and lower-cases; 400 naming `subdomain` when malformed or reserved. */
function normalize(value: string | null): string | null {
  if (value === null) return null;
  const name = value.trim().toLowerCase();
  if (!NAME_RE.test(name)) {
    throw validationError([{ field: 'subdomain', message: 'must be 1 to 40 lower-case letters, digits or dashes, not starting or ending with a dash' }]);
  }
  if (RESERVED_SUBDOMAINS.includes(name)) throw validationError([{ field: 'subdomain', message: `"${name}" is reserved` }]);
  return name;
}

/**
 * Sets (or with null removes) the custom subdomain of the practice `idOrSlug`. 409
 * `subdomain_taken` when another practice uses the name as its slug or subdomain; 400 naming
 * `subdomain` when malformed, reserved or the practice's own slug.
 */
export async function setTenantSubdomain(db: Database, idOrSlug: string, value: string | null): Promise<SubdomainChange> {
  const subdomain = normalize(value);
  const column = isUuid(idOrSlug) ? 'id' : 'slug';
  try {
    return await asPlatform(db, async (tx) => {
      // The row lock orders two changes of the same practice; the trigger orders claims of one name.
      const current = await tx.query<{ id: string; slug: string; subdomain: string | null }>(
        `select id, slug, subdomain from tenants where ${column} = $1 for update`,
        [idOrSlug.toLowerCase()],
      );
      const row = current.rows[0];
      if (!row) throw new AppError('tenant_not_found', `No practice "${idOrSlug}"`);
      if (subdomain === row.slug) throw validationError([{ field: 'subdomain', message: "is the practice's slug already" }]);
      if (subdomain !== row.subdomain) {
        await tx.query('update tenants set subdomain = $2, updated_at = now() where id = $1', [row.id, subdomain]);
      }
      return { tenant: { id: row.id, slug: row.slug }, previous: row.subdomain, subdomain };
    });
  } catch (err) {
    if (isNameTaken(err)) throw new AppError('subdomain_taken', `"${subdomain}" is already used by another practice`);
    throw err;
  }
}

/** Every name whose registry entries a change makes stale: the slug, the old and the new subdomain. */
export function subdomainNames(change: SubdomainChange): string[] {
  return [change.tenant.slug, change.previous, change.subdomain].filter((n): n is string => n !== null);
}

/** The practice admin's change of its own subdomain, recorded in the practice's audit log. */
export async function changeOwnSubdomain(db: Database, ctx: TenantContext, value: string | null): Promise<SubdomainChange> {
  const change = await setTenantSubdomain(db, ctx.tenant.id, value);
  // A second transaction: the control-plane row and the tenant audit log sit behind different doors.
  // Written only after the change committed, so the log never shows a change that did not happen.
  if (change.previous !== change.subdomain) {
    await ctx.tx((tx) =>
      recordAudit(tx, ctx, { action: 'branding.subdomain', resourceType: 'branding', details: { from: change.previous, to: change.subdomain } }),
    );
  }
  return change;
}
