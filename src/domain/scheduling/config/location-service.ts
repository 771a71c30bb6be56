/** Locations of a practice: where it sees patients, in which time zone, and when it is open. */
import { IANAZone } from 'luxon';
import { notFound, validationError, type FieldError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { WeeklyHours } from './config-schemas.ts';
import { checkWeeklyHours, sortWeek } from './intervals.ts';
import type { Location, LocationCreate, LocationUpdate } from './location-schemas.ts';
import { assignments, sentFields } from '../../patch.ts';

const COLUMNS = 'id, name, time_zone, address, phone, opening_hours, active, created_at';

interface Row {
  id: string;
  name: string;
  time_zone: string;
  address: Location['address'];
  phone: string | null;
  opening_hours: WeeklyHours;
  active: boolean;
  created_at: Date;
}

function toLocation(r: Row): Location {
  return {
    id: r.id,
    name: r.name,
    timeZone: r.time_zone,
    address: r.address,
    phone: r.phone,
    openingHours: r.opening_hours,
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * The canonical spelling of an IANA zone (`america/new_york` → `America/New_York`), or null when
 * luxon does not know it. Fixed offsets such as `+02:00` are refused: they ignore daylight saving.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (!IANAZone.isValidZone(zone)) return null;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** Throws `validation_failed` naming every offending field; returns the canonical zone when given. */
function checkLocationFields(input: LocationUpdate): string | undefined {
  const errors: FieldError[] = [];
  let zone: string | undefined;
  if (input.name !== undefined && input.name.trim() === '') errors.push({ field: 'name', message: 'must not be blank' });
  if (input.timeZone !== undefined) {
    zone = canonicalTimeZone(input.timeZone) ?? undefined;
    if (!zone) errors.push({ field: 'timeZone', message: `is not an IANA time zone: ${input.timeZone}` });
  }
  if (input.openingHours) errors.push(...checkWeeklyHours('openingHours', input.openingHours));
  if (errors.length) throw validationError(errors);
  return zone;
}

/** Creates a location; opening hours are stored with each day's intervals sorted. */
export async function createLocation(ctx: TenantContext, input: LocationCreate): Promise<Location> {
  const zone = checkLocationFields(input)!;
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `insert into locations (tenant_id, id, name, time_zone, address, phone, opening_hours, active)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
      [
        tx.tenantId,
        uuidv7(),
        input.name.trim(),
        zone,
        input.address ? JSON.stringify(input.address) : null,
        input.phone?.trim() || null,
        JSON.stringify(sortWeek(input.openingHours ?? {})),
        input.active ?? true,
      ],
    );
    const location = toLocation(res.rows[0]!);
    await recordAudit(tx, ctx, { action: 'location.create', resourceType: 'location', resourceId: location.id });
    return location;
  });
}

export async function listLocations(ctx: TenantContext): Promise<Location[]> {
  const res = await ctx.statement<Row>(`select ${COLUMNS} from locations where tenant_id = $1 order by lower(name), id`, [ctx.tenant.id]);
  return res.rows.map(toLocation);
}

export async function getLocation(ctx: TenantContext, id: string): Promise<Location> {
  if (!isUuid(id)) throw notFound('location');
  const res = await ctx.statement<Row>(`select ${COLUMNS} from locations where tenant_id = $1 and id = $2`, [ctx.tenant.id, id]);
  if (!res.rows[0]) throw notFound('location');
  return toLocation(res.rows[0]);
}

/** Locks the location row for the rest of `tx`, or throws `not_found`. */
export async function lockLocation(tx: TenantTx, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound('location');
  const res = await tx.query('select 1 from locations where tenant_id = $1 and id = $2 for update', [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('location');
}

const UPDATE_COLUMNS: Record<keyof LocationUpdate, string> = {
  name: 'name',
  timeZone: 'time_zone',
  address: 'address',
  phone: 'phone',
  openingHours: 'opening_hours',
  active: 'active',
};

/** Changes the fields sent; `openingHours` replaces the whole week. */
export async function updateLocation(ctx: TenantContext, id: string, patch: LocationUpdate): Promise<Location> {
  if (!isUuid(id)) throw notFound('location');
  const zone = checkLocationFields(patch);
  const entries = sentFields(patch);
  return ctx.tx(async (tx) => {
    const params: unknown[] = [tx.tenantId, id];
    const set = assignments(entries, UPDATE_COLUMNS, params, (key, value) => {
      if (key === 'name' || key === 'phone') return typeof value === 'string' ? value.trim() || null : value;
      if (key === 'timeZone') return zone;
      if (key === 'address' && value !== null) return JSON.stringify(value);
      if (key === 'openingHours') return JSON.stringify(sortWeek(value as WeeklyHours));
      return value;
    });
    const res = await tx.query<Row>(`update locations set ${set} where tenant_id = $1 and id = $2 returning ${COLUMNS}`, params);
    if (!res.rows[0]) throw notFound('location');
    await recordAudit(tx, ctx, { action: 'location.update', resourceType: 'location', resourceId: id, details: { fields: entries.map(([k]) => k) } });
    return toLocation(res.rows[0]);
  });
}
