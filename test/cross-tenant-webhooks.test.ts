/**
 * Webhooks across practices: another practice's endpoint and delivery ids answer 404 on every route
 * (exactly like missing ones), lists show nothing of it, its tables stay unchanged, and one
 * practice's events never reach another practice's endpoints. The meta test in
 * cross-tenant.test.ts reads the COVERAGE keys below.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { setPlan } from './support/plan-fixtures.ts';
import { NOWHERE, assertLikeMissing } from './support/cross-tenant-kit.ts';
import { startReceiver, verifySignature, type Receiver } from './support/webhook-receiver.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
const receivers: Receiver[] = [];

interface Practice {
  readonly tenant: TestTenant;
  readonly rx: Receiver;
  readonly endpointId: string;
  readonly secret: string;
  /** A failed delivery (so retry would act on it) of the endpoint. */
  readonly deliveryId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

/** Runs every job due now. */
async function runNow(): Promise<void> {
  while ((await t.services.jobs.runDue(new Date())) > 0);
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  await setPlan(t, tenant, 'professional');
  const rx = await startReceiver();
  receivers.push(rx);
  const created = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/webhooks', payload: { url: rx.url, events: ['patient.created'], description: `hook ${tenant.slug}` } });
  assert.equal(created.statusCode, 201, created.body);
  const p = { tenant, rx, endpointId: created.json().id as string, secret: created.json().secret as string, deliveryId: '' };
  rx.script(500);
  const ping = await as(p, 'POST', `/api/webhooks/${p.endpointId}/test`);
  assert.equal(ping.statusCode, 202, ping.body);
  await runNow();
  return { ...p, deliveryId: ping.json().id };
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    endpoints: (await tx.query('select * from webhook_endpoints where tenant_id = $1 order by id', [tx.tenantId])).rows,
    deliveries: (await tx.query('select * from webhook_deliveries where tenant_id = $1 order by id', [tx.tenantId])).rows,
    attempts: (await tx.query('select * from webhook_attempts where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

/** The attacker's call with the victim's id must answer like the same call with nobody's id. */
async function likeMissing(attacker: Practice, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', theirs: string, nowhere: string, payload?: object): Promise<void> {
  assertLikeMissing(await as(attacker, method, theirs, payload), await as(attacker, method, nowhere, payload));
}

const COVERAGE: Record<string, Case> = {
  'POST /api/webhooks': async (attacker, victim) => {
    // Creating is scoped to the caller: a new endpoint never appears in the victim's list.
    const res = await as(attacker, 'POST', '/api/webhooks', { url: attacker.rx.url, events: ['invoice.paid'] });
    assert.equal(res.statusCode, 201, res.body);
    const theirs = await as(victim, 'GET', '/api/webhooks');
    assert.ok(!theirs.json().items.some((e: { id: string }) => e.id === res.json().id));
    assert.equal((await as(attacker, 'DELETE', `/api/webhooks/${res.json().id}`)).statusCode, 204);
  },
  'GET /api/webhooks': async (attacker, victim) => {
    const own = await as(attacker, 'GET', '/api/webhooks');
    assert.equal(own.statusCode, 200, own.body);
    assert.deepEqual(own.json().items.map((e: { id: string }) => e.id), [attacker.endpointId]);
    assert.ok(!own.body.includes(victim.tenant.slug) && !own.body.includes(String(victim.rx.port)));
  },
  'GET /api/webhooks/{id}': async (attacker, victim) => {
    await likeMissing(attacker, 'GET', `/api/webhooks/${victim.endpointId}`, `/api/webhooks/${NOWHERE}`);
  },
  'PATCH /api/webhooks/{id}': async (attacker, victim) => {
    await likeMissing(attacker, 'PATCH', `/api/webhooks/${victim.endpointId}`, `/api/webhooks/${NOWHERE}`, { active: false });
    await likeMissing(attacker, 'PATCH', `/api/webhooks/${victim.endpointId}`, `/api/webhooks/${NOWHERE}`, { url: attacker.rx.url, events: ['invoice.paid'] });
  },
  'DELETE /api/webhooks/{id}': async (attacker, victim) => {
    await likeMissing(attacker, 'DELETE', `/api/webhooks/${victim.endpointId}`, `/api/webhooks/${NOWHERE}`);
  },
  'POST /api/webhooks/{id}/rotate-secret': async (attacker, victim) => {
    await likeMissing(attacker, 'POST', `/api/webhooks/${victim.endpointId}/rotate-secret`, `/api/webhooks/${NOWHERE}/rotate-secret`, {});
  },
  'POST /api/webhooks/{id}/test': async (attacker, victim) => {
    const before = victim.rx.received.length;
    await likeMissing(attacker, 'POST', `/api/webhooks/${victim.endpointId}/test`, `/api/webhooks/${NOWHERE}/test`);
    await runNow();
    assert.equal(victim.rx.received.length, before, 'no test event reached the victim');
  },
  'GET /api/webhooks/{id}/deliveries': async (attacker, victim) => {
    await likeMissing(attacker, 'GET', `/api/webhooks/${victim.endpointId}/deliveries`, `/api/webhooks/${NOWHERE}/deliveries`);
    const own = await as(attacker, 'GET', `/api/webhooks/${attacker.endpointId}/deliveries`);
    assert.equal(own.statusCode, 200, own.body);
    assert.ok(!own.body.includes(victim.deliveryId) && !own.body.includes(victim.endpointId));
  },
  'POST /api/webhooks/{id}/deliveries/{deliveryId}/retry': async (attacker, victim) => {
    const path = (e: string, d: string) => `/api/webhooks/${e}/deliveries/${d}/retry`;
    await likeMissing(attacker, 'POST', path(victim.endpointId, victim.deliveryId), path(NOWHERE, NOWHERE));
    // Their delivery under my endpoint is as unknown as nobody's delivery.
    await likeMissing(attacker, 'POST', path(attacker.endpointId, victim.deliveryId), path(attacker.endpointId, NOWHERE));
  },
};

before(async () => {
  t = await startTestApp({ webhookAllowPrivate: true, webhookTimeoutMs: 1000 });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: webhook routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      assert.equal(before.endpoints.length, 1);
      assert.equal(before.deliveries.length, 1);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's webhooks`);
    }
  });

  test(`${from} → ${to}: one practice's events never reach another practice's endpoints`, async () => {
    const a = await practice(from);
    const b = await practice(to);
    const [aBefore, bBefore] = [a.rx.received.length, b.rx.received.length];
    const patient = await as(a, 'POST', '/api/patients', { firstName: 'Only', lastName: 'Mine', dateOfBirth: '1980-05-05' });
    assert.equal(patient.statusCode, 201, patient.body);
    await runNow();
    assert.equal(a.rx.received.length, aBefore + 1);
    assert.equal(b.rx.received.length, bBefore, "the other practice's endpoint got nothing");
    const got = a.rx.received.at(-1)!;
    assert.ok(verifySignature(a.secret, got));
    assert.equal(verifySignature(b.secret, got), false);
    assert.deepEqual(JSON.parse(got.body).tenant, { slug: a.tenant.slug });
    const bLog = await as(b, 'GET', `/api/webhooks/${b.endpointId}/deliveries`);
    assert.ok(!bLog.body.includes(patient.json().id));
  });
}
