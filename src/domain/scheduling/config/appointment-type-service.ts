/** Appointment types: what can be booked, how long it takes, who offers it, what it needs, its rules. */
import { notFound, validationError, type FieldError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import type { RulesPatch } from '../rules.ts';
import type { AppointmentType, AppointmentTypeCreate, AppointmentTypeUpdate } from './appointment-type-schemas.ts';
import { checkBookingCondition } from './booking-condition.ts';
import { assertReferences } from './references.ts';

const SELECT = `select t.id, t.name, t.duration_minutes, t.buffer_before_minutes, t.buffer_after_minutes, t.color, t.price_item_code,
  t.rules, t.active, t.online_booking, t.created_at,
  array(select tp.provider_id::text from appointment_type_providers tp where tp.tenant_id = t.tenant_id and tp.type_id = t.id order by tp.provider_id) as provider_ids,
  array(select tr.resource_id::text from appointment_type_resources tr where tr.tenant_id = t.tenant_id and tr.type_id = t.id order by tr.resource_id) as resource_ids
  from appointment_types t`;

interface Row {
  id: string;
  name: string;
  duration_minutes: number;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  color: string;
  price_item_code: string | null;
  rules: RulesPatch;
  active: boolean;
  online_booking: boolean;
  created_at: Date;
  provider_ids: string[];
  resource_ids: string[];
}

function toType(r: Row): AppointmentType {
  return {
    id: r.id,
    name: r.name,
    durationMinutes: r.duration_minutes,
    bufferBeforeMinutes: r.buffer_before_minutes,
    bufferAfterMinutes: r.buffer_after_minutes,
    color: r.color,
    priceItemCode: r.price_item_code,
    providerIds: r.provider_ids,
    resourceIds: r.resource_ids,
    rules: r.rules,
    active: r.active,
    onlineBooking: r.online_booking,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

function checkTypeFields(input: AppointmentTypeUpdate): void {
  const errors: FieldError[] = [];
  if (input.name !== undefined && input.name.trim() === '') errors.push({ field: 'name', message: 'must not be blank' });
  errors.push(...checkBookingCondition('rules.bookingCondition', input.rules?.bookingCondition));
  if (errors.length) throw validationError(errors);
}

async function readType(tx: TenantTx, id: string): Promise<AppointmentType> {
  const res = await tx.query<Row>(`${SELECT} where t.tenant_id = $1 and t.id = $2`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('appointment type');
  return toType(res.rows[0]);
}

/** Replaces the type's providers and/or resources, after checking they are this practice's. */
async function replaceLinks(tx: TenantTx, typeId: string, providers: readonly string[] | undefined, resources: readonly string[] | undefined): Promise<void> {
  const unique = (ids: readonly string[] | undefined) => ids && [...new Set(ids.map((x) => x.toLowerCase()))];
  const providerIds = unique(providers);
  const resourceIds = unique(resources);
  if (providerIds) {
    await assertReferences(tx, 'provider', 'providerIds', providerIds);
    await tx.query('delete from appointment_type_providers where tenant_id = $1 and type_id = $2', [tx.tenantId, typeId]);
    await tx.query('insert into appointment_type_providers (tenant_id, type_id, provider_id) select $1, $2, unnest($3::uuid[])', [tx.tenantId, typeId, providerIds]);
  }
  if (resourceIds) {
    await assertReferences(tx, 'resource', 'resourceIds', resourceIds);
    await tx.query('delete from appointment_type_resources where tenant_id = $1 and type_id = $2', [tx.tenantId, typeId]);
    await tx.query('insert into appointment_type_resources (tenant_id, type_id, resource_id) select $1, $2, unnest($3::uuid[])', [tx.tenantId, typeId, resourceIds]);
  }
}

export async function createAppointmentType(ctx: TenantContext, input: AppointmentTypeCreate): Promise<AppointmentType> {
  checkTypeFields(input);
  return ctx.tx(async (tx) => {
    const id = uuidv7();
    await tx.query(
      `insert into appointment_types (tenant_id, id, name, duration_minutes, buffer_before_minutes, buffer_after_minutes, color, price_item_code, rules, active, online_booking)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        tx.tenantId,
        id,
        input.name.trim(),
        input.durationMinutes,
        input.bufferBeforeMinutes ?? 0,
        input.bufferAfterMinutes ?? 0,
        input.color?.toLowerCase() ?? '#3b82f6',
        input.priceItemCode?.trim() || null,
        JSON.stringify(input.rules ?? {}),
        input.active ?? true,
        input.onlineBooking ?? false,
      ],
    );
    await replaceLinks(tx, id, input.providerIds ?? [], input.resourceIds ?? []);
    await recordAudit(tx, ctx, { action: 'appointment_type.create', resourceType: 'appointment_type', resourceId: id });
    return readType(tx, id);
  });
}

export async function listAppointmentTypes(ctx: TenantContext): Promise<AppointmentType[]> {
  const res = await ctx.statement<Row>(`${SELECT} where t.tenant_id = $1 order by lower(t.name), t.id`, [ctx.tenant.id]);
  return res.rows.map(toType);
}

export async function getAppointmentType(ctx: TenantContext, id: string): Promise<AppointmentType> {
  if (!isUuid(id)) throw notFound('appointment type');
  const res = await ctx.statement<Row>(`${SELECT} where t.tenant_id = $1 and t.id = $2`, [ctx.tenant.id, id]);
  if (!res.rows[0]) throw notFound('appointment type');
  return toType(res.rows[0]);
}

const UPDATE_COLUMNS = {
  name: 'name',
  durationMinutes: 'duration_minutes',
  bufferBeforeMinutes: 'buffer_before_minutes',
  bufferAfterMinutes: 'buffer_after_minutes',
  color: 'color',
  priceItemCode: 'price_item_code',
  rules: 'rules',
  active: 'active',
  onlineBooking: 'online_booking',
} as const satisfies Partial<Record<keyof AppointmentTypeUpdate, string>>;

/** Changes the fields sent; `providerIds`, `resourceIds` and `rules` replace what was there. */
export async function updateAppointmentType(ctx: TenantContext, id: string, patch: AppointmentTypeUpdate): Promise<AppointmentType> {
  if (!isUuid(id)) throw notFound('appointment type');
  checkTypeFields(patch);
  const fields = Object.keys(patch).filter((k) => patch[k as keyof AppointmentTypeUpdate] !== undefined);
  if (fields.length === 0) throw validationError([{ field: '(body)', message: 'must change at least one field' }]);
  return ctx.tx(async (tx) => {
    const lock = await tx.query('select 1 from appointment_types where tenant_id = $1 and id = $2 for update', [tx.tenantId, id]);
    if (!lock.rows[0]) throw notFound('appointment type');
    const params: unknown[] = [tx.tenantId, id];
    const sets = Object.entries(UPDATE_COLUMNS).flatMap(([key, column]) => {
      let v: unknown = patch[key as keyof typeof UPDATE_COLUMNS];
      if (v === undefined) return [];
      if (key === 'name' && typeof v === 'string') v = v.trim();
      if (key === 'color' && typeof v === 'string') v = v.toLowerCase();
      if (key === 'rules') v = JSON.stringify(v);
      params.push(v);
      return [`${column} = $${params.length}`];
    });
    if (sets.length) await tx.query(`update appointment_types set ${sets.join(', ')} where tenant_id = $1 and id = $2`, params);
    await replaceLinks(tx, id, patch.providerIds, patch.resourceIds);
    await recordAudit(tx, ctx, { action: 'appointment_type.update', resourceType: 'appointment_type', resourceId: id, details: { fields } });
    return readType(tx, id);
  });
}
