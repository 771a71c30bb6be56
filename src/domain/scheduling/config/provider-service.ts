/** Providers of a practice: the people patients book, optionally linked to a staff sign-in. */
import { AppError, notFound, validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { WeeklyHours } from './config-schemas.ts';
import type { LocationHours, Provider, ProviderCreate, ProviderDetail, ProviderUpdate } from './provider-schemas.ts';
import { assertReferences } from './references.ts';
import { assignments, sentFields } from '../../patch.ts';

interface HourRow {
  locationId: string;
  weekday: number;
  start: string;
  end: string;
}

interface Row {
  id: string;
  user_id: string | null;
  display_name: string;
  color: string | null;
  active: boolean;
  created_at: Date;
  hours: HourRow[];
}

const HOURS = `coalesce((select json_agg(json_build_object('locationId', h.location_id, 'weekday', h.weekday,
                  'start', to_char(h.start_time, 'HH24:MI'), 'end', to_char(h.end_time, 'HH24:MI'))
                  order by h.location_id, h.weekday, h.start_time)
            from provider_hours h where h.tenant_id = p.tenant_id and h.provider_id = p.id), '[]') as hours`;

// From yesterday in UTC, so that "today" in every zone is included.
const OVERRIDES = `coalesce((select json_agg(json_build_object('id', o.id, 'locationId', o.location_id, 'date', o.date::text,
                  'intervals', o.intervals, 'reason', o.reason) order by o.date, o.location_id)
            from provider_overrides o
           where o.tenant_id = p.tenant_id and o.provider_id = p.id and o.date >= (now() at time zone 'UTC')::date - 1), '[]') as overrides`;

/** Every provider column plus the weekly hours as one JSON array, so a read is one statement. */
const select = (extra = '') => `select p.id, p.user_id, p.display_name, p.color, p.active, p.created_at, ${HOURS}${extra} from providers p`;

/** Groups hour rows into one weekly map per location. */
function groupHours(rows: readonly HourRow[]): LocationHours[] {
  const byLocation = new Map<string, WeeklyHours>();
  for (const h of rows) {
    const week = byLocation.get(h.locationId) ?? {};
    const day = String(h.weekday) as keyof WeeklyHours;
    (week[day] ??= []).push([h.start, h.end]);
    byLocation.set(h.locationId, week);
  }
  return [...byLocation].map(([locationId, hours]) => ({ locationId, hours }));
}

function toProvider(r: Row): Provider {
  return {
    id: r.id,
    displayName: r.display_name,
    userId: r.user_id,
    color: r.color,
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
    hours: groupHours(r.hours),
  };
}

/** Reads one provider in `tx`, or throws `not_found`. */
export async function readProvider(tx: TenantTx, id: string): Promise<Provider> {
  if (!isUuid(id)) throw notFound('provider');
  const res = await tx.query<Row>(`${select()} where p.tenant_id = $1 and p.id = $2`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('provider');
  return toProvider(res.rows[0]);
}

/** Locks the provider row for the rest of `tx`, or throws `not_found`. */
export async function lockProvider(tx: TenantTx, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound('provider');
  const res = await tx.query('select 1 from providers where tenant_id = $1 and id = $2 for update', [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('provider');
}

/** A staff member may back at most one provider; and must be one of this practice's staff. */
async function checkUserLink(tx: TenantTx, userId: string, providerId: string): Promise<void> {
  await assertReferences(tx, 'staff member', 'userId', [userId]);
  const taken = await tx.query('select 1 from providers where tenant_id = $1 and user_id = $2 and id <> $3', [tx.tenantId, userId, providerId]);
  if (taken.rows[0]) throw new AppError('already_exists', 'Another provider is already linked to this staff member', { errors: [{ field: 'userId', message: 'is already linked to another provider' }] });
}

export async function createProvider(ctx: TenantContext, input: ProviderCreate): Promise<Provider> {
  if (input.displayName.trim() === '') throw validationError([{ field: 'displayName', message: 'must not be blank' }]);
  return ctx.tx(async (tx) => {
    const id = uuidv7();
    if (input.userId) await checkUserLink(tx, input.userId, id);
    await tx.query('insert into providers (tenant_id, id, user_id, display_name, color) values ($1, $2, $3, $4, $5)', [
      tx.tenantId,
      id,
      input.userId?.toLowerCase() ?? null,
      input.displayName.trim(),
      input.color?.toLowerCase() ?? null,
    ]);
    await recordAudit(tx, ctx, { action: 'provider.create', resourceType: 'provider', resourceId: id, details: { userId: input.userId ?? null } });
    return readProvider(tx, id);
  });
}

export async function listProviders(ctx: TenantContext): Promise<Provider[]> {
  const res = await ctx.statement<Row>(`${select()} where p.tenant_id = $1 order by lower(p.display_name), p.id`, [ctx.tenant.id]);
  return res.rows.map(toProvider);
}

/** One provider with weekly hours and the date overrides from yesterday (UTC, so every zone's today is in) on. */
export async function getProvider(ctx: TenantContext, id: string): Promise<ProviderDetail> {
  if (!isUuid(id)) throw notFound('provider');
  const res = await ctx.statement<Row & { overrides: ProviderDetail['overrides'] }>(
    `${select(`, ${OVERRIDES}`)}
      where p.tenant_id = $1 and p.id = $2`,
    [ctx.tenant.id, id],
  );
  if (!res.rows[0]) throw notFound('provider');
  return { ...toProvider(res.rows[0]), overrides: res.rows[0].overrides };
}

const UPDATE_COLUMNS: Record<keyof ProviderUpdate, string> = { displayName: 'display_name', userId: 'user_id', color: 'color', active: 'active' };

export async function updateProvider(ctx: TenantContext, id: string, patch: ProviderUpdate): Promise<Provider> {
  if (!isUuid(id)) throw notFound('provider');
  if (patch.displayName !== undefined && patch.displayName.trim() === '') throw validationError([{ field: 'displayName', message: 'must not be blank' }]);
  const entries = sentFields(patch);
  return ctx.tx(async (tx) => {
    await lockProvider(tx, id);
    if (patch.userId) await checkUserLink(tx, patch.userId, id);
    const params: unknown[] = [tx.tenantId, id];
    const set = assignments(entries, UPDATE_COLUMNS, params, (key, value) =>
      typeof value === 'string' ? (key === 'displayName' ? value.trim() : value.toLowerCase()) : value,
    );
    await tx.query(`update providers set ${set} where tenant_id = $1 and id = $2`, params);
    await recordAudit(tx, ctx, { action: 'provider.update', resourceType: 'provider', resourceId: id, details: { fields: entries.map(([k]) => k) } });
    return readProvider(tx, id);
  });
}
