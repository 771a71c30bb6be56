// Usage metering and cost attribution: requests, errors, database time, active users, emails and
// jobs counted per practice and UTC day in memory and added to the database by flushes (several
// meters add up); the daily storage snapshot; the cost report's exact arithmetic; the operator API's
// validation and access.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { buildApp } from '../src/http/app.ts';
import { UsageMeter, utcDay } from '../src/platform/usage-meter.ts';
import { costRatesFrom } from '../src/platform/cost-rates.ts';
import { loadConfig } from '../src/config.ts';
import { enqueueStorageSnapshots, USAGE_STORAGE_JOB } from '../src/platform/usage-jobs.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';
import { getTenant } from '../src/platform/tenant-lifecycle.ts';
import { queueEmail, EMAIL_DELIVER_JOB } from '../src/domain/messaging/outbox.ts';
import { enqueueJob } from '../src/jobs/job-queue.ts';

const RATES = {
  perMillionRequests: '2.5',
  perDbHour: '0.36',
  perGbMonth: '0.3',
  perActiveUserMonth: 4,
  perThousandEmails: '0.125',
  perThousandJobs: 0.2,
  currency: 'USD',
};

let t: TestApp;
before(async () => {
  // No timer flushes: each test flushes when it wants to read, so counts are exact.
  t = await startTestApp({ usageFlushMs: 0, costRates: costRatesFrom(JSON.stringify(RATES)) });
});
after(async () => {
  await t.close();
});

const op = async (options: InjectOptions) => t.app.inject({ ...options, headers: { authorization: `Bearer ${await t.operatorToken()}`, ...(options.headers ?? {}) } });

interface DailyRow {
  day: string;
  requests: number;
  errors: number;
  dbMs: number;
  emailsSent: number;
  jobsRun: number;
  storageBytes: number | null;
  activeUsers: number;
}

/** Today's row of a practice, after flushing this process's meter. */
async function today(tenant: { slug: string }): Promise<DailyRow> {
  await t.services.usage.flush();
  const day = utcDay();
  const res = await op({ method: 'GET', url: `/platform/tenants/${tenant.slug}/usage/daily?from=${day}&to=${day}` });
  assert.equal(res.statusCode, 200, res.body);
  const items = res.json().items as DailyRow[];
  assert.equal(items.length, 1);
  return items[0]!;
}

async function addStaff(tenant: TestTenant): Promise<string> {
  const email = `desk-${randomUUID().slice(0, 8)}@${tenant.slug}.test`;
  const created = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] } });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken as string;
}

test('requests of two practices are counted exactly, each for its own practice, with database time', async () => {
  const a = await t.createTenant();
  const b = await t.createTenant('schema');
  const beforeA = await today(a);
  const beforeB = await today(b);
  const N = 7;
  const M = 4;
  for (let i = 0; i < N; i++) assert.equal((await t.api(a, a.adminToken, { method: 'GET', url: '/api/patients' })).statusCode, 200);
  for (let i = 0; i < M; i++) assert.equal((await t.api(b, b.adminToken, { method: 'GET', url: '/api/patients' })).statusCode, 200);
  // Operator requests belong to no practice.
  assert.equal((await op({ method: 'GET', url: '/platform/tenants' })).statusCode, 200);
  const afterA = await today(a);
  const afterB = await today(b);
  assert.equal(afterA.requests - beforeA.requests, N);
  assert.equal(afterB.requests - beforeB.requests, M);
  assert.equal(afterA.errors - beforeA.errors, 0);
  assert.ok(afterA.dbMs > beforeA.dbMs, `database time grows: ${beforeA.dbMs} → ${afterA.dbMs}`);
  assert.ok(afterB.dbMs > beforeB.dbMs);
  assert.equal(afterA.activeUsers, 1, 'the admin, however many requests');
});

