/** Holidays of a location: dates on which it is closed, whatever its opening hours say. */
import { AppError, notFound, validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { Holiday, HolidayCreate } from './location-schemas.ts';
import { lockLocation } from './location-service.ts';

const COLUMNS = 'id, location_id, date::text as date, name';

interface Row {
  id: string;
  location_id: string;
  date: string;
  name: string;
}

const toHoliday = (r: Row): Holiday => ({ id: r.id, locationId: r.location_id, date: r.date, name: r.name });

/** The location's holidays by date; `not_found` when the location is not this practice's. */
export async function listHolidays(ctx: TenantContext, locationId: string): Promise<Holiday[]> {
  if (!isUuid(locationId)) throw notFound('location');
  const res = await ctx.statement<Row & { found: boolean }>(
    `select l.id is not null as found, h.id, h.location_id, h.date::text as date, h.name
       from (select 1) one
       left join locations l on l.tenant_id = $1 and l.id = $2
       left join location_holidays h on h.tenant_id = l.tenant_id and h.location_id = l.id
      order by h.date`,
    [ctx.tenant.id, locationId],
  );
  if (!res.rows[0]?.found) throw notFound('location');
  return res.rows.filter((r) => r.id !== null).map(toHoliday);
}

/** Adds a holiday; a second one on the same date at the same location is `already_exists`. */
export async function addHoliday(ctx: TenantContext, locationId: string, input: HolidayCreate): Promise<Holiday> {
  if (input.name.trim() === '') throw validationError([{ field: 'name', message: 'must not be blank' }]);
  return ctx.tx(async (tx) => {
    await lockLocation(tx, locationId);
    const res = await tx.query<Row>(
      `insert into location_holidays (tenant_id, id, location_id, date, name) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, location_id, date) do nothing returning ${COLUMNS}`,
      [tx.tenantId, uuidv7(), locationId, input.date, input.name.trim()],
    );
    if (!res.rows[0]) {
      throw new AppError('already_exists', `The location already has a holiday on ${input.date}`, { errors: [{ field: 'date', message: 'already has a holiday' }] });
    }
    const holiday = toHoliday(res.rows[0]);
    await recordAudit(tx, ctx, { action: 'location.holiday.create', resourceType: 'location', resourceId: locationId, details: { holidayId: holiday.id, date: holiday.date } });
    return holiday;
  });
}

export async function deleteHoliday(ctx: TenantContext, locationId: string, holidayId: string): Promise<void> {
  if (!isUuid(locationId) || !isUuid(holidayId)) throw notFound('holiday');
  await ctx.tx(async (tx) => {
    const res = await tx.query<{ date: string }>(
      'delete from location_holidays where tenant_id = $1 and location_id = $2 and id = $3 returning date::text as date',
      [tx.tenantId, locationId, holidayId],
    );
    if (!res.rows[0]) throw notFound('holiday');
    await recordAudit(tx, ctx, { action: 'location.holiday.delete', resourceType: 'location', resourceId: locationId, details: { holidayId, date: res.rows[0].date } });
  });
}
