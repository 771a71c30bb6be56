// The operator console's usage API: a practice's health measured from its own data (pooled and
// dedicated-schema), the paged list reading the latest measurements in one query, batch
// measuring, and operator-only access.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { startTestApp, uniqueSlug, PASSWORD, type TestApp } from './support/harness.ts';
import { createPatient } from './support/billing-report-fixtures.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const op = async (options: InjectOptions) =>
  t.app.inject({ ...options, headers: { authorization: `Bearer ${await t.operatorToken()}`, ...(options.headers ?? {}) } });

for (const tier of ['pooled', 'schema'] as const) {
  test(`a ${tier} practice's health counts its own records and measures its storage`, async () => {
    const tenant = await t.createTenant(tier);
    const other = await t.createTenant(tier);
    await createPatient(t, tenant);
    await createPatient(t, tenant, { firstName: 'Second' });
    await createPatient(t, other);

    const res = await op({ method: 'GET', url: `/platform/tenants/${tenant.slug}/usage` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.tenant.slug, tenant.slug);
    assert.equal(body.usage.patients, 2, "the other practice's patient is not counted");
    assert.equal(body.usage.activeStaff, 1);
    assert.equal(body.usage.appointmentsLast30Days, 0);
    assert.equal(body.usage.invoices, 0);
    assert.ok(body.usage.storageBytes > 0);
    assert.equal(body.usage.storageEstimated, tier === 'pooled');
    assert.match(body.storageMethod, tier === 'pooled' ? /pg_column_size/ : /pg_total_relation_size/);
    assert.ok(body.usage.lastActivityAt, 'adding patients is activity');
    assert.equal(body.migrations.schema, body.tenant.schema);
    assert.equal(body.tenant.schema === 'pool', tier === 'pooled');
    assert.equal(body.migrations.pending, 0);
    assert.equal(body.migrations.version, body.migrations.latest);
    assert.deepEqual(body.problems, []);

    // Growing the practice grows its figures on the next measurement.
    const before = body.usage.storageBytes as number;
    for (let i = 0; i < 5; i++) await createPatient(t, tenant, { firstName: `More${i}` });
    const again = (await op({ method: 'GET', url: `/platform/tenants/${tenant.id}/usage` })).json();
    assert.equal(again.usage.patients, 7);
    if (tier === 'pooled') assert.ok(again.usage.storageBytes > before, 'more rows, more estimated bytes');
  });
}

test('a suspended practice reports the suspension as a problem', async () => {
  const tenant = await t.createTenant();
  assert.equal((await op({ method: 'POST', url: `/platform/tenants/${tenant.slug}/suspend`, payload: { reason: 'Unpaid' } })).statusCode, 200);
  const body = (await op({ method: 'GET', url: `/platform/tenants/${tenant.slug}/usage` })).json();
  assert.equal(body.tenant.status, 'suspended');
  assert.deepEqual(body.problems, ['Suspended: Unpaid']);
  assert.equal((await op({ method: 'GET', url: '/platform/tenants/no-such-practice/usage' })).statusCode, 404);
});

async function onboard(slug: string, name: string) {
  const res = await op({
    method: 'POST',
    url: '/platform/tenants',
    payload: { slug, name, tier: 'pooled', admin: { email: `admin@${slug}.test`, password: PASSWORD, name: 'Admin' } },
  });
  assert.equal(res.statusCode, 201, res.body);
  t.adoptTenant(res.json().tenant.id);
  return res.json().tenant as { id: string; slug: string };
}

test('the list pages by slug, filters by text and status, and shows the latest measurement', async () => {
  const prefix = uniqueSlug('u');
  const a = await onboard(`${prefix}-a`, 'Alder Clinic');
  await onboard(`${prefix}-b`, 'Birch Clinic');
  const c = await onboard(`${prefix}-c`, 'Cedar Clinic');
  await op({ method: 'POST', url: `/platform/tenants/${c.slug}/suspend`, payload: { reason: 'Test' } });
  await op({ method: 'GET', url: `/platform/tenants/${a.slug}/usage` });

  const first = await op({ method: 'GET', url: `/platform/usage?q=${prefix}&limit=2` });
  assert.equal(first.statusCode, 200, first.body);
  const page1 = first.json();
  assert.deepEqual(page1.items.map((i: { slug: string }) => i.slug), [`${prefix}-a`, `${prefix}-b`]);
  assert.equal(page1.next, `${prefix}-b`);
  assert.equal(page1.items[0].activeStaff, 1);
  assert.equal(page1.items[0].usage.patients, 0, 'measured when its page was opened');
  assert.equal(page1.items[1].usage, null, 'never measured');
  const page2 = (await op({ method: 'GET', url: `/platform/usage?q=${prefix}&limit=2&after=${page1.next}` })).json();
  assert.deepEqual(page2.items.map((i: { slug: string }) => i.slug), [`${prefix}-c`]);
  assert.equal(page2.next, null);

  const suspended = (await op({ method: 'GET', url: `/platform/usage?q=${prefix}&status=suspended` })).json();
  assert.deepEqual(suspended.items.map((i: { slug: string }) => i.slug), [c.slug]);
  const byName = (await op({ method: 'GET', url: `/platform/usage?q=BIRCH` })).json();
  assert.ok(byName.items.some((i: { slug: string }) => i.slug === `${prefix}-b`), 'the name matches, whatever the case');
});

test('a page is one database transaction, however many practices it shows', async () => {
  for (let i = 0; i < 3; i++) await t.createTenant();
  const db = t.services.db;
  const original = db.runtimeTransaction.bind(db);
  let transactions = 0;
  db.runtimeTransaction = ((...args: Parameters<typeof original>) => {
    transactions++;
    return original(...args);
  }) as typeof db.runtimeTransaction;
  try {
    const token = await t.operatorToken();
    transactions = 0;
    const res = await t.app.inject({ method: 'GET', url: '/platform/usage?limit=200', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().items.length >= 3);
    assert.equal(transactions, 1);
  } finally {
    db.runtimeTransaction = original;
  }
});

test('batch measuring measures practices never measured first', async () => {
  const fresh = await t.createTenant();
  const res = await op({ method: 'POST', url: '/platform/usage/measure', payload: { limit: 100 } });
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(res.json().measured >= 1 && res.json().measured <= 100);
  const listed = (await op({ method: 'GET', url: `/platform/usage?q=${fresh.slug}` })).json();
  // On a shared database more than 100 practices may wait; on a fresh one this one is measured.
  if (res.json().measured < 100) assert.ok(listed.items[0].usage, 'measured');
});

test('bad queries are 400 naming the field', async () => {
  for (const [url, field] of [
    ['/platform/usage?limit=0', 'limit'],
    ['/platform/usage?status=gone', 'status'],
    ['/platform/usage?after=NOT%20A%20SLUG', 'after'],
  ] as const) {
    const res = await op({ method: 'GET', url });
    assert.equal(res.statusCode, 400, url);
    assert.ok(JSON.stringify(res.json().errors).includes(field), res.body);
  }
  const measure = await op({ method: 'POST', url: '/platform/usage/measure', payload: { limit: 1000 } });
  assert.equal(measure.statusCode, 400);
});

test('only operators: no token is 401, a staff token is 401', async () => {
  const tenant = await t.createTenant();
  for (const [method, url] of [
    ['GET', '/platform/usage'],
    ['GET', `/platform/tenants/${tenant.slug}/usage`],
    ['POST', '/platform/usage/measure'],
  ] as const) {
    const none = await t.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    assert.equal(none.statusCode, 401, `${method} ${url}`);
    assert.equal(none.json().code, 'token_missing');
    const staff = await t.app.inject({ method, url, headers: { authorization: `Bearer ${tenant.adminToken}`, 'x-tenant': tenant.slug }, payload: method === 'POST' ? {} : undefined });
    assert.equal(staff.statusCode, 401, `${method} ${url}`);
    assert.equal(staff.json().code, 'token_invalid');
  }
});
