/**
 * The practice overview (GET /api/reports/overview): appointments, no-shows, revenue and new patients
 * per day in the practice time zone, with exact counts and sums from data made through the API, the
 * day boundary in the practice zone (not UTC, not the location's), revenue hidden without
 * billing:read, and bad periods refused naming the field.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { LightMyRequestResponse } from 'fastify';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
const PRACTICE_ZONE = 'America/New_York';
const LOCATION_ZONE = 'Asia/Tokyo';

interface Day {
  date: string;
  appointments: number;
  noShows: number;
  revenue: string | null;
  newPatients: number;
}

function call(tenant: TestTenant, method: 'GET' | 'POST', url: string, payload?: object, token = tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(tenant, token, { method, url, ...(payload ? { payload } : {}) });
}

async function ok(res: Promise<LightMyRequestResponse>, status = 200): Promise<Record<string, unknown> & { id: string }> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r.json();
}

function assertProblem(res: LightMyRequestResponse, code: string, field: string): void {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, code);
  assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `expected an error on ${field}: ${res.body}`);
}

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

describe('overview series', () => {
  let tenant: TestTenant;
  let monday: DateTime; // a Monday in Tokyo at least two weeks ahead
  const at = (hhmm: string) => monday.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)) }).toISO()!;
  const nyDate = (iso: string) => DateTime.fromISO(iso).setZone(PRACTICE_ZONE).toISODate()!;
  let today: string;

  before(async () => {
    tenant = await t.createTenant('pooled');
    const ref = await tenantRef(t, tenant.slug);
    await setPracticeRules(t, ref, { minNoticeMinutes: 0, horizonDays: 730 });
    const locationId = await insertLocation(t, ref, { timeZone: LOCATION_ZONE, openingHours: WEEKDAYS_9_TO_5 });
    const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
    const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId] });
    monday = DateTime.now().setZone(LOCATION_ZONE).plus({ days: 14 }).startOf('week');
    if (monday < DateTime.now().plus({ days: 7 })) monday = monday.plus({ weeks: 1 });

    const patients: string[] = [];
    for (const name of ['Ada', 'Ben', 'Cy']) {
      patients.push((await ok(call(tenant, 'POST', '/api/patients', { firstName: name, lastName: 'Report', dateOfBirth: '1980-01-01' }), 201)).id);
    }
    today = DateTime.now().setZone(PRACTICE_ZONE).toISODate()!;
    const book = async (hhmm: string, patient: string) =>
      (await ok(call(tenant, 'POST', '/api/appointments', { patientId: patient, typeId, providerId, locationId, start: at(hhmm) }), 201)).id;
    // 09:00 and 09:30 in Tokyo are the evening before in New York (and midnight or later in UTC).
    await book('09:00', patients[0]!);
    const noShow = await book('09:30', patients[1]!);
    await ok(call(tenant, 'POST', `/api/appointments/${noShow}/no-show`));
    // 14:00 and 16:00 in Tokyo are the early hours of Monday in New York.
    await book('14:00', patients[2]!);
    const cancelled = await book('15:00', patients[0]!);
    await ok(call(tenant, 'POST', `/api/appointments/${cancelled}/cancel`, { reason: 'moved away' }));
    const completed = await book('16:00', patients[1]!);
    await ok(call(tenant, 'POST', `/api/appointments/${completed}/check-in`));
    await ok(call(tenant, 'POST', `/api/appointments/${completed}/complete`));

    // One invoice of 100.00; payments and a refund on chosen days.
    const invoice = (await ok(call(tenant, 'POST', '/api/invoices', { patientId: patients[0], lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 10000, quantity: '1' }] }), 201)).id;
    await ok(call(tenant, 'POST', `/api/invoices/${invoice}/issue`));
    const pay = (body: object) => ok(call(tenant, 'POST', `/api/invoices/${invoice}/payments`, body), 201);
    await pay({ method: 'cash', amount: 3000, receivedOn: '2030-03-01' });
    await pay({ method: 'card', amount: 2000, receivedOn: '2030-03-02' });
    await pay({ kind: 'refund', method: 'card', amount: 500, receivedOn: '2030-03-02' });
    await pay({ method: 'cheque', amount: 1000, receivedOn: '2030-03-05' });
  });

  async function overview(query: string, token = tenant.adminToken) {
    const res = await call(tenant, 'GET', `/api/reports/overview${query}`, undefined, token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { from: string; to: string; timeZone: string; currency: string; days: Day[]; totals: Omit<Day, 'date'> };
  }

  test('appointments and no-shows count on the day they start in the practice zone; cancelled ones never', async () => {
    const sunday = monday.minus({ days: 1 }).toISODate()!;
    const mon = monday.toISODate()!;
    // The boundary is real: 09:00 Tokyo is Monday in UTC but Sunday in New York.
    assert.equal(DateTime.fromISO(at('09:00')).toUTC().toISODate(), mon);
    assert.equal(nyDate(at('09:00')), sunday);
    assert.equal(nyDate(at('14:00')), mon);
    const report = await overview(`?from=${sunday}&to=${monday.plus({ days: 1 }).toISODate()}`);
    assert.equal(report.timeZone, PRACTICE_ZONE);
    assert.deepEqual(report.days.map((d) => [d.date, d.appointments, d.noShows]), [
      [sunday, 2, 1],
      [mon, 2, 0],
      [monday.plus({ days: 1 }).toISODate(), 0, 0],
    ]);
    assert.equal(report.totals.appointments, 4);
    assert.equal(report.totals.noShows, 1);
    // The same period read in UTC would put everything on Monday: the zone changes the answer.
    await withTenant(t.services.db, await tenantRef(t, tenant.slug), (tx) => tx.query(`update settings set time_zone = 'UTC' where tenant_id = $1`, [tx.tenantId]));
    try {
      const utc = await overview(`?from=${sunday}&to=${mon}`);
      assert.deepEqual(utc.days.map((d) => [d.date, d.appointments, d.noShows]), [[sunday, 0, 0], [mon, 4, 1]]);
    } finally {
      await withTenant(t.services.db, await tenantRef(t, tenant.slug), (tx) => tx.query(`update settings set time_zone = $2 where tenant_id = $1`, [tx.tenantId, PRACTICE_ZONE]));
    }
  });

  test('revenue is payments received minus refunds per day, in minor units as strings', async () => {
    const report = await overview('?from=2030-03-01&to=2030-03-04');
    assert.equal(report.currency, 'USD');
    assert.deepEqual(report.days.map((d) => [d.date, d.revenue]), [
      ['2030-03-01', '3000'],
      ['2030-03-02', '1500'],
      ['2030-03-03', '0'],
      ['2030-03-04', '0'],
    ]);
    assert.equal(report.totals.revenue, '4500');
    assert.equal((await overview('?from=2030-03-05&to=2030-03-05')).totals.revenue, '1000');
  });

  test('new patients count on the day they were registered in the practice zone', async () => {
    const report = await overview(`?from=${today}&to=${today}`);
    assert.equal(report.days.length, 1);
    assert.equal(report.days[0]!.newPatients, 3);
    // A registration at 03:30 UTC is the evening before in New York.
    const late = (await ok(call(tenant, 'POST', '/api/patients', { firstName: 'Late', lastName: 'Night', dateOfBirth: '1990-01-01' }), 201)).id;
    await withTenant(t.services.db, await tenantRef(t, tenant.slug), (tx) =>
      tx.query(`update patients set created_at = '2030-03-02T03:30:00Z' where tenant_id = $1 and id = $2`, [tx.tenantId, late]),
    );
    const march = await overview('?from=2030-03-01&to=2030-03-02');
    assert.deepEqual(march.days.map((d) => d.newPatients), [1, 0]);
    assert.equal(march.totals.newPatients, 1);
  });

  test('the default period is the 30 days to today in the practice zone', async () => {
    const report = await overview('');
    assert.equal(report.to, today);
    assert.equal(report.from, DateTime.fromISO(today).minus({ days: 29 }).toISODate());
    assert.equal(report.days.length, 30);
    assert.ok(report.totals.newPatients >= 3);
  });

  test('without billing:read the revenue is null, the rest is there; without scheduling:read it is 403', async () => {
    const frontDesk = await staffToken(tenant, 'front_desk');
    const report = await overview('?from=2030-03-01&to=2030-03-02', frontDesk);
    assert.deepEqual(report.days.map((d) => d.revenue), [null, null]);
    assert.equal(report.totals.revenue, null);
    assert.equal(report.totals.newPatients, 1);
    const billing = await staffToken(tenant, 'billing');
    const refused = await call(tenant, 'GET', '/api/reports/overview', undefined, billing);
    assert.equal(refused.statusCode, 403, refused.body);
  });

  test('bad periods are 400 naming the field', async () => {
    const get = (q: string) => call(tenant, 'GET', `/api/reports/overview${q}`);
    assertProblem(await get('?from=2030-03-05&to=2030-03-01'), 'validation_failed', 'from');
    assertProblem(await get('?from=2029-01-01&to=2030-01-02'), 'validation_failed', 'from');
    assertProblem(await get('?from=2030-02-30'), 'validation_failed', 'from');
    assertProblem(await get('?to=yesterday'), 'validation_failed', 'to');
    assertProblem(await get('?from=0000-01-01&to=0000-12-31'), 'validation_failed', 'from');
    assertProblem(await get('?period=month'), 'validation_failed', 'period');
    // A whole leap year is allowed (366 days).
    assert.equal((await overview('?from=2028-01-01&to=2028-12-31')).days.length, 366);
  });
});

async function staffToken(tenant: TestTenant, role: string): Promise<string> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@${tenant.slug}.test`;
  const created = await call(tenant, 'POST', '/api/staff', { email, name: role, password: PASSWORD, roles: [role] });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken;
}