test('a 5xx answer counts as an error of the practice it was for', async () => {
  const a = await t.createTenant();
  const before = await today(a);
  // A route that fails after the work has been attributed to the practice (as a failing use case would).
  const app = await buildApp(t.services, { logger: false });
  app.get('/boom', async (request) => {
    request.workScope.tenantId = a.id;
    throw new Error('boom');
  });
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(res.statusCode, 500);
  await app.close();
  const after = await today(a);
  assert.equal(after.requests - before.requests, 1);
  assert.equal(after.errors - before.errors, 1);
});

test('active users are the distinct staff users of the day, and each reaches the database once', async () => {
  const a = await t.createTenant();
  const desk1 = await addStaff(a);
  const desk2 = await addStaff(a);
  for (const token of [desk1, desk2, desk1, a.adminToken, desk2]) assert.equal((await t.api(a, token, { method: 'GET', url: '/api/me' })).statusCode, 200);
  assert.equal((await today(a)).activeUsers, 3);
  // Flushing again with more requests from the same users adds no user.
  assert.equal((await t.api(a, desk1, { method: 'GET', url: '/api/me' })).statusCode, 200);
  assert.equal((await today(a)).activeUsers, 3);
});

test('two meters (two processes) flushing at once add their counts, never overwrite', async () => {
  const a = await t.createTenant();
  const day = new Date('2001-03-10T15:00:00Z');
  const one = new UsageMeter(t.services.db, () => day);
  const two = new UsageMeter(t.services.db, () => day);
  const user = randomUUID();
  for (let round = 1; round <= 2; round++) {
    one.count(a.id, { requests: 7, errors: 1, dbMs: 2.6, emailsSent: 2, jobsRun: 3 });
    two.count(a.id, { requests: 5, dbMs: 1.5, jobsRun: 1 });
    one.activeUser(a.id, user);
    two.activeUser(a.id, user);
    const written = await Promise.all([one.flush(), two.flush()]);
    assert.deepEqual(written, [1, 1]);
    const res = await op({ method: 'GET', url: `/platform/tenants/${a.id}/usage/daily?from=2001-03-10&to=2001-03-10` });
    const row = res.json().items[0] as DailyRow;
    assert.equal(row.requests, 12 * round);
    assert.equal(row.errors, round);
    assert.equal(row.emailsSent, 2 * round);
    assert.equal(row.jobsRun, 4 * round);
    assert.equal(row.activeUsers, 1, 'one user, whichever process saw it');
    // Whole milliseconds are written; fractions carry over to the next flush (2 + 1, then 3.2 + 2.0).
    assert.equal(row.dbMs, round === 1 ? 3 : 8);
  }
  // Counts of a practice deleted meanwhile are dropped without failing the flush.
  one.count(randomUUID(), { requests: 1 });
  assert.equal(await one.flush(), 0);
});

