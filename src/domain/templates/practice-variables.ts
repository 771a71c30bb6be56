/** The `practice.*` variables of every message: the practice's branding, or its name and defaults. */
import type { TenantRef, TenantTx } from '../../tenancy/tenant-db.ts';
import type { PracticeVariables } from './message-kinds.ts';

/** Used until the practice saves a brand colour. */
export const DEFAULT_PRIMARY_COLOR = '#1f5f8b';

/**
 * The deployment's public base URL (HEALTHTRACK_PUBLIC_URL), set once at start like the mailer:
 * an email needs an absolute address for the practice's public logo, and its senders (bookings,
 * jobs) have no request to derive one from. Until set, `practice.logoUrl` is nil.
 */
let publicBaseUrl: string | null = null;

export function setMessageLinkBase(url: string): void {
  publicBaseUrl = url.replace(/\/+$/, '');
}

interface BrandingRow {
  tenant_name: string;
  display_name: string | null;
  primary_color: string | null;
  phone: string | null;
  email: string | null;
  address: Record<string, unknown> | null;
  logo_sha256: string | null;
}

/** `{ line1, line2?, city, region?, postalCode?, country }` on one line, or null. */
export function formatAddress(address: Record<string, unknown> | null | undefined): string | null {
  if (!address) return null;
  const part = (key: string) => (typeof address[key] === 'string' && (address[key] as string).trim() !== '' ? (address[key] as string).trim() : null);
  const cityLine = [part('postalCode'), part('city')].filter(Boolean).join(' ');
  const text = [part('line1'), part('line2'), cityLine || null, part('region'), part('country')].filter(Boolean).join(', ');
  return text === '' ? null : text;
}

/**
 * Reads the practice's branding (table `practice_branding`, one row or none) and falls back to the
 * tenant record's name. The colour is re-checked here because it lands inside style attributes,
 * where HTML escaping does not protect. One small function so new branding fields are one edit.
 */
export async function practiceVariables(tx: TenantTx, tenant: Pick<TenantRef, 'id' | 'slug'>): Promise<PracticeVariables> {
  const res = await tx.query<BrandingRow>(
    `select t.name as tenant_name, b.display_name, b.primary_color, b.phone, b.email, b.address, b.logo_sha256
       from platform.tenants t left join practice_branding b on b.tenant_id = $1
      where t.id = $2`,
    [tx.tenantId, tenant.id],
  );
  const row = res.rows[0];
  const color = row?.primary_color && /^#[0-9a-fA-F]{6}$/.test(row.primary_color) ? row.primary_color : DEFAULT_PRIMARY_COLOR;
  return {
    name: row?.display_name || row?.tenant_name || 'Your practice',
    phone: row?.phone || null,
    email: row?.email || null,
    address: formatAddress(row?.address),
    primaryColor: color,
    // The public logo route (src/http/routes/branding.ts), versioned by the hash like the branding API does.
    logoUrl:
      publicBaseUrl && row?.logo_sha256 ? `${publicBaseUrl}/public/practices/${encodeURIComponent(tenant.slug)}/logo?v=${row.logo_sha256.slice(0, 16)}` : null,
  };
}
