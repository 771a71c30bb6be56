/** A provider's weekly hours per location, and date overrides that replace them for one day. */
import { notFound, validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { Interval } from './config-schemas.ts';
import { checkIntervals, checkWeeklyHours, sortIntervals } from './intervals.ts';
import type { HoursReplace, OverrideSet, Provider, ProviderOverride } from './provider-schemas.ts';
import { lockProvider, readProvider } from './provider-service.ts';
import { assertReferences } from './references.ts';

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(value + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Replaces the provider's weekly hours at one location (an empty week removes them). */
export async function replaceProviderHours(ctx: TenantContext, providerId: string, input: HoursReplace): Promise<Provider> {
  const errors = checkWeeklyHours('hours', input.hours);
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    await lockProvider(tx, providerId);
    await assertReferences(tx, 'location', 'locationId', [input.locationId]);
    await tx.query('delete from provider_hours where tenant_id = $1 and provider_id = $2 and location_id = $3', [tx.tenantId, providerId, input.locationId]);
    const rows = Object.entries(input.hours).flatMap(([weekday, intervals]) => (intervals ?? []).map(([start, end]) => [Number(weekday), start!, end!] as const));
    if (rows.length) {
      await tx.query(
        `insert into provider_hours (tenant_id, id, provider_id, location_id, weekday, start_time, end_time)
         select $1, r.id, $2, $3, r.weekday, r.start_time, r.end_time
           from unnest($4::uuid[], $5::smallint[], $6::time[], $7::time[]) as r(id, weekday, start_time, end_time)`,
        [tx.tenantId, providerId, input.locationId, rows.map(() => uuidv7()), rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
      );
    }
    await recordAudit(tx, ctx, {
      action: 'provider.hours.replace',
      resourceType: 'provider',
      resourceId: providerId,
      details: { locationId: input.locationId, intervals: rows.length },
    });
    return readProvider(tx, providerId);
  });
}

interface OverrideRow {
  id: string;
  location_id: string;
  date: string;
  intervals: Interval[];
  reason: string | null;
}

const toOverride = (r: OverrideRow): ProviderOverride => ({ id: r.id, locationId: r.location_id, date: r.date, intervals: r.intervals, reason: r.reason });

/** Sets (or replaces) the hours a provider works at a location on one date; [] is a day off. */
export async function setProviderOverride(ctx: TenantContext, providerId: string, date: string, input: OverrideSet): Promise<ProviderOverride> {
  const errors = checkIntervals('intervals', input.intervals);
  if (!isCalendarDate(date)) errors.push({ field: 'date', message: 'is not a real calendar date' });
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    await lockProvider(tx, providerId);
    await assertReferences(tx, 'location', 'locationId', [input.locationId]);
    const res = await tx.query<OverrideRow>(
      `insert into provider_overrides (tenant_id, id, provider_id, location_id, date, intervals, reason)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (tenant_id, provider_id, location_id, date) do update set intervals = excluded.intervals, reason = excluded.reason
       returning id, location_id, date::text as date, intervals, reason`,
      [tx.tenantId, uuidv7(), providerId, input.locationId, date, JSON.stringify(sortIntervals(input.intervals)), input.reason?.trim() || null],
    );
    const override = toOverride(res.rows[0]!);
    await recordAudit(tx, ctx, {
      action: 'provider.override.set',
      resourceType: 'provider',
      resourceId: providerId,
      details: { overrideId: override.id, locationId: input.locationId, date, intervals: override.intervals.length },
    });
    return override;
  });
}

/** Removes a date override, so the weekly hours apply again that day. */
export async function deleteProviderOverride(ctx: TenantContext, providerId: string, date: string, locationId: string): Promise<void> {
  if (!isUuid(providerId) || !isUuid(locationId) || !isCalendarDate(date)) throw notFound('override');
  await ctx.tx(async (tx) => {
    const res = await tx.query<{ id: string }>(
      'delete from provider_overrides where tenant_id = $1 and provider_id = $2 and location_id = $3 and date = $4 returning id',
      [tx.tenantId, providerId, locationId, date],
    );
    if (!res.rows[0]) throw notFound('override');
    await recordAudit(tx, ctx, { action: 'provider.override.delete', resourceType: 'provider', resourceId: providerId, details: { overrideId: res.rows[0].id, locationId, date } });
  });
}