test('the timer flushes every HEALTHTRACK_USAGE_FLUSH_MS, and closing flushes what is left', async () => {
  const a = await t.createTenant();
  const day = new Date('2001-03-11T08:00:00Z');
  const read = async () => (await op({ method: 'GET', url: `/platform/tenants/${a.id}/usage/daily?from=2001-03-11&to=2001-03-11` })).json().items[0] as DailyRow;
  const timed = new UsageMeter(t.services.db, () => day);
  timed.count(a.id, { requests: 3 });
  timed.start(30);
  const deadline = Date.now() + 5000;
  while ((await read()).requests !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
  assert.equal((await read()).requests, 3, 'flushed by the timer');
  timed.count(a.id, { requests: 2 });
  await timed.close();
  assert.equal((await read()).requests, 5, 'flushed on close');
});

test('emails delivered and jobs run are counted for their practice', async () => {
  const a = await t.createTenant();
  const before = await today(a);
  const tenant = await getTenant(t.services.db, a.id);
  for (const key of ['one', 'two']) {
    await withTenant(t.services.db, tenant, async (tx) => {
      const messageId = await queueEmail(tx, { messageKey: `usage-${key}`, to: 'patient@example.test', subject: 'Hello', text: 'Hi' });
      await enqueueJob(tx, { tenantId: a.id, kind: EMAIL_DELIVER_JOB, payload: { messageId }, runAt: new Date(Date.now() - 1000) });
    });
  }
  assert.equal(await t.services.jobs.runDue(), 2);
  const after = await today(a);
  assert.equal(after.emailsSent - before.emailsSent, 2);
  assert.equal(after.jobsRun - before.jobsRun, 2);
  assert.ok(after.dbMs > before.dbMs, 'the jobs’ database time is the practice’s');
});

test('the daily scheduler enqueues one storage measurement per practice and day, once', async () => {
  const a = await t.createTenant();
  const b = await t.createTenant('schema');
  const day = '2099-12-30';
  const runAt = new Date('2100-01-01T00:00:00Z'); // not due for any other process sharing the database
  try {
    const added = await enqueueStorageSnapshots(t.services.db, day, runAt);
    assert.ok(added >= 2, `at least our two practices: ${added}`);
    assert.equal(await enqueueStorageSnapshots(t.services.db, day, runAt), 0, 'a second run adds nothing');
    assert.ok((await t.services.jobs.runDue(new Date('2100-01-01T00:01:00Z'))) >= 2);
    for (const p of [a, b]) {
      const res = await op({ method: 'GET', url: `/platform/tenants/${p.slug}/usage/daily?from=${day}&to=${day}` });
      const row = res.json().items[0] as DailyRow;
      assert.ok(row.storageBytes !== null && row.storageBytes > 0, `${p.tier} practice measured: ${res.body}`);
      assert.equal(row.jobsRun, 0, 'the measurement is platform overhead, not the practice’s job');
    }
  } finally {
    await asPlatform(t.services.db, (tx) =>
      tx.query(`delete from jobs where (kind = $1 and payload->>'day' = $2) or dedupe_key = 'usage.schedule:2099-12-31'`, [USAGE_STORAGE_JOB, day]),
    );
  }
});

test('the cost report prices each unit exactly, sorts by cost and pages', async () => {
  // A random April (30 days) keeps runs on a shared PostgreSQL database apart.
  const year = 1901 + Math.floor(Math.random() * 98);
  const c = await t.createTenant();
  const d = await t.createTenant();
  const at = (day: number) => new Date(`${year}-04-${String(day).padStart(2, '0')}T10:00:00Z`);
  const meter = new UsageMeter(t.services.db);
  meter.count(c.id, { requests: 600_000, dbMs: 3_000_000, emailsSent: 40, jobsRun: 10 }, at(3));
  meter.count(c.id, { requests: 400_000, dbMs: 2_000_000, errors: 2 }, at(4));
  const [u1, u2, u3] = [randomUUID(), randomUUID(), randomUUID()];
  meter.activeUser(c.id, u1, at(3));
  meter.activeUser(c.id, u1, at(4));
  meter.activeUser(c.id, u2, at(4));
  meter.activeUser(c.id, u3, at(30));
  meter.count(d.id, { requests: 1, jobsRun: 2500 }, at(5));
  await meter.flush();
  await asPlatform(t.services.db, (tx) =>
    tx.query(
      `insert into usage_daily (tenant_id, day, storage_bytes) values ($1, $2, 3000000000), ($1, $3, 3000000000)
       on conflict (tenant_id, day) do update set storage_bytes = excluded.storage_bytes`,
      [c.id, `${year}-04-03`, `${year}-04-04`],
    ),
  );

  const res = await op({ method: 'GET', url: `/platform/costs?from=${year}-04-01&to=${year}-04-30&limit=200` });
  assert.equal(res.statusCode, 200, res.body);
  const report = res.json();
  assert.equal(report.currency, 'USD');
  assert.equal(report.rates.perDbHour, '0.36');
  assert.equal(report.rates.perActiveUserMonth, '4');
  const mine = (id: string) => report.items.find((i: { tenant: { id: string } }) => i.tenant.id === id);
  const ci = mine(c.id);
  const di = mine(d.id);
  // Hand-computed: 1,000,000 requests × 2.5 / 10^6 = 2.50; 5,000,000 ms = 25/18 h × 0.36 = 0.50;
  // 2 × 3 GB / 30 days = 0.2 GB-months × 0.3 = 0.06; 3 user-months × 4 = 12.00;
  // 40 emails × 0.125 / 1000 = 0.005 → 0.01 (half up); 10 jobs × 0.2 / 1000 = 0.002 → 0.00.
  assert.deepEqual(ci.lines, {
    requests: { quantity: '1000000', cost: '2.50', costMinor: 250 },
    dbHours: { quantity: '1.388889', cost: '0.50', costMinor: 50 },
    gbMonths: { quantity: '0.200000', cost: '0.06', costMinor: 6 },
    activeUserMonths: { quantity: '3', cost: '12.00', costMinor: 1200 },
    emails: { quantity: '40', cost: '0.01', costMinor: 1 },
    jobs: { quantity: '10', cost: '0.00', costMinor: 0 },
  });
  assert.equal(ci.total, '15.07');
  assert.equal(ci.requests, 1_000_000);
  assert.equal(ci.errors, 2);
  // 1 request costs 0.0000025 → 0.00; 2,500 jobs × 0.2 / 1000 = 0.50.
  assert.equal(di.lines.requests.costMinor, 0);
  assert.equal(di.lines.jobs.cost, '0.50');
  assert.equal(di.total, '0.50');
  // Totals add up, shares are of the grand total, the list is sorted by cost.
  const totals = report.items.map((i: { totalMinor: number }) => i.totalMinor) as number[];
  assert.equal(report.count, report.items.length);
  assert.equal(report.totalMinor, totals.reduce((s, n) => s + n, 0));
  assert.deepEqual(totals, [...totals].sort((x, y) => y - x));
  const share = (Math.round((1507 * 10000) / report.totalMinor) / 100).toFixed(2);
  assert.equal(ci.sharePercent, share);
  if (report.count === 2) assert.equal(ci.sharePercent, '96.79'); // 1507 / 1557

  // Paging: one at a time, in the same order.
  const first = (await op({ method: 'GET', url: `/platform/costs?from=${year}-04-01&to=${year}-04-30&limit=1` })).json();
  assert.equal(first.items.length, 1);
  assert.equal(first.items[0].tenant.id, report.items[0].tenant.id);
  assert.equal(first.next, 1);
  const second = (await op({ method: 'GET', url: `/platform/costs?from=${year}-04-01&to=${year}-04-30&limit=1&offset=1` })).json();
  assert.equal(second.items[0].tenant.id, report.items[1].tenant.id);
  assert.equal(second.total, report.total);

  // A period across two months counts a user active in both twice (one user-month each).
  meter.activeUser(c.id, u3, new Date(`${year}-05-01T10:00:00Z`));
  await meter.flush();
  const across = (await op({ method: 'GET', url: `/platform/costs?from=${year}-04-30&to=${year}-05-01&limit=200` })).json();
  assert.equal(across.items.find((i: { tenant: { id: string } }) => i.tenant.id === c.id).lines.activeUserMonths.quantity, '2');

  // CSV: every practice, amounts in major units.
  const csv = await op({ method: 'GET', url: `/platform/costs/export.csv?from=${year}-04-01&to=${year}-04-30` });
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.match(String(csv.headers['content-disposition']), new RegExp(`costs-${year}-04-01-${year}-04-30\\.csv`));
  const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  assert.match(lines[0]!, /^Practice,Slug,Requests,Errors,Database hours/);
  assert.equal(lines.length, report.count + 1);
  const cLine = lines.find((l) => l.includes(`,${c.slug},`))!;
  assert.equal(cLine, `Practice ${c.slug},${c.slug},1000000,2,1.388889,0.200000,3,40,10,2.50,0.50,0.06,12.00,0.01,0.00,15.07,${ci.sharePercent},USD`);
});

test('bad periods are 400 naming the field; unknown practices 404', async () => {
  const a = await t.createTenant();
  const cases: [string, string][] = [
    ['/platform/costs?from=2026-13-01', 'from'],
    ['/platform/costs?to=yesterday', 'to'],
    ['/platform/costs?from=2026-02-30&to=2026-03-01', 'from'],
    ['/platform/costs?from=2026-03-02&to=2026-03-01', 'from'],
    ['/platform/costs?from=2024-01-01&to=2025-12-31', 'to'],
    ['/platform/costs?limit=0', 'limit'],
    ['/platform/costs/export.csv?from=2026-03-02&to=2026-03-01', 'from'],
    [`/platform/tenants/${a.slug}/usage/daily?from=2026-03-02&to=2026-03-01`, 'from'],
    [`/platform/tenants/${a.slug}/usage/daily?from=2025-01-01&to=2026-03-01`, 'to'],
  ];
  for (const [url, field] of cases) {
    const res = await op({ method: 'GET', url });
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    assert.equal(res.json().code, 'validation_failed');
    assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${url} names ${field}: ${res.body}`);
  }
  assert.equal((await op({ method: 'GET', url: '/platform/tenants/no-such-practice/usage/daily' })).statusCode, 404);
  // Defaults: this month to date, one row per day.
  const month = (await op({ method: 'GET', url: `/platform/tenants/${a.slug}/usage/daily` })).json();
  assert.equal(month.to, utcDay());
  assert.equal(month.from, `${utcDay().slice(0, 7)}-01`);
  assert.equal(month.items.length, Number(utcDay().slice(8, 10)));
});

test('only operators read usage and costs: staff tokens and no token are refused', async () => {
  const a = await t.createTenant();
  for (const url of ['/platform/costs', '/platform/costs/export.csv', `/platform/tenants/${a.slug}/usage/daily`]) {
    const none = await t.app.inject({ method: 'GET', url });
    assert.equal(none.statusCode, 401, url);
    const staff = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${a.adminToken}`, 'x-tenant': a.slug } });
    assert.equal(staff.statusCode, 401, `${url}: a staff token is not an operator token`);
    assert.equal((await op({ method: 'GET', url })).statusCode, 200, url);
  }
});

