/**
 * Recurring appointments: the pure RRULE expansion in floating local time (daylight saving both
 * ways, a spring-forward gap, BYDAY + UNTIL, caps), then the series routes over the real HTTP stack
 * and database: booking across a DST change, 'fail' vs 'skip' on a taken week, idempotent retries,
 * reading, and cancelling the rest of a series.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { WEEKDAYS_9_TO_5, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef } from './support/scheduling-fixtures.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';
import { AppError } from '../src/errors/catalogue.ts';
import { expandSeries, type SeriesOccurrence } from '../src/domain/scheduling/recurrence.ts';
import { WAITLIST_OFFER_JOB } from '../src/domain/scheduling/waitlist-service.ts';

type Body = Record<string, unknown>;

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

function utc(occurrences: SeriesOccurrence[]): string[] {
  return occurrences.map((o) => (o.kind === 'exists' ? o.start.toISOString() : `gap ${o.wall}`));
}

/** The field errors of a validation failure thrown by `fn`. */
function fieldErrors(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'validation_failed');
    return [...(err.extra.errors ?? [])];
  }
  assert.fail('expected a validation error');
}

describe('expansion in floating local time', () => {
  test('weekly 09:00 New York for 10 weeks across the 2027-03-14 spring forward stays 09:00 local (14:00Z → 13:00Z)', () => {
    const occ = expandSeries({ start: new Date('2027-02-08T09:00:00-05:00'), rrule: 'FREQ=WEEKLY;COUNT=10', timeZone: NY });
    assert.equal(occ.length, 10);
    for (const o of occ) {
      assert.equal(o.kind, 'exists');
      assert.equal(o.wall.slice(11), '09:00:00');
      if (o.kind === 'exists') assert.equal(DateTime.fromJSDate(o.start, { zone: NY }).toFormat('HH:mm'), '09:00');
    }
    const hours = utc(occ).map((s) => s.slice(11, 13));
    // 8, 15, 22 Feb and 1, 8 Mar are EST; from 15 Mar EDT.
    assert.deepEqual(hours, ['14', '14', '14', '14', '14', '13', '13', '13', '13', '13']);
    assert.equal(utc(occ)[5], '2027-03-15T13:00:00.000Z');
  });

  test('weekly 09:00 Berlin across the 2027-10-31 fall back stays 09:00 local (07:00Z → 08:00Z)', () => {
    const occ = expandSeries({ start: new Date('2027-10-18T09:00:00+02:00'), rrule: 'FREQ=WEEKLY;COUNT=4', timeZone: BERLIN });
    assert.deepEqual(utc(occ), ['2027-10-18T07:00:00.000Z', '2027-10-25T07:00:00.000Z', '2027-11-01T08:00:00.000Z', '2027-11-08T08:00:00.000Z']);
    assert.deepEqual(occ.map((o) => o.wall), ['2027-10-18T09:00:00', '2027-10-25T09:00:00', '2027-11-01T09:00:00', '2027-11-08T09:00:00']);
  });

  test('daily 02:30 New York across the spring-forward night reports the nonexistent occurrence, not a shifted one', () => {
    const occ = expandSeries({ start: new Date('2027-03-12T02:30:00-05:00'), rrule: 'FREQ=DAILY;COUNT=4', timeZone: NY });
    assert.deepEqual(utc(occ), ['2027-03-12T07:30:00.000Z', '2027-03-13T07:30:00.000Z', 'gap 2027-03-14T02:30:00', '2027-03-15T06:30:00.000Z']);
    assert.deepEqual(occ.map((o) => o.kind), ['exists', 'exists', 'nonexistent', 'exists']);
  });

  test('BYDAY + UNTIL (a UTC instant) gives Mondays and Thursdays up to the instant', () => {
    const occ = expandSeries({ start: new Date('2027-02-01T09:00:00-05:00'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270301T000000Z', timeZone: NY });
    assert.deepEqual(
      occ.map((o) => o.wall.slice(0, 10)),
      ['2027-02-01', '2027-02-04', '2027-02-08', '2027-02-11', '2027-02-15', '2027-02-18', '2027-02-22', '2027-02-25'],
    );
    // UNTIL at 14:00Z on 1 March is 09:00 New York: that Monday is included.
    const inclusive = expandSeries({ start: new Date('2027-02-01T09:00:00-05:00'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270301T140000Z', timeZone: NY });
    assert.equal(inclusive.at(-1)!.wall, '2027-03-01T09:00:00');
  });

  test('caps: 53 occurrences, more than 2 years, unbounded or sub-daily rules and DTSTART are refused naming rrule', () => {
    const start = new Date('2027-02-01T09:00:00-05:00');
    const base = { start, timeZone: NY };
    assert.equal(expandSeries({ ...base, rrule: 'FREQ=WEEKLY;COUNT=52' }).length, 52);
    for (const rrule of [
      'FREQ=WEEKLY;COUNT=53',
      'FREQ=DAILY;UNTIL=20280101T000000Z', // ~334 days of daily visits
      'FREQ=MONTHLY;UNTIL=20290301T000000Z',
      'FREQ=WEEKLY',
      'FREQ=HOURLY;COUNT=3',
      'FREQ=WEEKLY;COUNT=3;BYHOUR=10',
      'DTSTART:20270201T140000Z\nRRULE:FREQ=WEEKLY;COUNT=3',
      'FREQ=WEEKLY;BYDAY=XX;COUNT=3',
      'NOT A RULE',
    ]) {
      const errors = fieldErrors(() => expandSeries({ ...base, rrule }));
      assert.deepEqual(errors.map((e) => e.field), ['rrule'], rrule);
    }
    // Exactly two years is allowed; one occurrence beyond is not.
    assert.equal(expandSeries({ ...base, rrule: 'FREQ=YEARLY;COUNT=3' }).length, 3);
    assert.deepEqual(fieldErrors(() => expandSeries({ ...base, rrule: 'FREQ=YEARLY;COUNT=4' })).map((e) => e.field), ['rrule']);
  });

  test('a start that is not an occurrence of the rule is refused naming start', () => {
    // 3 February 2027 is a Wednesday.
    const errors = fieldErrors(() => expandSeries({ start: new Date('2027-02-03T09:00:00-05:00'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4', timeZone: NY }));
    assert.deepEqual(errors.map((e) => e.field), ['start']);
  });
});

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

interface Practice {
  readonly tenant: TestTenant;
  readonly zone: string;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  readonly patientId: string;
}

let seq = 0;
async function patient(tenant: TestTenant): Promise<string> {
  seq++;
  const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ser', lastName: `Ies${seq}`, dateOfBirth: '1975-06-15' } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function practice(zone: string, rules: Body = {}): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, horizonDays: 730, ...rules });
  const locationId = await insertLocation(t, ref, { timeZone: zone, openingHours: WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId] });
  return { tenant, zone, locationId, providerId, typeId, patientId: await patient(tenant) };
}

function createSeries(p: Practice, body: Body, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, p.tenant.adminToken, {
    method: 'POST',
    url: '/api/appointment-series',
    headers,
    payload: { patientId: p.patientId, typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, ...body },
  });
}

async function seriesRows(p: Practice): Promise<{ series: Body[]; appointments: Body[] }> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    series: (await tx.query<Body>('select * from appointment_series where tenant_id = $1', [tx.tenantId])).rows,
    appointments: (await tx.query<Body>('select * from appointments where tenant_id = $1 and series_id is not null order by starts_at', [tx.tenantId])).rows,
  }));
}

function localHour(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat('HH:mm');
}

describe('POST /api/appointment-series', () => {
  for (const [zone, start, switchIndex] of [
    [NY, '2027-02-22T09:00:00-05:00', 3], // 22 Feb, 1, 8 Mar EST; 15 Mar on EDT
    [BERLIN, '2027-03-08T09:00:00+01:00', 3], // 8, 15, 22 Mar CET; 29 Mar on CEST
  ] as const) {
    test(`a weekly series of 10 in ${zone} across the spring DST change: every appointment at 09:00 local`, async () => {
      const p = await practice(zone);
      const res = await createSeries(p, { start, rrule: 'FREQ=WEEKLY;COUNT=10', notes: 'physio course' });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(res.headers.location, `/api/appointment-series/${body.id}`);
      assert.equal(body.timeZone, zone);
      assert.equal(body.rrule, 'FREQ=WEEKLY;COUNT=10');
      assert.equal(body.occurrences.length, 10);
      assert.ok(body.occurrences.every((o: Body) => o.ok === true && typeof o.appointmentId === 'string'), res.body);
      for (const o of body.occurrences) assert.equal(localHour(o.start, zone), '09:00', o.start);

      const { series, appointments } = await seriesRows(p);
      assert.equal(series.length, 1);
      assert.equal(series[0]!.time_zone, zone);
      assert.equal(appointments.length, 10);
      assert.ok(appointments.every((a) => a.series_id === body.id && a.status === 'booked' && a.notes === 'physio course'));
      const utcHours = appointments.map((a) => new Date(a.starts_at as Date).getUTCHours());
      const before = utcHours[0]!;
      assert.deepEqual(utcHours, utcHours.map((_, i) => (i < switchIndex ? before : before - 1)));
      for (const a of appointments) assert.equal(DateTime.fromJSDate(new Date(a.starts_at as Date), { zone }).toFormat('HH:mm'), '09:00');

      const audit = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { resourceId: body.id } });
      assert.deepEqual(audit.json().items.map((e: Body) => e.action), ['appointment_series.create']);
    });
  }

  test("one taken week: 'fail' books nothing and lists every occurrence; 'skip' books 9 and reports 1", async () => {
    const p = await practice(NY);
    const other = await patient(p.tenant);
    const taken = '2027-03-15T09:00:00-04:00';
    const single = await t.api(p.tenant, p.tenant.adminToken, {
      method: 'POST',
      url: '/api/appointments',
      payload: { patientId: other, typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, start: taken },
    });
    assert.equal(single.statusCode, 201, single.body);

    const failed = await createSeries(p, { start: '2027-02-22T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=10' });
    assert.equal(failed.statusCode, 409, failed.body);
    assert.match(String(failed.headers['content-type']), /^application\/problem\+json/);
    const problem = failed.json();
    assert.equal(problem.code, 'series_conflicts');
    assert.equal(problem.occurrences.length, 10);
    const refused = problem.occurrences.filter((o: Body) => !o.ok);
    assert.deepEqual(refused.map((o: Body) => [o.start, o.rule]), [[taken, 'conflict']]);
    assert.equal(typeof refused[0].detail, 'string');
    assert.equal(problem.occurrences.filter((o: Body) => o.ok).length, 9);
    assert.deepEqual(await seriesRows(p), { series: [], appointments: [] }, 'nothing booked');

    const skipped = await createSeries(p, { start: '2027-02-22T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=10', conflicts: 'skip' });
    assert.equal(skipped.statusCode, 201, skipped.body);
    const body = skipped.json();
    assert.equal(body.occurrences.filter((o: Body) => o.ok).length, 9);
    assert.deepEqual(body.occurrences.filter((o: Body) => !o.ok).map((o: Body) => [o.start, o.rule, o.appointmentId]), [[taken, 'conflict', undefined]]);
    const { appointments } = await seriesRows(p);
    assert.equal(appointments.length, 9);
    assert.ok(!appointments.some((a) => new Date(a.starts_at as Date).getTime() === new Date(taken).getTime()));
  });

  test("Saturdays outside the provider's hours are reported with their rule; 'skip' with nothing bookable answers 409", async () => {
    const p = await practice(NY);
    // Saturdays: the provider never works, so no occurrence can be booked.
    const none = await createSeries(p, { start: '2027-02-20T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=3', conflicts: 'skip' });
    assert.equal(none.statusCode, 409, none.body);
    assert.equal(none.json().code, 'series_conflicts');
    assert.deepEqual(none.json().occurrences.map((o: Body) => [o.ok, o.rule]), [[false, 'outside_hours'], [false, 'outside_hours'], [false, 'outside_hours']]);
    assert.deepEqual(await seriesRows(p), { series: [], appointments: [] });
  });

  test('an rrule over the caps answers 400 naming rrule; a start that does not match names start', async () => {
    const p = await practice(NY);
    for (const rrule of ['FREQ=WEEKLY;COUNT=53', 'FREQ=DAILY;UNTIL=20290101T000000Z', 'FREQ=WEEKLY']) {
      const res = await createSeries(p, { start: '2027-02-22T09:00:00-05:00', rrule });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'validation_failed');
      assert.deepEqual(res.json().errors.map((e: Body) => e.field), ['rrule'], rrule);
    }
    const wednesday = await createSeries(p, { start: '2027-02-24T09:00:00-05:00', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3' });
    assert.equal(wednesday.statusCode, 400, wednesday.body);
    assert.deepEqual(wednesday.json().errors.map((e: Body) => e.field), ['start']);
    assert.deepEqual(await seriesRows(p), { series: [], appointments: [] });
  });

  test('an idempotent retry returns the same series and books nothing more; another body with the key answers 422', async () => {
    const p = await practice(NY);
    const body = { start: '2027-02-22T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=4' };
    const first = await createSeries(p, body, { 'idempotency-key': 'series-1' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const retry = await createSeries(p, body, { 'idempotency-key': 'series-1' });
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json(), first.json());
    const { series, appointments } = await seriesRows(p);
    assert.equal(series.length, 1);
    assert.equal(appointments.length, 4);
    const reused = await createSeries(p, { ...body, rrule: 'FREQ=WEEKLY;COUNT=5' }, { 'idempotency-key': 'series-1' });
    assert.equal(reused.statusCode, 422, reused.body);
    assert.equal(reused.json().code, 'idempotency_key_reused');
  });
});

describe('GET and cancel', () => {
  test('GET shows the occurrences; cancel from a date cancels only the later booked ones, with reminders and waitlist offers', async () => {
    const p = await practice(NY);
    const created = await createSeries(p, { start: '2027-02-22T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=6' });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const ids = created.json().occurrences.map((o: Body) => o.appointmentId);

    const read = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: `/api/appointment-series/${id}` });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(read.json(), {
      id,
      rrule: 'FREQ=WEEKLY;COUNT=6',
      timeZone: NY,
      occurrences: created.json().occurrences.map((o: Body) => ({ id: o.appointmentId, start: o.start, status: 'booked' })),
    });

    // The 4th (15 Mar) is checked in already: only booked occurrences are cancelled.
    const checkedIn = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointments/${ids[3]}/check-in` });
    assert.equal(checkedIn.statusCode, 200, checkedIn.body);
    const from = '2027-03-08T09:00:00-05:00'; // the 3rd occurrence, inclusive
    const cancel = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointment-series/${id}/cancel`, payload: { reason: 'course ended', from } });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.deepEqual(cancel.json().cancelled, [ids[2], ids[4], ids[5]]);
    assert.deepEqual(cancel.json().occurrences.map((o: Body) => o.status), ['booked', 'booked', 'cancelled', 'checked_in', 'cancelled', 'cancelled']);

    const ref = await tenantRef(t, p.tenant.slug);
    const stored = await withTenant(t.services.db, ref, async (tx) =>
      (await tx.query<Body>('select id, status, late_cancel, cancel_reason from appointments where tenant_id = $1 and series_id = $2 order by starts_at', [tx.tenantId, id])).rows,
    );
    assert.deepEqual(stored.map((r) => [r.status, r.late_cancel, r.cancel_reason]), [
      ['booked', false, null], ['booked', false, null], ['cancelled', false, 'course ended'], ['checked_in', false, null], ['cancelled', false, 'course ended'], ['cancelled', false, 'course ended'],
    ]);
    const jobs = await asPlatform(t.services.db, async (tx) => ({
      reminders: (await tx.query<{ dedupe_key: string; status: string }>(`select dedupe_key, status from jobs where tenant_id = $1 and kind = 'appointment.reminder'`, [ref.id])).rows,
      offers: (await tx.query<{ payload: { start: string } }>('select payload from jobs where tenant_id = $1 and kind = $2', [ref.id, WAITLIST_OFFER_JOB])).rows,
    }));
    const reminderOf = (i: number) => jobs.reminders.find((j) => j.dedupe_key.endsWith(ids[i]))?.status;
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(reminderOf), ['queued', 'queued', 'cancelled', 'queued', 'cancelled', 'cancelled']);
    assert.deepEqual(jobs.offers.map((j) => j.payload.start).sort(), [2, 4, 5].map((i) => new Date(created.json().occurrences[i].start).toISOString()));

    const audit = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { resourceId: id } });
    assert.deepEqual(audit.json().items.map((e: Body) => e.action).sort(), ['appointment_series.cancel', 'appointment_series.create', 'appointment_series.read']);

    // Cancelling again from the start finds the two earlier ones; a bare POST (from = now) would find them too.
    const rest = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointment-series/${id}/cancel` });
    assert.equal(rest.statusCode, 200, rest.body);
    assert.deepEqual(rest.json().cancelled, [ids[0], ids[1]]);
  });

  test("series cancellation inside the window flags lateCancel and is not refused, where a single cancellation is", async () => {
    const p = await practice(NY, { cancelWindowMinutes: 60 * 24 * 30, lateCancel: 'refuse' });
    const start = DateTime.now().setZone(NY).startOf('week').plus({ weeks: 1 }).set({ hour: 9 });
    const created = await createSeries(p, { start: start.toISO({ suppressMilliseconds: true }), rrule: 'FREQ=WEEKLY;COUNT=6' });
    assert.equal(created.statusCode, 201, created.body);
    const occurrences = created.json().occurrences as { appointmentId: string; start: string }[];
    const single = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointments/${occurrences[0]!.appointmentId}/cancel`, payload: {} });
    assert.equal(single.statusCode, 409, single.body);
    assert.equal(single.json().rule, 'cancel_window');

    const cancel = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointment-series/${created.json().id}/cancel`, payload: {} });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.equal(cancel.json().cancelled.length, 6);
    const now = Date.now();
    for (const o of occurrences) {
      const read = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: `/api/appointments/${o.appointmentId}` });
      assert.equal(read.json().status, 'cancelled');
      const late = new Date(o.start).getTime() - now < 30 * 86_400_000;
      assert.equal(read.json().lateCancel, late, o.start);
    }
    assert.ok(occurrences.some((o) => new Date(o.start).getTime() - now < 30 * 86_400_000), 'some occurrence is inside the window');
    assert.ok(occurrences.some((o) => new Date(o.start).getTime() - now >= 30 * 86_400_000), 'some occurrence is outside the window');
  });

  test('an unknown series id answers 404; a malformed one too', async () => {
    const p = await practice(NY);
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const read = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: `/api/appointment-series/${id}` });
      assert.equal(read.statusCode, 404, read.body);
      assert.equal(read.json().code, 'not_found');
      const cancel = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointment-series/${id}/cancel`, payload: {} });
      assert.equal(cancel.statusCode, 404, cancel.body);
    }
  });
});
