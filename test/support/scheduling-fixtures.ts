/**
 * Scheduling fixtures written straight into a tenant's tables through the tenancy door (RLS applies),
 * so availability and booking tests do not depend on the configuration API they are not testing.
 */
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';

export async function tenantRef(t: TestApp, slug: string): Promise<TenantRef> {
  const ref = await t.services.tenants.bySlug(slug);
  if (!ref) throw new Error(`no tenant ${slug}`);
  return ref;
}

/** Weekday (1 = Monday … 7 = Sunday) → [["09:00","17:00"], …] in the location's wall time. */
export type WeeklyHours = Record<number, [string, string][]>;

export const WEEKDAYS_9_TO_5: WeeklyHours = { 1: [['09:00', '17:00']], 2: [['09:00', '17:00']], 3: [['09:00', '17:00']], 4: [['09:00', '17:00']], 5: [['09:00', '17:00']] };

export async function insertLocation(t: TestApp, ref: TenantRef, input: { name?: string; timeZone: string; openingHours?: WeeklyHours }): Promise<string> {
  const id = uuidv7();
  await withTenant(t.services.db, ref, (tx) =>
    tx.query('insert into locations (tenant_id, id, name, time_zone, opening_hours) values ($1, $2, $3, $4, $5)', [
      tx.tenantId,
      id,
      input.name ?? 'Main',
      input.timeZone,
      JSON.stringify(input.openingHours ?? {}),
    ]),
  );
  return id;
}

export async function insertProvider(t: TestApp, ref: TenantRef, input: { name?: string; locationId: string; hours: WeeklyHours }): Promise<string> {
  const id = uuidv7();
  await withTenant(t.services.db, ref, async (tx) => {
    await tx.query('insert into providers (tenant_id, id, display_name) values ($1, $2, $3)', [tx.tenantId, id, input.name ?? 'Dr Test']);
    for (const [weekday, intervals] of Object.entries(input.hours)) {
      for (const [start, end] of intervals) {
        await tx.query(
          'insert into provider_hours (tenant_id, id, provider_id, location_id, weekday, start_time, end_time) values ($1, $2, $3, $4, $5, $6, $7)',
          [tx.tenantId, uuidv7(), id, input.locationId, Number(weekday), start, end],
        );
      }
    }
  });
  return id;
}