test('HEALTHTRACK_COST_RATES is checked at start-up with a clear error', () => {
  const defaults = costRatesFrom(undefined);
  assert.equal(defaults.currency, 'USD');
  assert.equal(defaults.text.perMillionRequests, '0.40');
  assert.equal(costRatesFrom('{"perGbMonth": 0.023, "currency": "EUR"}').text.perGbMonth, '0.023');
  const bad: [string, RegExp][] = [
    ['not json', /HEALTHTRACK_COST_RATES must be a JSON object/],
    ['[1]', /must be a JSON object/],
    ['{"perMillionRequest": 1}', /unknown key\(s\) perMillionRequest/],
    ['{"perDbHour": -1}', /perDbHour must be a non-negative decimal/],
    ['{"perDbHour": "abc"}', /perDbHour must be a non-negative decimal/],
    ['{"perDbHour": 1e-9}', /perDbHour must be a non-negative decimal/],
    ['{"currency": "XYZ"}', /currency must be a supported ISO 4217 code/],
  ];
  for (const [value, message] of bad) {
    assert.throws(() => costRatesFrom(value), message, value);
    assert.throws(() => loadConfig({ HEALTHTRACK_COST_RATES: value }), message, value);
  }
  assert.throws(() => loadConfig({ HEALTHTRACK_USAGE_FLUSH_MS: '-5' }), /HEALTHTRACK_USAGE_FLUSH_MS/);
});
