// Noisy-neighbour protection: per-practice rate and concurrency limits, enforced before the
// request's own database work, in memory or shared through Redis, failing open when Redis is down.
// Each test gives its practices real low limits through the operator API (overrides are exact, so
// the test runner's scale for the rest of the suite does not apply to them).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { startServices, type Services } from '../src/services.ts';
import { buildApp } from '../src/http/app.ts';
import { installStaffAuth } from '../src/http/plugins/staff-auth.ts';
import { RedisLimiter } from '../src/infra/tenant-limits/redis-limiter.ts';
import { LocalLimiter } from '../src/infra/tenant-limits/local-limiter.ts';
import type { TenantLimiter } from '../src/infra/tenant-limits/limiter.ts';
import { requestLimitsOf } from '../src/platform/tenant-limits.ts';
import { PLANS } from '../src/platform/plans.ts';
import { startTestApp, testConfig, testOpenOptions, type TestApp, type TestTenant } from './support/harness.ts';

const REDIS_URL = process.env.HEALTHTRACK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A gate the test opens: requests to /api/test-hold wait on it, so "in progress" is deterministic. */
class Gate {
  entered = 0;
  private waiters: (() => void)[] = [];
  private open: Promise<void>;
  private release!: () => void;
  constructor() {
    this.open = new Promise((resolve) => (this.release = resolve));
  }
  wait(): Promise<void> {
    this.entered++;
    for (const w of this.waiters.splice(0)) w();
    return this.open;
  }
  async untilEntered(n: number): Promise<void> {
    while (this.entered < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  openNow(): void {
    this.release();
  }
}

/** Waits until `n` requests are held at the gate; fails at once (never hangs) if one of them is answered first. */
async function enteredOrFailed(gate: Gate, n: number, running: readonly Promise<LightMyRequestResponse>[]): Promise<void> {
  await Promise.race([
    gate.untilEntered(n),
    ...running.map((p) => p.then((res) => Promise.reject(new Error(`a held request was answered before the gate opened: ${res.statusCode} ${res.body}`)))),
  ]);
}

/**
 * The production app plus one staff route under /api (behind the same staff pipeline, so admitted
 * against the practice like every /api route), held until the test opens the gate. Built here: the
 * production app has no such route.
 */
async function appWithHold(services: Services, gate: () => Gate): Promise<FastifyInstance> {
  const app = await buildApp(services, { logger: false });
  await app.register(
    async (api) => {
      installStaffAuth(api, services);
      api.get('/test-hold', async () => {
        await gate().wait();
        return { ok: true };
      });
    },
    { prefix: '/api' },
  );
  await app.ready();
  return app;
}

// One app for the file (starting one is the slow part); every test makes its own practices.
let shared: Promise<TestApp> | undefined;
after(async () => {
  if (shared) await (await shared).close();
});

function fixture(): Promise<TestApp> {
  shared ??= startTestApp();
  return shared;
}

async function setLimits(t: TestApp, tenant: TestTenant, body: Record<string, number | null>): Promise<void> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/platform/tenants/${tenant.slug}/limits`,
    headers: { authorization: `Bearer ${await t.operatorToken()}` },
    payload: body,
  });
  assert.equal(res.statusCode, 200, res.body);
}

function me(app: FastifyInstance, tenant: TestTenant): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/api/me', headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${tenant.adminToken}` } });
}

function hold(app: FastifyInstance, tenant: TestTenant): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/api/test-hold', headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${tenant.adminToken}` } });
}

