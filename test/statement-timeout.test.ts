// Statement timeouts: every runtime transaction carries one in its preamble (no extra round trip),
// it holds for later statements of the transaction and for the single-message statement path, and a
// cancelled statement answers 503 `statement_timeout` with Retry-After, never 500.
// PGlite runs statements to completion whatever statement_timeout says (an embedded, single-session
// database has no timer to cancel with); there the setting is checked, and the cancel on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.ts';
import { asPlatform, configureStatementTimeout, withStatementTimeout, withTenant, withTenantStatement } from '../src/tenancy/tenant-db.ts';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
let t: TestApp;
let tenant: TestTenant;
let app: FastifyInstance;

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  const ref = (await t.services.tenants.bySlug(tenant.slug))!;
  const fast = withStatementTimeout(t.services.db, 200);
  // Test-only routes on the production app (the production app has none of these).
  app = await buildApp(t.services, { logger: false });
  app.get('/api/test-sleep', async () => {
    await withTenant(fast, ref, (tx) => tx.query('select pg_sleep(2)'));
    return { ok: true };
  });
  app.get('/api/test-cancelled', async () => {
    // What PostgreSQL raises when the timeout fires (PGlite cannot fire it).
    await withTenant(t.services.db, ref, (tx) =>
      tx.query(`do $$ begin raise exception 'canceling statement due to statement timeout' using errcode = 'query_canceled'; end $$`),
    );
    return { ok: true };
  });
  await app.ready();
});

after(async () => {
  await app?.close();
  await t?.close();
});

test('the configured timeout holds for later statements of a transaction, the single-statement path and the control plane', async () => {
  const ref = (await t.services.tenants.bySlug(tenant.slug))!;
  const setting = 'select current_setting($1) as v';
  // The default configuration (HEALTHTRACK_STATEMENT_TIMEOUT_MS unset): 5 s.
  const inTx = await withTenant(t.services.db, ref, async (tx) => {
    await tx.query('select 1');
    return (await tx.query<{ v: string }>(setting, ['statement_timeout'])).rows[0]!.v;
  });
  assert.equal(inTx, '5s');
  const single = await withTenantStatement<{ v: string }>(t.services.db, ref, setting, ['statement_timeout']);
  assert.equal(single.rows[0]!.v, '5s');
  const platform = await asPlatform(t.services.db, (tx) => tx.query<{ v: string }>(setting, ['statement_timeout']));
  assert.equal(platform.rows[0]!.v, '5s');

  // A per-use override (reports) changes only its own view of the database.
  const reports = withStatementTimeout(t.services.db, 30_000);
  assert.equal((await withTenantStatement<{ v: string }>(reports, ref, setting, ['statement_timeout'])).rows[0]!.v, '30s');
  assert.equal((await withTenantStatement<{ v: string }>(t.services.db, ref, setting, ['statement_timeout'])).rows[0]!.v, '5s');
  assert.equal(t.services.readDb === t.services.db, false, 'reports read through their own timeout');
  assert.equal((await withTenantStatement<{ v: string }>(t.services.readDb, ref, setting, ['statement_timeout'])).rows[0]!.v, '30s');

  // Configuring a view again replaces its timeout.
  const view = withStatementTimeout(t.services.db, 1234);
  configureStatementTimeout(view, 1500);
  assert.equal((await withTenantStatement<{ v: string }>(view, ref, setting, ['statement_timeout'])).rows[0]!.v, '1500ms');
});

test('pg_sleep beyond the timeout is cancelled (57014) in a transaction and on the single-statement path', async () => {
  const ref = (await t.services.tenants.bySlug(tenant.slug))!;
  const fast = withStatementTimeout(t.services.db, 200);
  const started = Date.now();
  const inTx = withTenant(fast, ref, async (tx) => {
    await tx.query('select 1');
    return tx.query<{ v: string }>(`select pg_sleep(1.5), current_setting('statement_timeout') as v`);
  });
  const single = () => withTenantStatement<{ v: string }>(fast, ref, `select pg_sleep(1.5), current_setting('statement_timeout') as v`, []);
  if (onPostgres) {
    await assert.rejects(inTx, (err: { code?: string }) => err.code === '57014');
    await assert.rejects(single(), (err: { code?: string }) => err.code === '57014');
    assert.ok(Date.now() - started < 1500, 'both cancelled well before the sleep would end');
  } else {
    // PGlite: the statement completes, carrying the setting.
    assert.equal((await inTx).rows[0]!.v, '200ms');
    assert.equal((await single()).rows[0]!.v, '200ms');
  }
});

test('a cancelled statement answers 503 statement_timeout with Retry-After, never 500', async () => {
  const cancelled = await app.inject({ method: 'GET', url: '/api/test-cancelled', headers: { 'x-tenant': tenant.slug } });
  assert.equal(cancelled.statusCode, 503, cancelled.body);
  assert.equal(cancelled.json().code, 'statement_timeout');
  assert.ok(Number(cancelled.headers['retry-after']) >= 1);
  const slept = await app.inject({ method: 'GET', url: '/api/test-sleep', headers: { 'x-tenant': tenant.slug } });
  if (onPostgres) {
    assert.equal(slept.statusCode, 503, slept.body);
    assert.equal(slept.json().code, 'statement_timeout');
    assert.ok(Number(slept.headers['retry-after']) >= 1);
  } else {
    assert.equal(slept.statusCode, 200, slept.body);
  }
});
