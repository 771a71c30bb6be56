/**
 * The practice's branding: display name, colours, contact details and logo, one row per practice,
 * defaults until saved. Documents, emails and patient pages read it inside their own transaction
 * through `brandingIn` / `logoIn`; staff change it here; the public subset is read by slug.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Branding, BrandingInput, LogoMeta } from './branding-schemas.ts';
import { DEFAULT_ACCENT_COLOR, DEFAULT_PRIMARY_COLOR, normalizeBranding } from './branding-validation.ts';
import { inspectLogo, type LogoType } from './logo-image.ts';

/** A stored logo with its bytes, for documents and the logo routes. */
export interface StoredLogo {
  readonly bytes: Uint8Array;
  readonly contentType: LogoType;
  readonly sha256: string;
  readonly updatedAt: string;
}

/** A tenant as the public routes know it: where its rows live and its name. */
export interface NamedTenant extends TenantRef {
  readonly name: string;
}

interface Row {
  display_name: string | null;
  tagline: string | null;
  primary_color: string;
  accent_color: string;
  address: Branding['address'];
  phone: string | null;
  email: string | null;
  website: string | null;
  logo_content_type: LogoType | null;
  logo_sha256: string | null;
  logo_width: number | null;
  logo_height: number | null;
  logo_bytes: number | null;
  logo_updated_at: Date | null;
  updated_at: Date | null;
}

const COLUMNS = `display_name, tagline, primary_color, accent_color, address, phone, email, website, logo_content_type, logo_sha256,
  logo_width, logo_height, octet_length(logo) as logo_bytes, logo_updated_at, updated_at`;

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function toLogo(r: Row): LogoMeta | null {
  if (r.logo_content_type === null) return null;
  return {
    contentType: r.logo_content_type,
    width: r.logo_width!,
    height: r.logo_height!,
    bytes: Number(r.logo_bytes),
    sha256: r.logo_sha256!,
    updatedAt: iso(r.logo_updated_at)!,
  };
}

function toBranding(r: Row | undefined, practiceName: string): Branding {
  if (r === undefined) {
    return {
      displayName: practiceName,
      tagline: null,
      primaryColor: DEFAULT_PRIMARY_COLOR,
      accentColor: DEFAULT_ACCENT_COLOR,
      address: null,
      phone: null,
      email: null,
      website: null,
      logo: null,
      updatedAt: null,
    };
  }
  return {
    displayName: r.display_name ?? practiceName,
    tagline: r.tagline,
    primaryColor: r.primary_color,
    accentColor: r.accent_color,
    address: r.address,
    phone: r.phone,
    email: r.email,
    website: r.website,
    logo: toLogo(r),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * The practice's branding inside an open transaction: what emails, patient pages and documents
 * show. `practiceName` (the tenant record's name) is the display name until one is saved.
 * @example const branding = await brandingIn(tx, tenant.name)
 */
export async function brandingIn(tx: TenantTx, practiceName: string): Promise<Branding> {
  const res = await tx.query<Row>(`select ${COLUMNS} from practice_branding where tenant_id = $1`, [tx.tenantId]);
  return toBranding(res.rows[0], practiceName);
}

interface LogoRow {
  logo: Uint8Array;
  logo_content_type: LogoType;
  logo_sha256: string;
  logo_updated_at: Date;
}

const LOGO_SQL = 'select logo, logo_content_type, logo_sha256, logo_updated_at from practice_branding where tenant_id = $1 and logo is not null';

const toStoredLogo = (r: LogoRow | undefined): StoredLogo | null =>
  r === undefined ? null : { bytes: new Uint8Array(r.logo), contentType: r.logo_content_type, sha256: r.logo_sha256, updatedAt: iso(r.logo_updated_at)! };

/** The logo's bytes inside an open transaction, or null when the practice has none. */
export async function logoIn(tx: TenantTx): Promise<StoredLogo | null> {
  return toStoredLogo((await tx.query<LogoRow>(LOGO_SQL, [tx.tenantId])).rows[0]);
}

/** The branding staff see (one round trip). */
export async function getBranding(ctx: TenantContext, practiceName: string): Promise<Branding> {
  const res = await ctx.statement<Row>(`select ${COLUMNS} from practice_branding where tenant_id = $1`, [ctx.tenant.id]);
  return toBranding(res.rows[0], practiceName);
}

/** Replaces the branding (PUT semantics: keys left out return to their defaults); the logo is kept. */
export async function replaceBranding(ctx: TenantContext, input: BrandingInput): Promise<Branding> {
  const b = normalizeBranding(input);
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `insert into practice_branding (tenant_id, display_name, tagline, primary_color, accent_color, address, phone, email, website, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       on conflict (tenant_id) do update set display_name = excluded.display_name, tagline = excluded.tagline,
         primary_color = excluded.primary_color, accent_color = excluded.accent_color, address = excluded.address,
         phone = excluded.phone, email = excluded.email, website = excluded.website, updated_at = now()
       returning ${COLUMNS}`,
      [tx.tenantId, b.displayName, b.tagline, b.primaryColor, b.accentColor, b.address === null ? null : JSON.stringify(b.address), b.phone, b.email, b.website],
    );
    const keys = Object.entries(input).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
    await recordAudit(tx, ctx, { action: 'branding.update', resourceType: 'branding', details: { keys } });
    return toBranding(res.rows[0], b.displayName);
  });
}

