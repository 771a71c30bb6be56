/**
 * The report suite (/api/reports/appointments, attendance, revenue, payments, patients) over a
 * hand-built week whose every number is worked out below: the practice-zone day boundary (23:30 local
 * on the last day counts, 23:30 local the day before `from` does not, though both are the next day in
 * UTC), filters, CSV shape and cells, and validation. On PostgreSQL also the read replica
 * (READ_DATABASE_URL pointed at the same database under its own application_name).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { RANGE, seed, ZONE, type Dataset } from './support/report-fixtures.ts';
import { uuidv7 } from '../src/db/uuid.ts';

function get(t: TestApp, tenant: TestTenant, url: string): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method: 'GET', url });
}

async function json(t: TestApp, tenant: TestTenant, url: string) {
  const res = await get(t, tenant, url);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

let t: TestApp;
let tenant: TestTenant;
let d: Dataset;

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
  d = await seed(t, tenant);
});
after(async () => {
  await t?.close();
});

const counts = (appointments: number, booked: number, checkedIn: number, completed: number, noShows: number, cancelled: number, lateCancels: number) =>
  ({ appointments, booked, checkedIn, completed, noShows, cancelled, lateCancels });
const strip = (rows: { key: string; label: string }[]) => rows.map(({ key: _k, label: _l, ...rest }) => rest);

describe('appointments', () => {
  test('per day: every day of the range, counted in the practice zone', async () => {
    const r = await json(t, tenant, `/api/reports/appointments?${RANGE}`);
    assert.equal(r.timeZone, ZONE);
    assert.equal(r.groupBy, 'day');
    assert.deepEqual(r.rows.map((x: { key: string }) => x.key), ['2025-01-06', '2025-01-07', '2025-01-08', '2025-01-09', '2025-01-10', '2025-01-11', '2025-01-12']);
    assert.deepEqual(strip(r.rows), [
      counts(2, 0, 0, 1, 1, 0, 0),
      counts(2, 0, 0, 1, 0, 1, 1),
      counts(1, 0, 0, 0, 0, 1, 0),
      counts(0, 0, 0, 0, 0, 0, 0),
      counts(1, 0, 1, 0, 0, 0, 0),
      counts(0, 0, 0, 0, 0, 0, 0),
      counts(1, 1, 0, 0, 0, 0, 0), // 23:30 local on the last day
    ]);
    assert.deepEqual(r.totals, counts(7, 1, 1, 2, 1, 2, 1));
  });

  test('per week, month, provider, type, status and location', async () => {
    const week = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=week`);
    assert.deepEqual(week.rows.map((x: { key: string; label: string; appointments: number }) => [x.key, x.label, x.appointments]), [['2025-01-06', 'Week of 2025-01-06', 7]]);
    const month = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=month`);
    assert.deepEqual(month.rows.map((x: { key: string; label: string; appointments: number }) => [x.key, x.label, x.appointments]), [['2025-01-01', '2025-01', 7]]);
    const provider = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=provider`);
    assert.deepEqual(provider.rows.map((x: { key: string; label: string }) => [x.key, x.label]), [[d.p1, 'Dr Ada'], [d.p2, 'Dr Ben']]);
    assert.deepEqual(strip(provider.rows), [counts(4, 1, 0, 1, 0, 2, 1), counts(3, 0, 1, 1, 1, 0, 0)]);
    const type = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=type`);
    assert.deepEqual(type.rows.map((x: { label: string; appointments: number }) => [x.label, x.appointments]), [['Checkup', 4], ['Consult', 3]]);
    const status = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=status`);
    assert.deepEqual(
      Object.fromEntries(status.rows.map((x: { key: string; appointments: number }) => [x.key, x.appointments])),
      { booked: 1, checked_in: 1, completed: 2, no_show: 1, cancelled: 2 },
    );
    assert.equal(status.rows.find((x: { key: string }) => x.key === 'no_show').label, 'No-show');
    const location = await json(t, tenant, `/api/reports/appointments?${RANGE}&groupBy=location`);
    assert.deepEqual(location.rows.map((x: { label: string; appointments: number }) => [x.label, x.appointments]), [['Main', 5], ['=North wing', 2]]);
  });

  test('provider and location filters', async () => {
    const p1 = await json(t, tenant, `/api/reports/appointments?${RANGE}&providerId=${d.p1}`);
    assert.deepEqual(p1.totals, counts(4, 1, 0, 1, 0, 2, 1));
    const l2 = await json(t, tenant, `/api/reports/appointments?${RANGE}&locationId=${d.l2}&groupBy=provider`);
    assert.deepEqual(l2.rows.map((x: { label: string; appointments: number }) => [x.label, x.appointments]), [['Dr Ada', 1], ['Dr Ben', 1]]);
    const both = await json(t, tenant, `/api/reports/appointments?${RANGE}&locationId=${d.l2}&providerId=${d.p2}`);
    assert.deepEqual(both.totals, counts(1, 0, 0, 1, 0, 0, 0));
  });
});

test('attendance: no-show and late-cancel rates per provider and overall', async () => {
  const r = await json(t, tenant, `/api/reports/attendance?${RANGE}`);
  assert.deepEqual(r.rows, [
    { key: d.p1, label: 'Dr Ada', appointments: 4, kept: 2, noShows: 0, lateCancels: 1, noShowRate: 0, lateCancelRate: 0.25 },
    { key: d.p2, label: 'Dr Ben', appointments: 3, kept: 3, noShows: 1, lateCancels: 0, noShowRate: 0.3333, lateCancelRate: 0 },
  ]);
  assert.deepEqual(r.totals, { appointments: 7, kept: 5, noShows: 1, lateCancels: 1, noShowRate: 0.2, lateCancelRate: 0.1429 });
  const empty = await json(t, tenant, '/api/reports/attendance?from=2020-01-01&to=2020-01-31');
  assert.deepEqual(empty.rows, []);
  assert.equal(empty.totals.noShowRate, null);
});

describe('money', () => {
  test('revenue per day: billed (invoices less credit notes, not void, practice currency) and collected', async () => {
    const r = await json(t, tenant, `/api/reports/revenue?${RANGE}&groupBy=day`);
    assert.equal(r.currency, 'USD');
    assert.deepEqual(r.rows.map((x: { key: string; billed: string; collected: string }) => [x.key, x.billed, x.collected]), [
      ['2025-01-06', '10000', '10000'],
      ['2025-01-07', '7500', '3000'],
      ['2025-01-08', '0', '0'],
      ['2025-01-09', '0', '0'],
      ['2025-01-10', '0', '0'],
      ['2025-01-11', '4000', '0'],
      ['2025-01-12', '-1000', '3000'],
    ]);
    assert.deepEqual(r.totals, { billed: '20500', collected: '16000' });
    const month = await json(t, tenant, `/api/reports/revenue?${RANGE}`);
    assert.deepEqual(month.rows.map((x: { key: string; billed: string; collected: string }) => [x.key, x.billed, x.collected]), [['2025-01-01', '20500', '16000']]);
  });

  test('revenue per service and per provider', async () => {
    const service = await json(t, tenant, `/api/reports/revenue?${RANGE}&groupBy=service`);
    assert.deepEqual(service.rows, [
      { key: d.chk, label: 'CHK Checkup', billed: '10000', collected: null },
      { key: d.lab, label: 'LAB Lab test', billed: '8000', collected: null },
      { key: 'none', label: 'Other lines (not from the price list)', billed: '2500', collected: null },
    ]);
    assert.deepEqual(service.totals, { billed: '20500', collected: '16000' });
    const provider = await json(t, tenant, `/api/reports/revenue?${RANGE}&groupBy=provider`);
    assert.deepEqual(provider.rows, [
      { key: d.p1, label: 'Dr Ada', billed: '10000', collected: '10000' },
      { key: d.p2, label: 'Dr Ben', billed: '6500', collected: '2000' },
      { key: 'none', label: 'No appointment', billed: '4000', collected: '4000' },
    ]);
    const onlyP2 = await json(t, tenant, `/api/reports/revenue?${RANGE}&groupBy=provider&providerId=${d.p2}`);
    assert.deepEqual(onlyP2.rows.map((x: { key: string }) => x.key), [d.p2]);
    assert.deepEqual(onlyP2.totals, { billed: '6500', collected: '2000' });
  });

  test('payments per day and method', async () => {
    const r = await json(t, tenant, `/api/reports/payments?${RANGE}`);
    const zero = { cash: '0', card: '0', cheque: '0', insurance: '0', refunds: '0', net: '0' };
    assert.deepEqual(strip(r.rows), [
      { ...zero, card: '10000', net: '10000' },
      { ...zero, cash: '3000', net: '3000' },
      zero, zero, zero, zero,
      { ...zero, cheque: '4000', refunds: '1000', net: '3000' },
    ]);
    assert.deepEqual(r.totals, { cash: '3000', card: '10000', cheque: '4000', insurance: '0', refunds: '1000', net: '16000' });
  });
});

test('new and returning patients', async () => {
  // A had a visit in December and B the evening before the range: returning. C and D are new (D's
  // cancelled appointment on the 8th is no visit, the 23:30 one on the 12th is).
  const day = await json(t, tenant, `/api/reports/patients?${RANGE}&groupBy=day`);
  assert.deepEqual(day.rows.filter((x: { patients: number }) => x.patients > 0).map((x: { key: string; new: number; returning: number }) => [x.key, x.new, x.returning]), [
    ['2025-01-06', 0, 1],
    ['2025-01-07', 1, 0],
    ['2025-01-10', 0, 1],
    ['2025-01-12', 1, 0],
  ]);
  assert.deepEqual(day.totals, { patients: 4, new: 2, returning: 2 });
  const month = await json(t, tenant, `/api/reports/patients?${RANGE}`);
  assert.deepEqual(strip(month.rows), [{ patients: 4, new: 2, returning: 2 }]);
  const p2 = await json(t, tenant, `/api/reports/patients?${RANGE}&providerId=${d.p2}`);
  assert.deepEqual(p2.totals, { patients: 2, new: 1, returning: 1 }, 'C (new) and B (returning) saw Dr Ben');
});

describe('CSV', () => {
  test('the same report as a download: header, rows, total, money in major units', async () => {
    const res = await get(t, tenant, `/api/reports/revenue?${RANGE}&groupBy=day&format=csv`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="revenue-day-2025-01-06-2025-01-12.csv"');
    assert.equal(res.headers['cache-control'], 'private, no-store');
    assert.ok(res.body.startsWith('\uFEFF'));
    const lines = res.body.slice(1).split('\r\n');
    assert.equal(lines.at(-1), '');
    assert.deepEqual(lines.slice(0, -1), [
      'Key,Day,Billed (USD),Collected (USD)',
      '2025-01-06,2025-01-06,100.00,100.00',
      '2025-01-07,2025-01-07,75.00,30.00',
      '2025-01-08,2025-01-08,0.00,0.00',
      '2025-01-09,2025-01-09,0.00,0.00',
      '2025-01-10,2025-01-10,0.00,0.00',
      '2025-01-11,2025-01-11,40.00,0.00',
      '2025-01-12,2025-01-12,-10.00,30.00',
      'total,Total,205.00,160.00',
    ]);
  });

  test('every report has a CSV; cells that a spreadsheet would run are neutralised', async () => {
    const expected: Record<string, [string, string]> = {
      'appointments?groupBy=location': ['Key,Location,Appointments,Booked,Checked in,Completed,No-shows,Cancelled,Late cancellations', `${d.l2},'=North wing,2,0,0,1,0,1,1`],
      'attendance?groupBy=provider': ['Key,Provider,Appointments,Not cancelled,No-shows,Late cancellations,No-show rate,Late-cancel rate', `${d.p2},Dr Ben,3,3,1,0,0.3333,0.0000`],
      'revenue?groupBy=service': ['Key,Service,Billed (USD),Collected (USD)', 'none,Other lines (not from the price list),25.00,'],
      'payments?groupBy=week': ['Key,Week,Cash (USD),Card (USD),Cheque (USD),Insurance (USD),Refunds (USD),Net (USD)', '2025-01-06,Week of 2025-01-06,30.00,100.00,40.00,0.00,10.00,160.00'],
      'patients?groupBy=month': ['Key,Month,Patients seen,New,Returning', '2025-01-01,2025-01,4,2,2'],
    };
    for (const [path, [header, row]] of Object.entries(expected)) {
      const res = await get(t, tenant, `/api/reports/${path}&${RANGE}&format=csv`);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
      const lines = res.body.slice(1).split('\r\n');
      assert.equal(lines[0], header, path);
      assert.ok(lines.includes(row), `${path}: expected the record ${row} in\n${res.body}`);
      assert.match(lines.at(-2)!, /^total,Total,/, path);
      const [name, group] = path.split('?groupBy=') as [string, string];
      assert.equal(res.headers['content-disposition'], `attachment; filename="${name}-${group}-2025-01-06-2025-01-12.csv"`);
    }
  });
});

describe('validation', () => {
  const problem = async (url: string, status: number, code: string, field?: string) => {
    const res = await get(t, tenant, url);
    assert.equal(res.statusCode, status, `${url}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, code, url);
    if (field) assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${url}: expected an error on ${field}: ${res.body}`);
  };

  test('bad periods, groups, formats and ids are 400 naming the field', async () => {
    await problem('/api/reports/appointments?from=2025-01-12&to=2025-01-06', 400, 'validation_failed', 'from');
    await problem('/api/reports/revenue?from=2024-01-01&to=2025-01-01', 400, 'validation_failed', 'from'); // 367 days
    await problem('/api/reports/payments?from=2025-02-30', 400, 'validation_failed', 'from');
    await problem('/api/reports/patients?to=yesterday', 400, 'validation_failed', 'to');
    await problem('/api/reports/appointments?groupBy=hour', 400, 'validation_failed', 'groupBy');
    await problem('/api/reports/payments?groupBy=provider', 400, 'validation_failed', 'groupBy');
    await problem('/api/reports/attendance?format=xlsx', 400, 'validation_failed', 'format');
    await problem('/api/reports/attendance?providerId=42', 400, 'validation_failed', 'providerId');
    await problem('/api/reports/appointments?bogus=1', 400, 'validation_failed');
    // 366 days (2024 is a leap year) is the longest period.
    assert.equal((await get(t, tenant, '/api/reports/revenue?from=2024-01-01&to=2024-12-31')).statusCode, 200);
  });

  test('an unknown provider or location is 404 not_found', async () => {
    await problem(`/api/reports/appointments?providerId=${uuidv7()}`, 404, 'not_found');
    await problem(`/api/reports/revenue?locationId=${uuidv7()}`, 404, 'not_found');
    await problem(`/api/reports/patients?providerId=${d.l1}`, 404, 'not_found'); // a location's id is no provider
  });
});

if (process.env.DATABASE_URL) {
  test('READ_DATABASE_URL: the reports read through the replica pool, under the tenant context', async () => {
    const app = 'healthtrack-reports-replica-test';
    const readUrl = new URL(process.env.DATABASE_URL!);
    readUrl.searchParams.set('application_name', app);
    const replicated = await startTestApp({ readDatabaseUrl: readUrl.toString() });
    const owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await owner.connect();
    try {
      assert.notEqual(replicated.services.readDb, replicated.services.db);
      const a = await replicated.createTenant('pooled');
      const b = await replicated.createTenant('schema');
      const da = await seed(replicated, a);
      await seed(replicated, b);
      const lastQueries = async () =>
        (await owner.query<{ query: string }>('select query from pg_stat_activity where application_name = $1 and datname = current_database()', [app])).rows.map((r) => r.query);
      assert.deepEqual(await lastQueries(), [], 'the replica pool is not used before a report');

      const r = await json(replicated, a, `/api/reports/appointments?${RANGE}&groupBy=provider`);
      assert.deepEqual(r.rows.map((x: { key: string; appointments: number }) => [x.key, x.appointments]), [[da.p1, 4], [da.p2, 3]], 'only its own practice');
      const seen = await lastQueries();
      assert.ok(seen.some((q) => q.includes('from appointments a') && q.includes(`'${a.id}'`)), `the report ran on the replica pool with the tenant context: ${seen.join('\n')}`);

      // Isolation on the replica: B's report (a schema-tier practice with the same week) counts B's rows only.
      const rb = await json(replicated, b, `/api/reports/revenue?${RANGE}&groupBy=provider`);
      assert.equal(rb.totals.billed, '20500');
      assert.ok(!rb.rows.some((x: { key: string }) => x.key === da.p1 || x.key === da.p2));
      assert.ok((await lastQueries()).some((q) => q.includes(`'${b.id}'`)));
    } finally {
      await owner.end();
      await replicated.close();
    }
  });
}

