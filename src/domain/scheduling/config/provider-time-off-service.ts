/** A provider's time off: absolute periods (holidays, courses) during which nothing is bookable. */
import { notFound, validationError, type FieldError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { TimeOff, TimeOffCreate } from './provider-schemas.ts';
import { lockProvider } from './provider-service.ts';

interface Row {
  id: string;
  provider_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
}

const COLUMNS = 'id, provider_id, starts_at, ends_at, reason';

const toTimeOff = (r: Row): TimeOff => ({
  id: r.id,
  providerId: r.provider_id,
  startsAt: new Date(r.starts_at).toISOString(),
  endsAt: new Date(r.ends_at).toISOString(),
  reason: r.reason,
});

// A time without an offset would be read in the server's zone: the wire format always carries one.
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

function checkPeriod(input: TimeOffCreate): FieldError[] {
  const errors: FieldError[] = [];
  const starts = Date.parse(input.startsAt);
  const ends = Date.parse(input.endsAt);
  if (!WITH_OFFSET.test(input.startsAt) || Number.isNaN(starts)) errors.push({ field: 'startsAt', message: 'must be an ISO 8601 date-time with offset' });
  if (!WITH_OFFSET.test(input.endsAt) || Number.isNaN(ends)) errors.push({ field: 'endsAt', message: 'must be an ISO 8601 date-time with offset' });
  if (errors.length === 0 && ends <= starts) errors.push({ field: 'endsAt', message: 'must be after startsAt' });
  return errors;
}

/** The provider's time off by start; `not_found` when the provider is not this practice's. */
export async function listTimeOff(ctx: TenantContext, providerId: string): Promise<TimeOff[]> {
  if (!isUuid(providerId)) throw notFound('provider');
  const res = await ctx.statement<Row & { found: boolean }>(
    `select p.id is not null as found, t.id, t.provider_id, t.starts_at, t.ends_at, t.reason
       from (select 1) one
       left join providers p on p.tenant_id = $1 and p.id = $2
       left join provider_time_off t on t.tenant_id = p.tenant_id and t.provider_id = p.id
      order by t.starts_at, t.id`,
    [ctx.tenant.id, providerId],
  );
  if (!res.rows[0]?.found) throw notFound('provider');
  return res.rows.filter((r) => r.id !== null).map(toTimeOff);
}

export async function addTimeOff(ctx: TenantContext, providerId: string, input: TimeOffCreate): Promise<TimeOff> {
  const errors = checkPeriod(input);
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    await lockProvider(tx, providerId);
    const res = await tx.query<Row>(
      `insert into provider_time_off (tenant_id, id, provider_id, starts_at, ends_at, reason) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [tx.tenantId, uuidv7(), providerId, input.startsAt, input.endsAt, input.reason?.trim() || null],
    );
    const timeOff = toTimeOff(res.rows[0]!);
    // The reason stays out of the audit trail: it may describe someone's health.
    await recordAudit(tx, ctx, {
      action: 'provider.time_off.create',
      resourceType: 'provider',
      resourceId: providerId,
      details: { timeOffId: timeOff.id, startsAt: timeOff.startsAt, endsAt: timeOff.endsAt },
    });
    return timeOff;
  });
}

export async function deleteTimeOff(ctx: TenantContext, providerId: string, timeOffId: string): Promise<void> {
  if (!isUuid(providerId) || !isUuid(timeOffId)) throw notFound('time off');
  await ctx.tx(async (tx) => {
    const res = await tx.query<{ id: string }>('delete from provider_time_off where tenant_id = $1 and provider_id = $2 and id = $3 returning id', [
      tx.tenantId,
      providerId,
      timeOffId,
    ]);
    if (!res.rows[0]) throw notFound('time off');
    await recordAudit(tx, ctx, { action: 'provider.time_off.delete', resourceType: 'provider', resourceId: providerId, details: { timeOffId } });
  });
}