/**
 * Stores a new logo after checking it (inspectLogo: PNG or JPEG by content, declared type must
 * match, ≤ 512 KiB, ≤ 4000 px a side and 4 megapixels). The rest of the branding is untouched.
 */
export async function setLogo(ctx: TenantContext, bytes: Uint8Array, declaredType: string | undefined): Promise<LogoMeta> {
  const info = await inspectLogo(bytes, declaredType);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `insert into practice_branding (tenant_id, logo, logo_content_type, logo_sha256, logo_width, logo_height, logo_updated_at)
       values ($1, $2, $3, $4, $5, $6, now())
       on conflict (tenant_id) do update set logo = excluded.logo, logo_content_type = excluded.logo_content_type,
         logo_sha256 = excluded.logo_sha256, logo_width = excluded.logo_width, logo_height = excluded.logo_height, logo_updated_at = now()
       returning ${COLUMNS}`,
      [tx.tenantId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), info.contentType, sha256, info.width, info.height],
    );
    const logo = toLogo(res.rows[0]!)!;
    await recordAudit(tx, ctx, {
      action: 'branding.logo.update',
      resourceType: 'branding',
      details: { contentType: logo.contentType, bytes: logo.bytes, width: logo.width, height: logo.height, sha256 },
    });
    return logo;
  });
}

/** Removes the logo; returns whether there was one (removing nothing is not an error). */
export async function removeLogo(ctx: TenantContext): Promise<boolean> {
  return ctx.tx(async (tx) => {
    const old = await tx.query<{ logo_sha256: string }>(
      'select logo_sha256 from practice_branding where tenant_id = $1 and logo is not null for update',
      [tx.tenantId],
    );
    if (old.rows[0] === undefined) return false;
    await tx.query(
      `update practice_branding set logo = null, logo_content_type = null, logo_sha256 = null, logo_width = null, logo_height = null,
         logo_updated_at = null where tenant_id = $1`,
      [tx.tenantId],
    );
    await recordAudit(tx, ctx, { action: 'branding.logo.delete', resourceType: 'branding', details: { sha256: old.rows[0].logo_sha256 } });
    return true;
  });
}

/** The logo for staff; `not_found` when there is none. */
export async function getLogo(ctx: TenantContext): Promise<StoredLogo> {
  const logo = toStoredLogo((await ctx.statement<LogoRow>(LOGO_SQL, [ctx.tenant.id])).rows[0]);
  if (logo === null) throw notFound('logo');
  return logo;
}

/** The branding of `tenant` for pages without a staff login (the caller has checked it is active). */
export async function publicBranding(db: Database, tenant: NamedTenant): Promise<Branding> {
  return withTenant(db, tenant, (tx) => brandingIn(tx, tenant.name));
}

/** The logo of `tenant` for pages without a staff login; `not_found` when there is none. */
export async function publicLogo(db: Database, tenant: TenantRef): Promise<StoredLogo> {
  const logo = await withTenant(db, tenant, logoIn);
  if (logo === null) throw notFound('logo');
  return logo;
}
