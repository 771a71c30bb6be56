/**
 * Per-provider iCalendar feeds for calendar apps, which cannot send bearer tokens: the feed URL
 * carries a random secret (stored hashed). Events name the visit type and the patient's initials
 * only, so a leaked URL exposes as little PHI as a useful feed allows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { Database } from '../../db/database.ts';
import { withTenant, type TenantRef } from '../../tenancy/tenant-db.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { buildCalendar } from './icalendar.ts';

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Issues a new feed secret for a provider (the previous URL stops working); returns the secret once. */
export async function rotateFeedToken(ctx: TenantContext, providerId: string): Promise<string> {
  if (!isUuid(providerId)) throw notFound('provider');
  const token = randomBytes(24).toString('base64url');
  await ctx.tx(async (tx) => {
    const res = await tx.query('update providers set feed_token_hash = $3 where tenant_id = $1 and id = $2', [tx.tenantId, providerId, hash(token)]);
    if (res.rowCount === 0) throw notFound('provider');
    await recordAudit(tx, ctx, { action: 'provider.feed_rotated', resourceType: 'provider', resourceId: providerId });
  });
  return token;
}

interface FeedRow {
  id: string;
  starts_at: Date;
  ends_at: Date;
  status: string;
  type_name: string;
  first_name: string;
  last_name: string;
  location_name: string;
  time_zone: string;
  provider_name: string;
}

/** The feed document, or 404 when the provider/secret pair does not match. */
export async function providerFeed(db: Database, tenant: TenantRef, providerId: string, token: string, now: Date = new Date()): Promise<string> {
  if (!isUuid(providerId) || token.length < 16) throw notFound('calendar feed');
  const rows = await withTenant(db, tenant, async (tx) => {
    const provider = await tx.query<{ display_name: string }>('select display_name from providers where tenant_id = $1 and id = $2 and feed_token_hash = $3', [
      tx.tenantId,
      providerId,
      hash(token),
    ]);
    if (!provider.rows[0]) throw notFound('calendar feed');
    const res = await tx.query<FeedRow>(
      `select a.id, a.starts_at, a.ends_at, a.status, t.name as type_name, p.first_name, p.last_name, l.name as location_name, l.time_zone,
              $3::text as provider_name
         from appointments a
         join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
         join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
         join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
        where a.tenant_id = $1 and a.provider_id = $2 and a.starts_at >= $4 and a.starts_at < $5
        order by a.starts_at`,
      [tx.tenantId, providerId, provider.rows[0].display_name, new Date(now.getTime() - 30 * 86_400_000).toISOString(), new Date(now.getTime() + 180 * 86_400_000).toISOString()],
    );
    await tx.query(
      `insert into audit_events (tenant_id, id, actor_type, actor_id, action, resource_type, resource_id, details)
       values ($1, $2, 'system', null, 'provider.feed_read', 'provider', $3, $4)`,
      [tx.tenantId, uuidv7(), providerId, JSON.stringify({ events: res.rows.length })],
    );
    return res.rows;
  });
  return buildCalendar(
    `${rows[0]?.provider_name ?? 'Provider'} — HealthTrack`,
    rows.map((r) => ({
      uid: `${r.id}@healthtrack`,
      start: new Date(r.starts_at),
      end: new Date(r.ends_at),
      summary: `${r.type_name}: ${r.first_name.charAt(0)}.${r.last_name.charAt(0)}.`,
      location: r.location_name,
      timeZone: r.time_zone,
      cancelled: r.status === 'cancelled',
    })),
  );
}
