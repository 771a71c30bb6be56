// Prometheus metrics: exact request counts by route template, histograms, database and job
// metrics read at scrape time, bounded practice attribution, and who may read /metrics.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, testConfig, type TestApp, type TestTenant } from './support/harness.ts';
import { parseMetrics, pick, valueOf, type Sample } from './support/prom-text.ts';
import { enqueueJob } from '../src/jobs/job-queue.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import type { MonitoringConfig } from '../src/observability/monitoring-config.ts';
import { Metrics } from '../src/observability/metrics.ts';
import { serveClusterMetrics } from '../src/observability/cluster-metrics.ts';
import type { AddressInfo } from 'node:net';
import { metricsAccess } from '../src/observability/metrics-access.ts';

let t: TestApp;
let tenant: TestTenant;

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await app.app.inject({ method: 'GET', url: '/metrics', headers });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.body);
}

function monitoring(overrides: Partial<MonitoringConfig>): { monitoring: MonitoringConfig } {
  return { monitoring: { ...testConfig().monitoring, ...overrides } };
}

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
});
after(() => t?.close());

describe('HTTP metrics', () => {
  test('count each request once under its route template, status class, tier and plan', async () => {
    const plan = (await t.services.tenants.bySlug(tenant.slug))!.plan;
    const list = { method: 'GET', route: '/api/patients', status_class: '2xx', tier: 'pooled', plan };
    const byId = { method: 'GET', route: '/api/patients/:id', status_class: '4xx', tier: 'pooled', plan };
    const unmatched = { method: 'GET', route: 'unmatched', status_class: '4xx', tier: 'none', plan: 'none' };
    const before = await scrape(t);
    for (let i = 0; i < 3; i++) assert.equal((await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients' })).statusCode, 200);
    const missingId = randomUUID();
    for (let i = 0; i < 2; i++) assert.equal((await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${missingId}` })).statusCode, 404);
    const strayPath = `/no-such-route-${randomBytes(4).toString('hex')}`;
    assert.equal((await t.app.inject({ method: 'GET', url: `${strayPath}?q=x`, headers: { accept: 'application/json' } })).statusCode, 404);
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const after = parseMetrics(res.body);

    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('healthtrack_http_requests_total', list), 3);
    assert.equal(delta('healthtrack_http_requests_total', byId), 2);
    assert.equal(delta('healthtrack_http_requests_total', unmatched), 1);
    // The raw path (with its id) is never a label; the unmatched one neither.
    assert.ok(!res.body.includes(missingId) && !res.body.includes(strayPath));

    const h = { method: 'GET', route: '/api/patients', status_class: '2xx' };
    assert.equal(delta('healthtrack_http_request_duration_seconds_count', h), 3);
    assert.ok(delta('healthtrack_http_request_duration_seconds_sum', h) > 0);
    const buckets = pick(after, 'healthtrack_http_request_duration_seconds_bucket', h);
    assert.equal(buckets.length, 12, 'eleven bounds and +Inf');
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'buckets are cumulative');
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, valueOf(after, 'healthtrack_http_request_duration_seconds_count', h));
  });

  test('database statements, failures and the pool are reported', async () => {
    const before = await scrape(t);
    await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients' });
    const after = await scrape(t);
    const statements = valueOf(after, 'healthtrack_db_statement_duration_seconds_count') - valueOf(before, 'healthtrack_db_statement_duration_seconds_count');
    assert.ok(statements > 0, `statements counted: ${statements}`);
    assert.equal(pick(after, 'healthtrack_db_statement_failures_total').length, 1);
    assert.ok(valueOf(after, 'healthtrack_db_pool_connections') >= 1);
    assert.ok(valueOf(after, 'healthtrack_db_pool_idle_connections') >= 0);
    assert.equal(pick(after, 'healthtrack_db_pool_waiting_clients').length, 1);
    assert.ok(pick(after, 'process_cpu_user_seconds_total').length === 1, 'process metrics are included');
  });

  test('requests are attributed to the practice by id', async () => {
    await scrape(t); // ranks the practices seen so far: this one is among the top K
    for (let i = 0; i < 4; i++) await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
    const before = valueOf(await scrape(t), 'healthtrack_tenant_requests_total', { tenant: tenant.id });
    await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
    await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
    assert.equal(valueOf(await scrape(t), 'healthtrack_tenant_requests_total', { tenant: tenant.id }) - before, 2);
  });
});

describe('bounded practice attribution', () => {
  test('500 practices never make more than K + 1 tenant series, and the busiest get their own', async () => {
    const k = t.config.monitoring.topTenants;
    assert.equal(k, 20);
    const attribution = t.app.metrics.tenantAttribution;
    const ids = Array.from({ length: 500 }, () => randomUUID());
    // Practice i makes i + 1 requests: the last K are the busiest.
    ids.forEach((id, i) => {
      for (let n = 0; n <= i; n++) attribution.record(id);
    });
    attribution.rerank();
    ids.forEach((id) => attribution.record(id));
    const samples = pick(await scrape(t), 'healthtrack_tenant_requests_total');
    const tenants = new Set(samples.map((s) => s.labels.tenant));
    assert.ok(tenants.size <= k + 1, `${tenants.size} tenant label values`);
    assert.ok(tenants.has('other'));
    for (const id of ids.slice(-k)) assert.equal(valueOf(samples, 'healthtrack_tenant_requests_total', { tenant: id }), 1, 'one request since it got its series');
    for (const id of ids.slice(0, -k)) assert.ok(!tenants.has(id));
    // A new ranking drops practices that fell out of the top K (their series end; none goes down).
    const fresh = Array.from({ length: k }, () => randomUUID());
    for (const id of fresh) for (let n = 0; n < 3; n++) attribution.record(id);
    attribution.rerank();
    const again = new Set(pick(await scrape(t), 'healthtrack_tenant_requests_total').map((s) => s.labels.tenant));
    assert.ok(again.size <= k + 1);
    for (const id of fresh) assert.ok(again.has(id));
    for (const id of ids) assert.ok(!again.has(id));
  });
});

describe('job metrics', () => {
  test('queue depth comes from the database, read at most every few seconds; runs are counted by outcome', async () => {
    const app = await startTestApp();
    try {
      const practice = await app.createTenant();
      const ref = (await app.services.tenants.bySlug(practice.slug))!;
      const kind = `metrics.test.${randomBytes(4).toString('hex')}`;
      const enqueue = (runAt: Date) =>
        withTenant(app.services.db, ref, (tx) => enqueueJob(tx, { tenantId: tx.tenantId, kind, payload: {}, runAt, maxAttempts: 2 }));
      await enqueue(new Date(Date.now() - 1000));
      await enqueue(new Date(Date.now() + 3_600_000));
      const first = await scrape(app);
      assert.equal(valueOf(first, 'healthtrack_job_queue_depth', { kind, status: 'queued' }), 2);
      assert.equal(valueOf(first, 'healthtrack_job_queue_due', { kind }), 1);
      // Within the cache period a scrape reuses the reading: scrapes cannot hammer the database.
      const cached = new Metrics({ db: app.services.db, topTenants: 1, topTenantsWindowMs: 0, queueDepthCacheMs: 3_600_000 });
      const uncached = new Metrics({ db: app.services.db, topTenants: 1, topTenantsWindowMs: 0, queueDepthCacheMs: 0 });
      try {
        const depthNow = async (m: Metrics) => valueOf(parseMetrics(await m.render()), 'healthtrack_job_queue_depth', { kind, status: 'queued' });
        assert.equal(await depthNow(cached), 2);
        await enqueue(new Date(Date.now() - 1000));
        assert.equal(await depthNow(cached), 2);
        assert.equal(await depthNow(uncached), 3);
      } finally {
        cached.close();
        uncached.close();
      }

      // No handler for this kind: both due runs fail and are queued again.
      while ((await app.services.jobs.runDue(new Date())) > 0);
      const runs = await scrape(app);
      assert.equal(valueOf(runs, 'healthtrack_job_runs_total', { kind, outcome: 'retry' }), 2);
      assert.equal(valueOf(runs, 'healthtrack_job_runs_total', { kind, outcome: 'done' }), 0);
      assert.equal(valueOf(runs, 'healthtrack_job_run_duration_seconds_count', { kind }), 2);
    } finally {
      await app.close();
    }
  });
});

describe('access to /metrics', () => {
  test('without a token: loopback callers only; others and proxied callers find nothing', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1']) {
      assert.equal((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode, 200, remoteAddress);
    }
    for (const remoteAddress of ['203.0.113.9', '10.1.2.3', '::ffff:192.0.2.1']) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      assert.equal(res.statusCode, 404, remoteAddress);
      assert.equal(res.json().code, 'route_not_found');
      assert.ok(!res.body.includes('healthtrack_'));
    }
    const proxied = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.7' } });
    assert.equal(proxied.statusCode, 404);
  });

  test('with HEALTHTRACK_METRICS_TOKEN: the bearer token is required, from anywhere', async () => {
    const token = randomBytes(24).toString('base64url');
    const app = await startTestApp(monitoring({ metricsToken: token }));
    try {
      const remoteAddress = '203.0.113.9';
      const none = await app.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().code, 'token_missing');
      const wrong = await app.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { authorization: `Bearer ${token}x` } });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'token_invalid');
      const right = await app.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { authorization: `Bearer ${token}` } });
      assert.equal(right.statusCode, 200);
      assert.match(right.body, /healthtrack_http_requests_total/);
    } finally {
      await app.close();
    }
  });

  test('/metrics is not in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.ok(!('/metrics' in doc.paths));
    assert.ok(t.app.hasRoute({ method: 'GET', url: '/metrics' }));
  });
});

describe('cluster mode', () => {
  test("the primary's metrics port follows the same access rules", async () => {
    const get = async (port: number, path: string, headers: Record<string, string> = {}) => (await fetch(`http://127.0.0.1:${port}${path}`, { headers })).status;
    const open = await serveClusterMetrics(0, '127.0.0.1', undefined);
    const token = randomBytes(16).toString('hex');
    const guarded = await serveClusterMetrics(0, '127.0.0.1', token);
    try {
      const port = (open.address() as AddressInfo).port;
      // No workers in a test process: the sum of nothing, but served.
      assert.equal(await get(port, '/metrics'), 200);
      assert.equal(await get(port, '/metrics', { 'x-forwarded-for': '198.51.100.7' }), 404);
      assert.equal(await get(port, '/other'), 404);
      const guardedPort = (guarded.address() as AddressInfo).port;
      assert.equal(await get(guardedPort, '/metrics'), 401);
      assert.equal(await get(guardedPort, '/metrics', { authorization: 'Bearer nope' }), 401);
      assert.equal(await get(guardedPort, '/metrics', { authorization: `Bearer ${token}` }), 200);
    } finally {
      open.close();
      guarded.close();
    }
  });
});

test('behind a trusted proxy, /metrics answers nobody without the token, even over loopback', () => {
  assert.equal(metricsAccess({}, '127.0.0.1', undefined, false), 'allowed');
  assert.equal(metricsAccess({}, '127.0.0.1', undefined, true), 'hidden');
  assert.equal(metricsAccess({ authorization: 'Bearer s3cret' }, '127.0.0.1', 's3cret', true), 'allowed');
});