function assertRefused(res: LightMyRequestResponse, code: string): number {
  assert.equal(res.statusCode, 429, res.body);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  assert.equal(res.json().code, code);
  const wait = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After ${res.headers['retry-after']}`);
  return wait;
}

test('plan defaults: bigger plans allow more, and the scale multiplies plan limits but not overrides', () => {
  const [starter, standard, professional] = [PLANS.starter.limits, PLANS.standard.limits, PLANS.professional.limits];
  for (const [small, big] of [[starter, standard], [standard, professional]] as const) {
    assert.ok(small.requestsPerMinute < big.requestsPerMinute && small.burst < big.burst && small.maxConcurrentRequests < big.maxConcurrentRequests);
  }
  assert.deepEqual(requestLimitsOf({ plan: 'starter' }), { ratePerSecond: 5, burst: 60, maxConcurrent: 6 });
  assert.deepEqual(requestLimitsOf({ plan: 'starter' }, 10), { ratePerSecond: 50, burst: 600, maxConcurrent: 60 });
  assert.deepEqual(requestLimitsOf({ plan: 'starter', limitOverrides: { burst: 2 } }, 10), { ratePerSecond: 50, burst: 2, maxConcurrent: 60 });
});

test('the practice sees its own limits in /api/me: the plan\'s, with the operator\'s overrides applied', async () => {
  const t = await fixture();
  const a = await t.createTenant();
  const plan = PLANS.standard.limits;
  const before = (await me(t.app, a)).json().plan.limits;
  assert.deepEqual(before, { staffSeats: plan.staffSeats, requestsPerMinute: plan.requestsPerMinute, burst: plan.burst, maxConcurrentRequests: plan.maxConcurrentRequests });
  await setLimits(t, a, { maxConcurrentRequests: plan.maxConcurrentRequests + 5, requestsPerMinute: plan.requestsPerMinute * 2 });
  const after = (await me(t.app, a)).json().plan.limits;
  assert.deepEqual(after, { staffSeats: plan.staffSeats, requestsPerMinute: plan.requestsPerMinute * 2, burst: plan.burst, maxConcurrentRequests: plan.maxConcurrentRequests + 5 });
  await setLimits(t, a, {});
  assert.deepEqual((await me(t.app, a)).json().plan.limits, before);
});

test('over the rate limit: 429 tenant_rate_limited with a computed Retry-After; another practice is unaffected', async () => {
  const t = await fixture();
  const [a, b] = [await t.createTenant(), await t.createTenant()];
  // 1 per minute sustained (one token every 60 s) with a burst of 3.
  await setLimits(t, a, { requestsPerMinute: 1, burst: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await me(t.app, a)).statusCode, 200);
  const [refused, other] = await Promise.all([me(t.app, a), me(t.app, b)]);
  const wait = assertRefused(refused, 'tenant_rate_limited');
  // Up to 60 s until the next token, less the refill since the burst: computed from the bucket.
  assert.ok(wait >= 40 && wait <= 60, `Retry-After ${wait}`);
  assert.equal(other.statusCode, 200, other.body);
  // The public per-practice routes have an allowance of their own (same plan limits): patients
  // and strangers cannot use up the staff's, and the staff's being spent does not close the
  // practice's public pages. Spent, they answer 429 too.
  for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ method: 'GET', url: `/public/practices/${a.slug}/branding` })).statusCode, 200);
  assertRefused(await t.app.inject({ method: 'GET', url: `/public/practices/${a.slug}/branding` }), 'tenant_rate_limited');
  assert.equal((await t.app.inject({ method: 'GET', url: `/public/practices/${b.slug}/branding` })).statusCode, 200);

  // The operator view shows plan, overrides and the result; removing the overrides restores the plan.
  const view = await t.app.inject({ method: 'GET', url: `/platform/tenants/${a.id}/limits`, headers: { authorization: `Bearer ${await t.operatorToken()}` } });
  assert.equal(view.statusCode, 200);
  assert.deepEqual(view.json().overrides, { requestsPerMinute: 1, burst: 3 });
  assert.equal(view.json().effective.maxConcurrentRequests, PLANS.standard.limits.maxConcurrentRequests);
  await setLimits(t, a, {});
  assert.equal((await me(t.app, a)).statusCode, 200);
});

test('requests without a valid token naming a practice do not spend its staff allowance', async () => {
  const t = await fixture();
  const victim = await t.createTenant();
  await setLimits(t, victim, { requestsPerMinute: 1, burst: 3 });
  // An attacker with no token, or a token of another practice: each answer is 401, none is admitted.
  const other = await t.createTenant();
  for (let i = 0; i < 5; i++) {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/me', headers: { 'x-tenant': victim.slug } })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/me', headers: { 'x-tenant': victim.slug, authorization: `Bearer ${other.adminToken}` } })).statusCode, 401);
  }
  for (let i = 0; i < 3; i++) assert.equal((await me(t.app, victim)).statusCode, 200);
  assertRefused(await me(t.app, victim), 'tenant_rate_limited');
});

test('operator limits: bad values are 400 naming the field, and the route needs an operator token', async () => {
  const t = await fixture();
  const a = await t.createTenant();
  const bad = await t.app.inject({
    method: 'PUT',
    url: `/platform/tenants/${a.slug}/limits`,
    headers: { authorization: `Bearer ${await t.operatorToken()}` },
    payload: { burst: 0, maxConcurrentRequests: 'many' },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'validation_failed');
  assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field).sort(), ['burst', 'maxConcurrentRequests']);
  for (const headers of [{}, { authorization: `Bearer ${a.adminToken}` }]) {
    const put = await t.app.inject({ method: 'PUT', url: `/platform/tenants/${a.slug}/limits`, headers, payload: { burst: 1 } });
    assert.equal(put.statusCode, 401, put.body);
    const get = await t.app.inject({ method: 'GET', url: `/platform/tenants/${a.slug}/limits`, headers });
    assert.equal(get.statusCode, 401, get.body);
  }
  const missing = await t.app.inject({ method: 'GET', url: '/platform/tenants/no-such-practice/limits', headers: { authorization: `Bearer ${await t.operatorToken()}` } });
  assert.equal(missing.statusCode, 404);
});

test('concurrency cap: requests in progress beyond it get 429 tenant_concurrency_limited; others and later ones pass', async () => {
  const t = await fixture();
  const [a, b] = [await t.createTenant(), await t.createTenant()];
  await setLimits(t, a, { maxConcurrentRequests: 2, burst: 100 });
  let gate = new Gate();
  const app = await appWithHold(t.services, () => gate);
  try {
    // First round: two requests held ~1.2 s, so the practice's recent requests take about that long.
    let running = [hold(app, a), hold(app, a)];
    await enteredOrFailed(gate, 2, running);
    const [refused, bHeld] = [await hold(app, a), hold(app, b)];
    assertRefused(refused, 'tenant_concurrency_limited');
    await enteredOrFailed(gate, 3, [bHeld]); // the other practice's request got in
    await new Promise((r) => setTimeout(r, 1200));
    gate.openNow();
    for (const res of await Promise.all([...running, bHeld])) assert.equal(res.statusCode, 200, res.body);

    // Slots are released: the cap is free again. Retry-After now follows the recent durations.
    gate = new Gate();
    running = [hold(app, a), hold(app, a)];
    await enteredOrFailed(gate, 2, running);
    assert.equal(assertRefused(await me(app, a), 'tenant_concurrency_limited'), 2);
    gate.openNow();
    for (const res of await Promise.all(running)) assert.equal(res.statusCode, 200);
    assert.equal((await me(app, a)).statusCode, 200);
  } finally {
    gate.openNow();
    await app.close();
  }
});

test('Redis: two app instances share one practice limit (rate and concurrency)', async () => {
  const t = await fixture();
  const [a, b] = [await t.createTenant(), await t.createTenant()];
  await setLimits(t, a, { requestsPerMinute: 1, burst: 4, maxConcurrentRequests: 2 });
  const keyPrefix = `ht-test:${randomBytes(6).toString('hex')}:`;
  // Two limiters (two Redis connections, two process identities) over one database: two processes.
  const limiters = [new RedisLimiter({ url: REDIS_URL, keyPrefix }), new RedisLimiter({ url: REDIS_URL, keyPrefix })];
  await Promise.all(limiters.map((l) => l.ready()));
  let gate = new Gate();
  const apps = await Promise.all(limiters.map((limiter) => appWithHold({ ...t.services, limiter }, () => gate)));
  try {
    // Burst 4 in total, not 4 per instance.
    for (const app of [apps[0]!, apps[1]!, apps[0]!, apps[1]!]) assert.equal((await me(app, a)).statusCode, 200);
    assertRefused(await me(apps[1]!, a), 'tenant_rate_limited');
    assertRefused(await me(apps[0]!, a), 'tenant_rate_limited');
    assert.equal((await me(apps[0]!, b)).statusCode, 200);

    // Concurrency on a practice of its own: A's bucket is empty and refills at 1/min.
    const c = await t.createTenant();
    await setLimits(t, c, { requestsPerMinute: 6000, burst: 100, maxConcurrentRequests: 2 });
    gate = new Gate();
    const running = [hold(apps[0]!, c), hold(apps[1]!, c)];
    await enteredOrFailed(gate, 2, running);
    assertRefused(await hold(apps[0]!, c), 'tenant_concurrency_limited');
    assertRefused(await me(apps[1]!, c), 'tenant_concurrency_limited');
    gate.openNow();
    for (const res of await Promise.all(running)) assert.equal(res.statusCode, 200);
    // Releases reach Redis after the response; give them a moment.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await me(apps[1]!, c)).statusCode, 200);
  } finally {
    gate.openNow();
    for (const app of apps) await app.close();
    for (const l of limiters) await l.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

test('Redis: a slot whose process died is freed when its lease ends', async () => {
  const keyPrefix = `ht-test:${randomBytes(6).toString('hex')}:`;
  const crashed = new RedisLimiter({ url: REDIS_URL, keyPrefix, leaseMs: 300 });
  const alive = new RedisLimiter({ url: REDIS_URL, keyPrefix, leaseMs: 300 });
  await Promise.all([crashed.ready(), alive.ready()]);
  const tenantId = randomBytes(8).toString('hex');
  const limits = { ratePerSecond: 100, burst: 100, maxConcurrent: 2 };
  try {
    // Two admitted and never released: the process "crashed" holding them.
    assert.equal((await crashed.admit(tenantId, limits)).kind, 'admitted');
    assert.equal((await crashed.admit(tenantId, limits)).kind, 'admitted');
    await crashed.close();
    assert.equal((await alive.admit(tenantId, limits)).kind, 'concurrency_limited');
    await new Promise((r) => setTimeout(r, 400));
    const again = await alive.admit(tenantId, limits);
    assert.equal(again.kind, 'admitted');
    if (again.kind === 'admitted') again.release();
  } finally {
    await alive.close();
  }
});

test('Redis unreachable: requests are still served, limited per process, and the outage is logged once', async () => {
  const t = await fixture();
  const a = await t.createTenant();
  await setLimits(t, a, { requestsPerMinute: 1, burst: 3 });
  const logged: string[] = [];
  // Nothing listens on port 1: every Redis command fails at once.
  const limiter: TenantLimiter = new RedisLimiter({ url: 'redis://127.0.0.1:1', keyPrefix: 'ht-test:down:', log: (m) => logged.push(m) });
  const app = await buildApp({ ...t.services, limiter }, { logger: false });
  await app.ready();
  try {
    for (let i = 0; i < 3; i++) assert.equal((await me(app, a)).statusCode, 200);
    // Failing open means falling back to the in-process limiter, not to no limit at all.
    assertRefused(await me(app, a), 'tenant_rate_limited');
    assert.equal(logged.filter((m) => /Redis unreachable/.test(m)).length, 1, logged.join('\n'));
  } finally {
    await app.close();
    await limiter.close();
  }
});

test('the in-process limiter refills its bucket over time', async () => {
  let now = 0;
  const limiter = new LocalLimiter(undefined, () => now);
  const limits = { ratePerSecond: 2, burst: 2, maxConcurrent: 10 };
  for (let i = 0; i < 2; i++) {
    const ok = limiter.admitNow('t', limits);
    assert.equal(ok.kind, 'admitted');
    if (ok.kind === 'admitted') ok.release();
  }
  const refused = limiter.admitNow('t', limits);
  assert.deepEqual(refused, { kind: 'rate_limited', retryAfterSeconds: 1 });
  now += 500; // one token back
  assert.equal(limiter.admitNow('t', limits).kind, 'admitted');
  assert.equal(limiter.admitNow('t', limits).kind, 'rate_limited');
});

test('with REDIS_URL the services share limits through Redis', async () => {
  const base = testConfig();
  const keyPrefix = `ht-test:${randomBytes(6).toString('hex')}:`;
  const services = await startServices({ ...base, protection: { ...base.protection, redisUrl: REDIS_URL, redisKeyPrefix: keyPrefix } }, testOpenOptions());
  try {
    assert.ok(services.limiter instanceof RedisLimiter);
  } finally {
    await services.close();
  }
});
