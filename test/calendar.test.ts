/**
 * GET /api/calendar over the real HTTP stack and database: free time around appointments and their
 * buffers, time off, overrides, holidays, cancelled and no-show visits, week ranges, a daylight-saving
 * week, validation, permissions and the audit event.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { uuidv7 } from '../src/db/uuid.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import {
  WEEKDAYS_9_TO_5,
  insertAppointmentType,
  insertLocation,
  insertProvider,
  setPracticeRules,
  tenantRef,
  type WeeklyHours,
} from './support/scheduling-fixtures.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Body = Record<string, unknown>;
interface Range {
  start: string;
  end: string;
}
interface Day {
  date: string;
  working: Range[];
  appointments: { id: string; start: string; end: string; status: string; typeId: string; typeName: string; color: string; patientId: string; patientName: string; lateCancel: boolean }[];
  timeOff: Range[];
  free: Range[];
}
interface CalendarBody {
  view: string;
  timeZone: string;
  from: string;
  to: string;
  providers: { providerId: string; name: string; color: string | null; days: Day[] }[];
}

const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';
const EVERY_DAY_9_TO_5: WeeklyHours = { ...WEEKDAYS_9_TO_5, 6: [['09:00', '17:00']], 7: [['09:00', '17:00']] };

/** The Monday three weeks ahead in Berlin: inside the default horizon, outside the cancel window, never a DST day. */
const DAY = DateTime.now().setZone(BERLIN).startOf('week').plus({ weeks: 3 }).toISODate()!;

/** `HH:mm` on local `date` in `zone` as ISO 8601 with the zone's offset, as the API writes it. */
function at(date: string, hm: string, zone = BERLIN): string {
  return DateTime.fromISO(`${date}T${hm}`, { zone }).toISO({ suppressMilliseconds: true })!;
}

function ranges(date: string, pairs: [string, string][], zone = BERLIN): Range[] {
  return pairs.map(([s, e]) => ({ start: at(date, s, zone), end: at(date, e, zone) }));
}

interface Practice {
  readonly tenant: TestTenant;
  readonly zone: string;
  readonly locationId: string;
  readonly providerId: string;
  readonly provider2Id: string;
  /** 30 minutes, no buffers. */
  readonly typeId: string;
  /** 30 minutes with 15-minute buffers before and after. */
  readonly bufferedTypeId: string;
}