export async function insertAppointmentType(
  t: TestApp,
  ref: TenantRef,
  input: { name?: string; durationMinutes: number; bufferBefore?: number; bufferAfter?: number; providerIds: string[]; resourceIds?: string[]; rules?: Record<string, unknown> },
): Promise<string> {
  const id = uuidv7();
  await withTenant(t.services.db, ref, async (tx) => {
    await tx.query(
      `insert into appointment_types (tenant_id, id, name, duration_minutes, buffer_before_minutes, buffer_after_minutes, rules)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [tx.tenantId, id, input.name ?? 'Visit', input.durationMinutes, input.bufferBefore ?? 0, input.bufferAfter ?? 0, JSON.stringify(input.rules ?? {})],
    );
    for (const p of input.providerIds) {
      await tx.query('insert into appointment_type_providers (tenant_id, type_id, provider_id) values ($1, $2, $3)', [tx.tenantId, id, p]);
    }
    for (const r of input.resourceIds ?? []) {
      await tx.query('insert into appointment_type_resources (tenant_id, type_id, resource_id) values ($1, $2, $3)', [tx.tenantId, id, r]);
    }
  });
  return id;
}

export async function insertResource(t: TestApp, ref: TenantRef, input: { locationId: string; name?: string }): Promise<string> {
  const id = uuidv7();
  await withTenant(t.services.db, ref, (tx) =>
    tx.query('insert into resources (tenant_id, id, location_id, name) values ($1, $2, $3, $4)', [tx.tenantId, id, input.locationId, input.name ?? 'Room 1']),
  );
  return id;
}

export async function setPracticeRules(t: TestApp, ref: TenantRef, rules: Record<string, unknown>): Promise<void> {
  await withTenant(t.services.db, ref, (tx) =>
    tx.query(
      `insert into scheduling_settings (tenant_id, rules) values ($1, $2)
       on conflict (tenant_id) do update set rules = excluded.rules, updated_at = now()`,
      [tx.tenantId, JSON.stringify(rules)],
    ),
  );
}

/**
 * Puts at least one row in every scheduling and messaging table of a practice, so tests that must
 * see "every table" (erase, export, tier moves) cover them. Uses the tenancy door like the app.
 */
export async function fillSchedulingTables(t: TestApp, ref: TenantRef, patientId: string): Promise<void> {
  const locationId = await insertLocation(t, ref, { timeZone: 'America/New_York', openingHours: WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const resourceId = await insertResource(t, ref, { locationId });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId], resourceIds: [resourceId] });
  await setPracticeRules(t, ref, { minNoticeMinutes: 0 });
  await withTenant(t.services.db, ref, async (tx) => {
    const id = () => uuidv7();
    const start = new Date(Date.now() + 30 * 86_400_000);
    const end = new Date(start.getTime() + 30 * 60_000);
    const seriesId = id();
    await tx.query('insert into location_holidays (tenant_id, id, location_id, date, name) values ($1, $2, $3, $4, $5)', [tx.tenantId, id(), locationId, '2030-12-25', 'Christmas']);
    await tx.query(`insert into provider_overrides (tenant_id, id, provider_id, location_id, date, intervals) values ($1, $2, $3, $4, '2030-01-02', '[]')`, [tx.tenantId, id(), providerId, locationId]);
    await tx.query(`insert into provider_time_off (tenant_id, id, provider_id, starts_at, ends_at) values ($1, $2, $3, now() + interval '60 days', now() + interval '61 days')`, [tx.tenantId, id(), providerId]);
    await tx.query(`insert into appointment_series (tenant_id, id, rrule, time_zone) values ($1, $2, 'FREQ=WEEKLY;COUNT=2', 'America/New_York')`, [tx.tenantId, seriesId]);
    await tx.query(
      `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, resource_id, series_id, starts_at, ends_at, blocked)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, tstzrange($9::timestamptz, $10::timestamptz, '[)'))`,
      [tx.tenantId, id(), patientId, providerId, locationId, typeId, resourceId, seriesId, start.toISOString(), end.toISOString()],
    );
    await tx.query(`insert into waitlist_entries (tenant_id, id, patient_id, type_id, earliest, latest) values ($1, $2, $3, $4, '2030-01-01', '2030-01-31')`, [tx.tenantId, id(), patientId, typeId]);
    await tx.query(`insert into idempotency_keys (tenant_id, key, scope, request_hash, status_code, response) values ($1, $2, 'test', 'h', 201, '{}')`, [tx.tenantId, id()]);
    await tx.query(`insert into email_outbox (tenant_id, id, message_key, to_address, subject, body_text) values ($1, $2, $3, 'x@example.test', 's', 'b')`, [tx.tenantId, id(), id()]);
  });
}

export interface BookablePractice {
  readonly ref: TenantRef;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  readonly patientId: string;
}

/**
 * A practice ready to book: no minimum notice, one location open 9–5 on weekdays in `zone`, one
 * provider with those hours, a 30-minute type, and one patient (created through the API).
 */
export async function bookablePractice(t: TestApp, tenant: { slug: string; adminToken: string }, zone: string): Promise<BookablePractice> {
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0 });
  const locationId = await insertLocation(t, ref, { timeZone: zone, openingHours: WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId] });
  const created = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Secret', lastName: 'Victim', dateOfBirth: '1970-01-01' } });
  if (created.statusCode !== 201) throw new Error(`patient create failed: ${created.body}`);
  return { ref, locationId, providerId, typeId, patientId: created.json().id };
}