/** A practice with one location open 9–5 on weekdays and two providers working those hours there. */
async function practice(opts: { zone?: string; hours?: WeeklyHours; openingHours?: WeeklyHours; rules?: Body } = {}): Promise<Practice> {
  const tenant = await t.createTenant();
  const ref = await tenantRef(t, tenant.slug);
  const zone = opts.zone ?? BERLIN;
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, ...opts.rules });
  const locationId = await insertLocation(t, ref, { timeZone: zone, openingHours: opts.openingHours ?? WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { name: 'Dr Adams', locationId, hours: opts.hours ?? WEEKDAYS_9_TO_5 });
  const provider2Id = await insertProvider(t, ref, { name: 'Dr Baker', locationId, hours: opts.hours ?? WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Check-up', durationMinutes: 30, providerIds: [providerId, provider2Id] });
  const bufferedTypeId = await insertAppointmentType(t, ref, { name: 'Procedure', durationMinutes: 30, bufferBefore: 15, bufferAfter: 15, providerIds: [providerId, provider2Id] });
  return { tenant, zone, locationId, providerId, provider2Id, typeId, bufferedTypeId };
}

let patientSeq = 0;
async function patient(tenant: TestTenant): Promise<{ id: string; name: string }> {
  patientSeq++;
  const lastName = `Calendar${patientSeq}`;
  const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Pat', lastName, dateOfBirth: '1980-05-01' } });
  assert.equal(res.statusCode, 201, res.body);
  return { id: res.json().id, name: `Pat ${lastName}` };
}

async function book(p: Practice, patientId: string, start: string, opts: { typeId?: string; providerId?: string } = {}): Promise<string> {
  const res = await t.api(p.tenant, p.tenant.adminToken, {
    method: 'POST',
    url: '/api/appointments',
    payload: { patientId, typeId: opts.typeId ?? p.typeId, providerId: opts.providerId ?? p.providerId, locationId: p.locationId, start },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

function calendar(p: Practice, query: Record<string, string>, token = p.tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, token, { method: 'GET', url: '/api/calendar', query: { locationId: p.locationId, ...query } });
}

async function calendarOk(p: Practice, query: Record<string, string>): Promise<CalendarBody> {
  const res = await calendar(p, query);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** The one day of `providerId` in a day view. */
async function dayOf(p: Practice, date: string, providerId = p.providerId): Promise<Day> {
  const body = await calendarOk(p, { view: 'day', date, providerId });
  assert.equal(body.providers.length, 1);
  assert.equal(body.providers[0]!.days.length, 1);
  return body.providers[0]!.days[0]!;
}

async function sql(p: Practice, text: string, params: unknown[]): Promise<void> {
  const ref = await tenantRef(t, p.tenant.slug);
  await withTenant(t.services.db, ref, async (tx) => {
    await tx.query(text, [tx.tenantId, ...params]);
  });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Body {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  return body;
}

describe('day view', () => {
  test('two appointments, one with buffers: free time is working time minus their blocked ranges', async () => {
    const p = await practice();
    const a = await patient(p.tenant);
    const b = await patient(p.tenant);
    const plain = await book(p, a.id, at(DAY, '10:00'));
    const buffered = await book(p, b.id, at(DAY, '14:00'), { typeId: p.bufferedTypeId });
    const body = await calendarOk(p, { view: 'day', date: DAY, providerId: p.providerId });
    assert.deepEqual({ view: body.view, timeZone: body.timeZone, from: body.from, to: body.to }, { view: 'day', timeZone: BERLIN, from: DAY, to: DAY });
    assert.equal(body.providers.length, 1);
    const provider = body.providers[0]!;
    assert.deepEqual({ id: provider.providerId, name: provider.name, color: provider.color }, { id: p.providerId, name: 'Dr Adams', color: null });
    const day = provider.days[0]!;
    assert.equal(day.date, DAY);
    assert.deepEqual(day.working, ranges(DAY, [['09:00', '17:00']]));
    assert.deepEqual(day.appointments, [
      { id: plain, start: at(DAY, '10:00'), end: at(DAY, '10:30'), status: 'booked', typeId: p.typeId, typeName: 'Check-up', color: '#3b82f6', patientId: a.id, patientName: a.name, lateCancel: false },
      { id: buffered, start: at(DAY, '14:00'), end: at(DAY, '14:30'), status: 'booked', typeId: p.bufferedTypeId, typeName: 'Procedure', color: '#3b82f6', patientId: b.id, patientName: b.name, lateCancel: false },
    ]);
    assert.deepEqual(day.timeOff, []);
    // The buffered visit holds 13:45–14:45.
    assert.deepEqual(day.free, ranges(DAY, [['09:00', '10:00'], ['10:30', '13:45'], ['14:45', '17:00']]));
    // The other provider's day is untouched by these bookings.
    assert.deepEqual((await dayOf(p, DAY, p.provider2Id)).free, ranges(DAY, [['09:00', '17:00']]));
  });

  test('time off splits free time and is shown without its reason', async () => {
    const p = await practice();
    await sql(p, 'insert into provider_time_off (tenant_id, id, provider_id, starts_at, ends_at, reason) values ($1, $2, $3, $4, $5, $6)', [
      uuidv7(), p.providerId, at(DAY, '12:00'), at(DAY, '13:30'), 'Physiotherapy appointment',
    ]);
    const a = await patient(p.tenant);
    await book(p, a.id, at(DAY, '09:30'));
    const day = await dayOf(p, DAY);
    assert.deepEqual(day.timeOff, ranges(DAY, [['12:00', '13:30']]));
    assert.deepEqual(Object.keys(day.timeOff[0]!).sort(), ['end', 'start']);
    assert.deepEqual(day.free, ranges(DAY, [['09:00', '09:30'], ['10:00', '12:00'], ['13:30', '17:00']]));
  });

  test('time off over several days is clipped to each day', async () => {
    const p = await practice();
    const tuesday = DateTime.fromISO(DAY).plus({ days: 1 }).toISODate()!;
    await sql(p, 'insert into provider_time_off (tenant_id, id, provider_id, starts_at, ends_at) values ($1, $2, $3, $4, $5)', [
      uuidv7(), p.providerId, at(DAY, '13:00'), at(tuesday, '11:00'),
    ]);
    const week = await calendarOk(p, { view: 'week', date: DAY, providerId: p.providerId });
    const [monday, tue] = week.providers[0]!.days;
    assert.deepEqual(monday!.timeOff, [{ start: at(DAY, '13:00'), end: at(tuesday, '00:00') }]);
    assert.deepEqual(monday!.free, ranges(DAY, [['09:00', '13:00']]));
    assert.deepEqual(tue!.timeOff, [{ start: at(tuesday, '00:00'), end: at(tuesday, '11:00') }]);
    assert.deepEqual(tue!.free, ranges(tuesday, [['11:00', '17:00']]));
  });

  test('an appointment at another location is not listed here but holds the provider’s time', async () => {
    const p = await practice();
    const ref = await tenantRef(t, p.tenant.slug);
    const annex = await insertLocation(t, ref, { name: 'Annex', timeZone: BERLIN });
    await sql(p, 'insert into provider_hours (tenant_id, id, provider_id, location_id, weekday, start_time, end_time) values ($1, $2, $3, $4, 1, $5, $6)', [
      uuidv7(), p.providerId, annex, '11:00', '12:00',
    ]);
    const a = await patient(p.tenant);
    await book({ ...p, locationId: annex }, a.id, at(DAY, '11:00'));
    const day = await dayOf(p, DAY);
    assert.deepEqual(day.appointments, []);
    assert.deepEqual(day.free, ranges(DAY, [['09:00', '11:00'], ['11:30', '17:00']]));
  });

  test('an override replaces the weekly hours that day, within the opening hours', async () => {
    const p = await practice();
    await sql(p, 'insert into provider_overrides (tenant_id, id, provider_id, location_id, date, intervals) values ($1, $2, $3, $4, $5, $6)', [
      uuidv7(), p.providerId, p.locationId, DAY, JSON.stringify([['08:00', '12:00'], ['13:00', '15:00']]),
    ]);
    const day = await dayOf(p, DAY);
    // 08:00–09:00 is outside the location's opening hours.
    assert.deepEqual(day.working, ranges(DAY, [['09:00', '12:00'], ['13:00', '15:00']]));
    assert.deepEqual(day.free, day.working);
    assert.deepEqual((await dayOf(p, DAY, p.provider2Id)).working, ranges(DAY, [['09:00', '17:00']]), 'the override is one provider’s');
  });

  test('a holiday has no working and no free time', async () => {
    const p = await practice();
    await sql(p, 'insert into location_holidays (tenant_id, id, location_id, date, name) values ($1, $2, $3, $4, $5)', [uuidv7(), p.locationId, DAY, 'Founders day']);
    const body = await calendarOk(p, { view: 'day', date: DAY });
    assert.deepEqual(body.providers.map((x) => x.name), ['Dr Adams', 'Dr Baker'], 'providers working there are still shown');
    for (const provider of body.providers) {
      assert.deepEqual(provider.days, [{ date: DAY, working: [], appointments: [], timeOff: [], free: [] }]);
    }
  });

  test('a cancelled and a no-show appointment are listed with their status but leave free time alone', async () => {
    const p = await practice();
    const a = await patient(p.tenant);
    const cancelled = await book(p, a.id, at(DAY, '11:00'), { typeId: p.bufferedTypeId });
    const noShow = await book(p, a.id, at(DAY, '15:00'));
    const kept = await book(p, a.id, at(DAY, '16:00'));
    const c = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointments/${cancelled}/cancel`, payload: { reason: 'Feeling better' } });
    assert.equal(c.statusCode, 200, c.body);
    const n = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointments/${noShow}/no-show` });
    assert.equal(n.statusCode, 200, n.body);
    const day = await dayOf(p, DAY);
    assert.deepEqual(day.appointments.map((x) => [x.id, x.status]), [[cancelled, 'cancelled'], [noShow, 'no_show'], [kept, 'booked']]);
    assert.deepEqual(day.free, ranges(DAY, [['09:00', '16:00'], ['16:30', '17:00']]));
  });
});

describe('week view', () => {
  test('the ISO week containing the date, Monday to Sunday, for every provider working at the location', async () => {
    const p = await practice();
    const wednesday = DateTime.fromISO(DAY).plus({ days: 2 }).toISODate()!;
    const sunday = DateTime.fromISO(DAY).plus({ days: 6 }).toISODate()!;
    const a = await patient(p.tenant);
    const thursday = DateTime.fromISO(DAY).plus({ days: 3 }).toISODate()!;
    const onThursday = await book(p, a.id, at(thursday, '09:00'), { providerId: p.provider2Id });
    for (const date of [DAY, wednesday, sunday]) {
      const body = await calendarOk(p, { view: 'week', date });
      assert.deepEqual([body.view, body.from, body.to], ['week', DAY, sunday]);
      assert.deepEqual(body.providers.map((x) => [x.providerId, x.name]), [[p.providerId, 'Dr Adams'], [p.provider2Id, 'Dr Baker']]);
      for (const provider of body.providers) {
        assert.deepEqual(provider.days.map((d) => d.date), [0, 1, 2, 3, 4, 5, 6].map((i) => DateTime.fromISO(DAY).plus({ days: i }).toISODate()));
        assert.deepEqual(provider.days.map((d) => d.working.length), [1, 1, 1, 1, 1, 0, 0], 'weekdays only');
      }
      assert.deepEqual(body.providers[1]!.days[3]!.appointments.map((x) => x.id), [onThursday]);
      assert.deepEqual(body.providers[1]!.days[3]!.free, ranges(thursday, [['09:30', '17:00']]));
    }
  });

  test('who is shown: a provider with appointments there but no hours is; an inactive one, or one working elsewhere, is not', async () => {
    const p = await practice();
    const ref = await tenantRef(t, p.tenant.slug);
    const elsewhere = await insertLocation(t, ref, { name: 'Annex', timeZone: BERLIN });
    const annexOnly = await insertProvider(t, ref, { name: 'Dr Annex', locationId: elsewhere, hours: WEEKDAYS_9_TO_5 });
    const a = await patient(p.tenant);
    const id = await book(p, a.id, at(DAY, '10:00'), { providerId: p.provider2Id });
    // Dr Baker stops working here after the booking; the appointment still puts them on the calendar that day.
    await sql(p, 'delete from provider_hours where tenant_id = $1 and provider_id = $2', [p.provider2Id]);
    const day = await calendarOk(p, { view: 'day', date: DAY });
    assert.deepEqual(day.providers.map((x) => x.name), ['Dr Adams', 'Dr Baker']);
    assert.deepEqual(day.providers[1]!.days[0]!.appointments.map((x) => x.id), [id]);
    assert.deepEqual(day.providers[1]!.days[0]!.working, []);
    const nextDay = DateTime.fromISO(DAY).plus({ days: 1 }).toISODate()!;
    assert.deepEqual((await calendarOk(p, { view: 'day', date: nextDay })).providers.map((x) => x.name), ['Dr Adams']);
    await sql(p, 'update providers set active = false where tenant_id = $1 and id = $2', [p.providerId]);
    assert.deepEqual((await calendarOk(p, { view: 'day', date: nextDay })).providers, [], 'an inactive provider is not shown');
    // Asked for by id, an inactive provider is shown without working time; one working elsewhere has none here.
    assert.deepEqual((await dayOf(p, nextDay, p.providerId)).working, []);
    assert.deepEqual((await dayOf(p, nextDay, annexOnly)).working, []);
  });

  test('a daylight-saving week in New York keeps 09:00–17:00 local before and after the change', async () => {
    const p = await practice({ zone: NY, hours: EVERY_DAY_9_TO_5, openingHours: {}, rules: { horizonDays: 730 } });
    const a = await patient(p.tenant);
    const friday = await book(p, a.id, '2027-03-12T10:00:00-05:00');
    const sunday = await book(p, a.id, '2027-03-14T10:00:00-04:00');
    const body = await calendarOk(p, { view: 'week', date: '2027-03-14', providerId: p.providerId });
    assert.deepEqual([body.from, body.to, body.timeZone], ['2027-03-08', '2027-03-14', NY]);
    const days = body.providers[0]!.days;
    const dates = ['2027-03-08', '2027-03-09', '2027-03-10', '2027-03-11', '2027-03-12', '2027-03-13', '2027-03-14'];
    assert.deepEqual(days.map((d) => d.date), dates);
    for (const d of days) {
      const offset = d.date === '2027-03-14' ? '-04:00' : '-05:00';
      assert.deepEqual(d.working, [{ start: `${d.date}T09:00:00${offset}`, end: `${d.date}T17:00:00${offset}` }], d.date);
      const elapsed = Date.parse(d.working[0]!.end) - Date.parse(d.working[0]!.start);
      assert.equal(elapsed, 8 * 3_600_000, 'eight real hours');
    }
    assert.deepEqual(days[4]!.appointments.map((x) => [x.id, x.start, x.end]), [[friday, '2027-03-12T10:00:00-05:00', '2027-03-12T10:30:00-05:00']]);
    assert.deepEqual(days[4]!.free, [{ start: '2027-03-12T09:00:00-05:00', end: '2027-03-12T10:00:00-05:00' }, { start: '2027-03-12T10:30:00-05:00', end: '2027-03-12T17:00:00-05:00' }]);
    assert.deepEqual(days[6]!.appointments.map((x) => [x.id, x.start, x.end]), [[sunday, '2027-03-14T10:00:00-04:00', '2027-03-14T10:30:00-04:00']]);
    assert.deepEqual(days[6]!.free, [{ start: '2027-03-14T09:00:00-04:00', end: '2027-03-14T10:00:00-04:00' }, { start: '2027-03-14T10:30:00-04:00', end: '2027-03-14T17:00:00-04:00' }]);
    // The Monday after the change is a day of the next week, still 09:00 local.
    const monday = await dayOf(p, '2027-03-15');
    assert.deepEqual(monday.working, [{ start: '2027-03-15T09:00:00-04:00', end: '2027-03-15T17:00:00-04:00' }]);
  });
});

describe('access', () => {
  test('validation: a bad date, a missing location or an unknown view answer 400 naming the field', async () => {
    const p = await practice();
    for (const [query, field] of [
      [{ view: 'day', date: '2026-02-30' }, 'date'],
      [{ view: 'day', date: 'tomorrow' }, 'date'],
      [{ view: 'month', date: DAY }, 'view'],
    ] as const) {
      const body = assertProblem(await calendar(p, query), 400, 'validation_failed');
      assert.deepEqual((body.errors as { field: string }[]).map((e) => e.field), [field], JSON.stringify(query));
    }
    const missing = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/calendar', query: { view: 'day', date: DAY } });
    const body = assertProblem(missing, 400, 'validation_failed');
    assert.deepEqual((body.errors as { field: string }[]).map((e) => e.field), ['locationId']);
    assertProblem(await calendar(p, { view: 'day', date: DAY, locationId: 'not-a-uuid' }), 404, 'not_found');
    assertProblem(await calendar(p, { view: 'day', date: DAY, providerId: uuidv7() }), 404, 'not_found');
  });

  test('permission: billing lacks scheduling:read (403); front desk reads the calendar', async () => {
    const p = await practice();
    const token = async (role: string) => {
      const email = `${role}-${uuidv7().slice(-8)}@${p.tenant.slug}.test`;
      const created = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: role, password: PASSWORD, roles: [role] } });
      assert.equal(created.statusCode, 201, created.body);
      const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
      assert.equal(login.statusCode, 200, login.body);
      return login.json().accessToken as string;
    };
    assertProblem(await calendar(p, { view: 'day', date: DAY }, await token('billing')), 403, 'permission_denied');
    const desk = await calendar(p, { view: 'day', date: DAY }, await token('front_desk'));
    assert.equal(desk.statusCode, 200, desk.body);
  });

  test('each read writes one calendar.read audit event naming the appointments shown', async () => {
    const p = await practice();
    const a = await patient(p.tenant);
    const first = await book(p, a.id, at(DAY, '09:00'));
    const second = await book(p, a.id, at(DAY, '10:00'), { providerId: p.provider2Id });
    const tuesday = DateTime.fromISO(DAY).plus({ days: 1 }).toISODate()!;
    const third = await book(p, a.id, at(tuesday, '09:00'));
    const week = await calendarOk(p, { view: 'week', date: DAY });
    const shown = week.providers.flatMap((x) => x.days.flatMap((d) => d.appointments.map((y) => y.id)));
    assert.deepEqual(shown.sort(), [first, second, third].sort());
    await calendarOk(p, { view: 'day', date: tuesday, providerId: p.providerId });
    const res = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { action: 'calendar.read' } });
    assert.equal(res.statusCode, 200, res.body);
    const events = res.json().items as { action: string; resourceType: string; resourceId: string; details: Body }[];
    assert.equal(events.length, 2);
    const [dayRead, weekRead] = events; // newest first
    assert.deepEqual([weekRead!.resourceType, weekRead!.resourceId], ['location', p.locationId]);
    assert.deepEqual((weekRead!.details.appointmentIds as string[]).sort(), [first, second, third].sort());
    assert.deepEqual(weekRead!.details, { ...weekRead!.details, view: 'week', from: DAY, providerId: null });
    assert.deepEqual(dayRead!.details.appointmentIds, [third]);
    assert.equal(dayRead!.details.providerId, p.providerId);
    assert.ok(!JSON.stringify(events).includes(a.name.split(' ')[1]!), 'no patient name in the audit trail');
  });
});
