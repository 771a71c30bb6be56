/**
 * Webhooks end to end: real deliveries to a real HTTP receiver on 127.0.0.1 that checks signatures
 * with its own implementation of the Standard Webhooks scheme; time is driven through the job
 * runner (`runDue(now)`), so retries, backoff and exhaustion are deterministic.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { setPlan } from './support/plan-fixtures.ts';
import { startReceiver, verifySignature, type Receiver } from './support/webhook-receiver.ts';
import { bookablePractice, tenantRef } from './support/scheduling-fixtures.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';
import { isPublicAddress } from '../src/infra/outbound-address.ts';
import { WEBHOOK_DELIVER_JOB } from '../src/domain/webhooks/webhook-events.ts';
import { webhookDeliveryHandler } from '../src/domain/webhooks/webhook-delivery.ts';
import { DISABLE_AFTER_EXHAUSTED, MAX_ATTEMPTS } from '../src/domain/webhooks/webhook-retry.ts';
import { sign } from '../src/domain/webhooks/webhook-signing.ts';
import { SecretBox, createSecretBox, keyFromFile } from '../src/infra/secret-box.ts';
import { secretKeyFrom } from '../src/config.ts';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

let t: TestApp;
const receivers: Receiver[] = [];
const SECOND = 1000;
const DAY = 86_400_000;

before(async () => {
  t = await startTestApp({ webhookAllowPrivate: true, webhookTimeoutMs: 1000 });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

/** Webhooks are a `professional` plan feature. */
async function webhookPractice(tier: 'pooled' | 'schema'): Promise<TestTenant> {
  const tenant = await t.createTenant(tier);
  await setPlan(t, tenant, 'professional');
  return tenant;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

function api(tenant: TestTenant, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

async function subscribe(tenant: TestTenant, url: string, events: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await api(tenant, 'POST', '/api/webhooks', { url, events, ...extra });
  assert.equal(res.statusCode, 201, res.body);
  return { id: res.json().id, secret: res.json().secret };
}

async function deliveries(tenant: TestTenant, endpointId: string, query = ''): Promise<any[]> {
  const res = await api(tenant, 'GET', `/api/webhooks/${endpointId}/deliveries${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

async function endpoint(tenant: TestTenant, id: string): Promise<any> {
  const res = await api(tenant, 'GET', `/api/webhooks/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Runs every job due at `now` (new retries land after `now`, so this ends). */
async function runAt(now: Date): Promise<void> {
  while ((await t.services.jobs.runDue(now)) > 0);
}

async function createPatient(tenant: TestTenant, lastName = 'Quinlan'): Promise<string> {
  const res = await api(tenant, 'POST', '/api/patients', { firstName: 'Nora', lastName, dateOfBirth: '1987-04-02', email: 'nora@example.test' });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function auditActions(tenant: TestTenant): Promise<{ action: string; actor_type: string; details: Record<string, unknown> }[]> {
  const ref = await tenantRef(t, tenant.slug);
  return withTenant(t.services.db, ref, async (tx) =>
    (await tx.query<{ action: string; actor_type: string; details: Record<string, unknown> }>(
      `select action, actor_type, details from audit_events where tenant_id = $1 and action like 'webhook.%' order by id`,
      [tx.tenantId],
    )).rows,
  );
}

describe('signed deliveries', () => {
  test('signatures match the published Standard Webhooks test vector', () => {
    const vector = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
    const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    assert.equal(sign(vector.secret, vector.id, vector.timestamp, vector.body), expected);
    const headers = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': `v1,bm9wZQ== ${expected}` };
    assert.ok(verifySignature(vector.secret, { headers, body: vector.body }, vector.timestamp), 'the test receiver accepts it too');
  });

  test('webhooks are a professional-plan feature: the standard plan cannot subscribe; workflow.transition is subscribable', async () => {
    const standard = await t.createTenant('pooled');
    const refused = await api(standard, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['patient.created'] });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'feature_not_in_plan');
    assert.equal((await api(standard, 'GET', '/api/webhooks')).statusCode, 200, 'reading what exists stays allowed');

    const pro = await webhookPractice('pooled');
    const created = await api(pro, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['workflow.transition'] });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().events, ['workflow.transition']);
  });

  test('a new patient is delivered once, signed; a tampered body, timestamp or secret does not verify', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created'], { description: 'CRM sync' });
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(hook.secret.slice(6), 'base64').length, 32);

    const patientId = await createPatient(tenant, 'Zebulon');
    await runAt(new Date());
    assert.equal(rx.received.length, 1);
    const got = rx.received[0]!;
    assert.equal(got.headers['content-type'], 'application/json');
    assert.ok(verifySignature(hook.secret, got), 'the signature verifies');
    const body = JSON.parse(got.body);
    assert.equal(body.type, 'patient.created');
    assert.equal(body.id, got.headers['webhook-id']);
    assert.deepEqual(body.tenant, { slug: tenant.slug });
    assert.equal(body.data.id, patientId);
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    // Thin payload: no name, date of birth, email or record number.
    for (const phi of ['Zebulon', 'Nora', '1987-04-02', 'nora@example.test', 'MRN-']) assert.ok(!got.body.includes(phi), `payload leaks ${phi}`);

    assert.equal(verifySignature(hook.secret, { headers: got.headers, body: got.body.replace(patientId, '01900000-0000-7000-8000-00000000beef') }), false, 'tampered body');
    const ts = Number(got.headers['webhook-timestamp']);
    assert.equal(verifySignature(hook.secret, { headers: { ...got.headers, 'webhook-timestamp': String(ts + 1) }, body: got.body }), false, 'tampered timestamp');
    assert.equal(verifySignature(hook.secret, { headers: got.headers, body: got.body }, ts + 3600), false, 'replayed an hour later');
    const other = await subscribe(tenant, rx.url, ['invoice.issued']);
    assert.equal(verifySignature(other.secret, got), false, "another endpoint's secret");

    const [delivery] = await deliveries(tenant, hook.id);
    assert.equal(delivery.status, 'succeeded');
    assert.equal(delivery.eventType, 'patient.created');
    assert.equal(delivery.eventId, body.id);
    assert.equal(delivery.attemptCount, 1);
    assert.equal(delivery.lastStatusCode, 200);
    assert.ok(delivery.deliveredAt);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].statusCode, 200);
    assert.equal(delivery.attempts[0].responseExcerpt, 'answer 200 #1');
    assert.deepEqual(delivery.data, body.data);

    await runAt(new Date(Date.now() + 7 * DAY));
    assert.equal(rx.received.length, 1, 'a succeeded delivery is never sent again');
  });

  test('the secret is stored sealed and never listed', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('schema');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    const ref = await tenantRef(t, tenant.slug);
    const row = await withTenant(t.services.db, ref, async (tx) =>
      (await tx.query<Record<string, unknown>>('select * from webhook_endpoints where tenant_id = $1 and id = $2', [tx.tenantId, hook.id])).rows[0]!,
    );
    const raw = hook.secret.slice(6);
    assert.ok(!JSON.stringify(row).includes(raw), 'no plaintext secret in the row');
    assert.ok(!JSON.stringify(row).includes(Buffer.from(raw, 'base64').toString('hex')));
    assert.match(String(row.secret_sealed), /^v1\.[0-9a-f]{8}\./);
    for (const res of [await api(tenant, 'GET', '/api/webhooks'), await api(tenant, 'GET', `/api/webhooks/${hook.id}`)]) {
      assert.equal(res.statusCode, 200);
      assert.ok(!res.body.includes(raw));
      assert.ok(!res.body.includes('"secret"'));
    }
    // Bound to its row: the sealed value does not open as another endpoint's.
    assert.throws(() => t.services.secrets.open(String(row.secret_sealed), `webhook:${ref.id}:01900000-0000-7000-8000-000000000000`));
  });

  test('the sealing key: from HEALTHTRACK_SECRET_KEY, else one generated file shared by every process', () => {
    const key = randomBytes(32);
    assert.deepEqual(secretKeyFrom(key.toString('hex')), key);
    assert.deepEqual(secretKeyFrom(key.toString('base64')), key);
    assert.deepEqual(secretKeyFrom(key.toString('base64url')), key);
    assert.equal(secretKeyFrom(''), undefined);
    assert.throws(() => secretKeyFrom('too-short'), /32 bytes/);
    assert.throws(() => secretKeyFrom(randomBytes(16).toString('hex')), /32 bytes/);

    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ht-key-')), 'sub', 'secret.key');
    const first = keyFromFile(file);
    assert.equal(first.length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(keyFromFile(file), first, 'created once, then read');
    const fromFile = createSecretBox({ secretKey: undefined, secretKeyFile: file });
    const sealed = fromFile.seal('whsec_abc', 'ctx');
    assert.equal(new SecretBox(() => first).open(sealed, 'ctx'), 'whsec_abc');
    assert.throws(() => new SecretBox(() => key).open(sealed, 'ctx'), /sealed with another key/);
    assert.throws(() => fromFile.open(sealed, 'other ctx'));
    assert.notEqual(fromFile.seal('whsec_abc', 'ctx'), sealed, 'a fresh IV every time');
  });

  test('a rotated secret: both sign for the overlap; with no overlap only the new one', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    const rotated = await api(tenant, 'POST', `/api/webhooks/${hook.id}/rotate-secret`);
    assert.equal(rotated.statusCode, 200, rotated.body);
    const second = rotated.json().secret as string;
    assert.notEqual(second, hook.secret);
    const expires = Date.parse(rotated.json().previousSecretExpiresAt);
    assert.ok(Math.abs(expires - (Date.now() + DAY)) < 60 * SECOND, 'the old secret signs for 24 h');
    assert.ok(rotated.json().secretRotatedAt);

    await createPatient(tenant);
    await runAt(new Date());
    const during = rx.received[0]!;
    assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
    assert.ok(verifySignature(second, during), 'verifies with the new secret');
    assert.ok(verifySignature(hook.secret, during), 'still verifies with the old one');

    const again = await api(tenant, 'POST', `/api/webhooks/${hook.id}/rotate-secret`, { previousValidHours: 0 });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().previousSecretExpiresAt, null);
    const third = again.json().secret as string;
    await createPatient(tenant);
    await runAt(new Date());
    const after = rx.received[1]!;
    assert.equal(String(after.headers['webhook-signature']).split(' ').length, 1);
    assert.ok(verifySignature(third, after));
    assert.equal(verifySignature(second, after), false);
    assert.equal(verifySignature(hook.secret, after), false);

    const bad = await api(tenant, 'POST', `/api/webhooks/${hook.id}/rotate-secret`, { previousValidHours: 100 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'previousValidHours');
    assert.deepEqual((await auditActions(tenant)).map((a) => a.action), ['webhook.create', 'webhook.rotate_secret', 'webhook.rotate_secret']);
  });
});

describe('retries', () => {
  test('500, 500, then 200: retried with growing delays, every attempt logged', async () => {
    const rx = await receiver();
    rx.script(500, 500);
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    await createPatient(tenant);
    const t0 = new Date();
    await runAt(t0);
    assert.equal(rx.received.length, 1);
    let [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attemptCount, 1);
    assert.equal(d.lastStatusCode, 500);
    const first = Date.parse(d.nextAttemptAt) - t0.getTime();
    assert.ok(first >= 24 * SECOND && first <= 36 * SECOND, `first retry after 30 s ± 20 %, got ${first} ms`);

    await runAt(new Date(t0.getTime() + 20 * SECOND));
    assert.equal(rx.received.length, 1, 'not before its time');
    const t1 = new Date(t0.getTime() + 40 * SECOND);
    await runAt(t1);
    assert.equal(rx.received.length, 2);
    [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attemptCount, 2);
    const secondDelay = Date.parse(d.nextAttemptAt) - t1.getTime();
    assert.ok(secondDelay >= 96 * SECOND && secondDelay <= 144 * SECOND, `second retry after 2 min ± 20 %, got ${secondDelay} ms`);
    assert.ok(secondDelay > first, 'delays grow');

    await runAt(new Date(t1.getTime() + 90 * SECOND));
    assert.equal(rx.received.length, 2);
    await runAt(new Date(t1.getTime() + 150 * SECOND));
    assert.equal(rx.received.length, 3);
    [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'succeeded');
    assert.equal(d.attemptCount, 3);
    assert.equal(d.nextAttemptAt, null);
    assert.deepEqual(d.attempts.map((a: any) => [a.attempt, a.statusCode]), [[1, 500], [2, 500], [3, 200]]);
    assert.deepEqual(d.attempts.map((a: any) => a.responseExcerpt), ['answer 500 #1', 'answer 500 #2', 'answer 200 #3']);
    for (const a of d.attempts) assert.ok(Number.isInteger(a.durationMs) && a.durationMs >= 0 && a.error === null);
    // One event: the same webhook-id on every attempt, each attempt signed afresh.
    assert.equal(new Set(rx.received.map((r) => r.headers['webhook-id'])).size, 1);
    for (const r of rx.received) assert.ok(verifySignature(hook.secret, r));
    assert.equal((await endpoint(tenant, hook.id)).consecutiveFailures, 0);
  });

  test(`exhausted after ${MAX_ATTEMPTS} attempts; ${DISABLE_AFTER_EXHAUSTED} exhausted deliveries in a row disable the endpoint`, async () => {
    const rx = await receiver();
    rx.fallback = 503;
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    for (let i = 0; i < DISABLE_AFTER_EXHAUSTED; i++) await createPatient(tenant);
    const t0 = Date.now();
    for (let step = 0; step < MAX_ATTEMPTS + 2; step++) await runAt(new Date(t0 + step * DAY));
    assert.equal(rx.received.length, DISABLE_AFTER_EXHAUSTED * MAX_ATTEMPTS);
    const items = await deliveries(tenant, hook.id);
    assert.equal(items.length, DISABLE_AFTER_EXHAUSTED);
    for (const d of items) {
      assert.equal(d.status, 'exhausted');
      assert.equal(d.attemptCount, MAX_ATTEMPTS);
      assert.equal(d.nextAttemptAt, null);
      assert.deepEqual(d.attempts.map((a: any) => a.attempt), Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1));
      assert.ok(d.attempts.every((a: any) => a.statusCode === 503));
    }
    const disabled = await endpoint(tenant, hook.id);
    assert.equal(disabled.active, false);
    assert.match(disabled.disabledReason, new RegExp(`${DISABLE_AFTER_EXHAUSTED} deliveries in a row failed all ${MAX_ATTEMPTS} attempts`));
    assert.ok(disabled.disabledAt);
    assert.equal(disabled.consecutiveFailures, DISABLE_AFTER_EXHAUSTED);
    const audit = (await auditActions(tenant)).filter((a) => a.action === 'webhook.disable');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_type, 'system');

    // Disabled: new events queue nothing, and retries wait for re-activation.
    await createPatient(tenant);
    assert.equal((await deliveries(tenant, hook.id)).length, DISABLE_AFTER_EXHAUSTED);
    const refused = await api(tenant, 'POST', `/api/webhooks/${hook.id}/deliveries/${items[0].id}/retry`);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'webhook_endpoint_inactive');

    const on = await api(tenant, 'PATCH', `/api/webhooks/${hook.id}`, { active: true });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().active, true);
    assert.equal(on.json().disabledReason, null);
    assert.equal(on.json().consecutiveFailures, 0);

    rx.fallback = 200;
    const retried = await api(tenant, 'POST', `/api/webhooks/${hook.id}/deliveries/${items[0].id}/retry`);
    assert.equal(retried.statusCode, 202, retried.body);
    assert.equal(retried.json().status, 'pending');
    await runAt(new Date());
    const [latest] = (await deliveries(tenant, hook.id)).filter((d) => d.id === items[0].id);
    assert.equal(latest.status, 'succeeded');
    assert.equal(latest.attemptCount, MAX_ATTEMPTS + 1);
    const again = await api(tenant, 'POST', `/api/webhooks/${hook.id}/deliveries/${items[0].id}/retry`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'webhook_delivery_not_retryable');
  });

  test('a failed delivery retried by hand goes now, keeping its schedule', async () => {
    const rx = await receiver();
    rx.script(500, 500);
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    await createPatient(tenant);
    const now = new Date();
    await runAt(now);
    const [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'failed');
    const pending = await api(tenant, 'POST', `/api/webhooks/${hook.id}/deliveries/${d.id}/retry`);
    assert.equal(pending.statusCode, 202, pending.body);
    const twice = await api(tenant, 'POST', `/api/webhooks/${hook.id}/deliveries/${d.id}/retry`);
    assert.equal(twice.json().code, 'webhook_delivery_not_retryable', 'already queued');
    await runAt(new Date(now.getTime() + 1 * SECOND));
    assert.equal(rx.received.length, 2, 'the retry ran before its scheduled time, once');
    const [after] = await deliveries(tenant, hook.id);
    assert.equal(after.status, 'failed');
    assert.equal(after.attemptCount, 2);
    await runAt(new Date(now.getTime() + 10 * 60 * SECOND));
    assert.equal(rx.received.length, 3, 'the old schedule did not add a stray attempt');
    assert.equal((await deliveries(tenant, hook.id))[0].status, 'succeeded');
  });

  test('timeouts, redirects, Retry-After and 410 Gone', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);

    rx.delayMs = 3000;
    await createPatient(tenant);
    await runAt(new Date());
    let [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.lastStatusCode, null);
    assert.equal(d.lastError, 'timed out after 1000 ms');
    assert.ok(d.attempts[0].durationMs >= 900 && d.attempts[0].durationMs < 2500, `${d.attempts[0].durationMs} ms`);
    rx.delayMs = 0;

    rx.script(302);
    rx.responseHeaders = { location: 'http://169.254.169.254/latest/meta-data' };
    await runAt(new Date(Date.now() + 60 * SECOND));
    [d] = await deliveries(tenant, hook.id);
    assert.equal(d.lastStatusCode, 302);
    assert.match(d.lastError, /^redirect not followed \(Location: http:\/\/169\.254\.169\.254/);
    assert.equal(rx.received.length, 2, 'the redirect was not followed');

    rx.script(503);
    rx.responseHeaders = { 'retry-after': '7200' };
    const t2 = new Date(Date.now() + 10 * 60 * SECOND);
    await runAt(t2);
    [d] = await deliveries(tenant, hook.id);
    assert.equal(d.attemptCount, 3);
    assert.ok(Math.abs(Date.parse(d.nextAttemptAt) - (t2.getTime() + 7200 * SECOND)) < 5 * SECOND, 'Retry-After is honoured');
    rx.responseHeaders = {};

    rx.script(410);
    await runAt(new Date(t2.getTime() + 3 * 3600 * SECOND));
    [d] = await deliveries(tenant, hook.id);
    assert.equal(d.status, 'exhausted');
    assert.equal(d.lastStatusCode, 410);
    const gone = await endpoint(tenant, hook.id);
    assert.equal(gone.active, false);
    assert.equal(gone.disabledReason, 'The endpoint answered 410 Gone');
  });
});

describe('what is sent, and what is not', () => {
  test('a rolled-back booking sends nothing; booked and cancelled are sent with ids only', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const p = await bookablePractice(t, tenant, 'America/New_York');
    const hook = await subscribe(tenant, rx.url, ['appointment.booked', 'appointment.cancelled']);
    const other = await api(tenant, 'POST', '/api/patients', { firstName: 'Second', lastName: 'Patient', dateOfBirth: '1990-01-01' });
    const start = DateTime.now().setZone('America/New_York').startOf('week').plus({ weeks: 2 }).set({ hour: 10 }).toISO()!;
    const base = { typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, start };
    const booked = await api(tenant, 'POST', '/api/appointments', { ...base, patientId: p.patientId });
    assert.equal(booked.statusCode, 201, booked.body);
    const clash = await api(tenant, 'POST', '/api/appointments', { ...base, patientId: other.json().id });
    assert.equal(clash.statusCode, 409);
    assert.equal(clash.json().code, 'slot_taken');
    assert.equal((await deliveries(tenant, hook.id)).length, 1, 'the refused booking queued nothing');

    const cancelled = await api(tenant, 'POST', `/api/appointments/${booked.json().id}/cancel`, { reason: 'Feeling unwell with a private matter' });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    await runAt(new Date());
    assert.equal(rx.received.length, 2);
    const [bookedEvent, cancelledEvent] = rx.received.map((r) => JSON.parse(r.body));
    assert.equal(bookedEvent.type, 'appointment.booked');
    assert.deepEqual(bookedEvent.data, {
      id: booked.json().id,
      patientId: p.patientId,
      providerId: p.providerId,
      locationId: p.locationId,
      typeId: p.typeId,
      start: booked.json().start,
      end: booked.json().end,
      status: 'booked',
      seriesId: null,
    });
    assert.equal(cancelledEvent.type, 'appointment.cancelled');
    assert.equal(cancelledEvent.data.id, booked.json().id);
    assert.equal(cancelledEvent.data.status, 'cancelled');
    assert.equal(typeof cancelledEvent.data.lateCancel, 'boolean');
    assert.ok(!rx.received.some((r) => r.body.includes('private matter') || r.body.includes('Victim')), 'no free text or names');
  });

  test('inactive endpoints and unsubscribed events get nothing', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('schema');
    const invoicesOnly = await subscribe(tenant, rx.url, ['invoice.issued']);
    const inactive = await subscribe(tenant, rx.url, ['patient.created'], { active: false });
    const switchedOff = await subscribe(tenant, rx.url, ['patient.created']);
    const off = await api(tenant, 'PATCH', `/api/webhooks/${switchedOff.id}`, { active: false });
    assert.equal(off.json().active, false);
    assert.equal(off.json().disabledReason, null, 'switched off by staff, not disabled by failures');
    await createPatient(tenant);
    await runAt(new Date());
    assert.equal(rx.received.length, 0);
    for (const id of [invoicesOnly.id, inactive.id, switchedOff.id]) assert.deepEqual(await deliveries(tenant, id), []);

    // Switched off after an event was queued: the delivery ends without an attempt.
    const on = await subscribe(tenant, rx.url, ['patient.created']);
    await createPatient(tenant);
    await api(tenant, 'PATCH', `/api/webhooks/${on.id}`, { active: false });
    await runAt(new Date());
    assert.equal(rx.received.length, 0);
    const [d] = await deliveries(tenant, on.id);
    assert.equal(d.status, 'exhausted');
    assert.equal(d.attemptCount, 0);
    assert.match(d.lastError, /inactive/);
  });

  test('invoice.issued once per issue (idempotent replay sends nothing); invoice.paid once, when a payment settles it', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['invoice.issued', 'invoice.paid']);
    const patientId = await createPatient(tenant);
    const draft = await api(tenant, 'POST', '/api/invoices', { patientId, lines: [{ description: 'Consultation', category: 'medical_service', unitPrice: 5000, quantity: '1' }] });
    assert.equal(draft.statusCode, 201, draft.body);
    const id = draft.json().id;
    const issued = await api(tenant, 'POST', `/api/invoices/${id}/issue`, undefined, { 'idempotency-key': 'issue-once' });
    assert.equal(issued.statusCode, 200, issued.body);
    const replay = await api(tenant, 'POST', `/api/invoices/${id}/issue`, undefined, { 'idempotency-key': 'issue-once' });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const total = issued.json().document.total as number;
    assert.equal((await api(tenant, 'POST', `/api/invoices/${id}/payments`, { method: 'card', amount: total - 1000 })).statusCode, 201);
    const settle = await api(tenant, 'POST', `/api/invoices/${id}/payments`, { method: 'cash', amount: 1000 });
    assert.equal(settle.statusCode, 201, settle.body);
    await runAt(new Date());
    const events = rx.received.map((r) => JSON.parse(r.body));
    assert.deepEqual(events.map((e) => e.type), ['invoice.issued', 'invoice.paid']);
    assert.deepEqual(events[0].data, {
      id,
      patientId,
      number: issued.json().number,
      issueDate: issued.json().issueDate,
      currency: issued.json().currency,
      total,
    });
    assert.equal(events[1].data.id, id);
    assert.equal(events[1].data.paymentId, settle.json().id);
    assert.equal(events[1].data.total, total);
    assert.equal(events[1].data.paidOn, settle.json().receivedOn);
    assert.equal((await deliveries(tenant, hook.id)).length, 2);
  });

  test('webhook.test reaches only that endpoint, also when inactive, with one attempt', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['invoice.paid'], { active: false });
    const bystander = await subscribe(tenant, rx.url, ['invoice.paid']);
    const ping = await api(tenant, 'POST', `/api/webhooks/${hook.id}/test`);
    assert.equal(ping.statusCode, 202, ping.body);
    assert.equal(ping.json().eventType, 'webhook.test');
    assert.equal(ping.json().status, 'pending');
    await runAt(new Date());
    assert.equal(rx.received.length, 1);
    const body = JSON.parse(rx.received[0]!.body);
    assert.equal(body.type, 'webhook.test');
    assert.equal(body.data.endpointId, hook.id);
    assert.ok(verifySignature(hook.secret, rx.received[0]!));
    assert.deepEqual(await deliveries(tenant, bystander.id), []);

    rx.script(500);
    await api(tenant, 'POST', `/api/webhooks/${hook.id}/test`);
    await runAt(new Date());
    const [failed] = await deliveries(tenant, hook.id);
    assert.equal(failed.status, 'exhausted', 'a test event is tried once');
    assert.equal((await endpoint(tenant, hook.id)).consecutiveFailures, 0, 'and never counts against the endpoint');
  });

  test('the delivery log pages newest first with a cursor and filters by status', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    for (let i = 0; i < 3; i++) await api(tenant, 'POST', `/api/webhooks/${hook.id}/test`);
    const page1 = await api(tenant, 'GET', `/api/webhooks/${hook.id}/deliveries?limit=2`);
    assert.equal(page1.json().items.length, 2);
    assert.ok(page1.json().nextCursor);
    const page2 = await api(tenant, 'GET', `/api/webhooks/${hook.id}/deliveries?limit=2&cursor=${page1.json().nextCursor}`);
    assert.equal(page2.json().items.length, 1);
    assert.equal(page2.json().nextCursor, null);
    const ids = [...page1.json().items, ...page2.json().items].map((d: any) => d.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
    assert.equal(new Set(ids).size, 3);
    // Whatever state the deliveries are in (another test process sharing a PostgreSQL database may
    // have run them), each status filter returns exactly the deliveries in that status.
    let seen = 0;
    for (const status of ['pending', 'failed', 'exhausted', 'succeeded']) {
      const items = await deliveries(tenant, hook.id, `?status=${status}`);
      assert.ok(items.every((d) => d.status === status), status);
      seen += items.length;
    }
    assert.equal(seen, 3);
    const bad = await api(tenant, 'GET', `/api/webhooks/${hook.id}/deliveries?cursor=nope`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'invalid_cursor');
  });
});

describe('endpoint management', () => {
  test('validation: unknown events name events[i], bad URLs name url', async () => {
    const tenant = await webhookPractice('pooled');
    const unknown = await api(tenant, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/x', events: ['patient.created', 'patient.deleted'] });
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(unknown.json().errors.map((e: any) => e.field), ['events[1]']);
    for (const [url, why] of [
      ['not a url', /absolute http/],
      ['ftp://127.0.0.1/x', /http or https/],
      ['http://user:pw@127.0.0.1/x', /credentials/],
      ['http://no-such-host.invalid/x', /does not resolve/],
    ] as const) {
      const res = await api(tenant, 'POST', '/api/webhooks', { url, events: ['patient.created'] });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().errors[0].field, 'url');
      assert.match(res.json().errors[0].message, why);
    }
    const empty = await api(tenant, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/x', events: [] });
    assert.equal(empty.statusCode, 400);
    const hook = await subscribe(tenant, 'http://127.0.0.1:9/x', ['patient.created']);
    const patchUnknown = await api(tenant, 'PATCH', `/api/webhooks/${hook.id}`, { events: ['invoice.paid', 'nope'] });
    assert.deepEqual(patchUnknown.json().errors.map((e: any) => e.field), ['events[1]']);
    assert.equal((await api(tenant, 'PATCH', `/api/webhooks/${hook.id}`, {})).statusCode, 400);
    const changed = await api(tenant, 'PATCH', `/api/webhooks/${hook.id}`, { url: 'http://127.0.0.1:10/y', events: ['invoice.paid'], description: 'Accounting' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual([changed.json().url, changed.json().events, changed.json().description], ['http://127.0.0.1:10/y', ['invoice.paid'], 'Accounting']);
    assert.equal((await api(tenant, 'PATCH', `/api/webhooks/${hook.id}`, { description: null })).json().description, null);
    const list = await api(tenant, 'GET', '/api/webhooks');
    assert.deepEqual(list.json().items.map((e: any) => e.id), [hook.id]);
    const deleted = await api(tenant, 'DELETE', `/api/webhooks/${hook.id}`);
    assert.equal(deleted.statusCode, 204);
    assert.equal((await api(tenant, 'GET', `/api/webhooks/${hook.id}`)).statusCode, 404);
    assert.equal((await api(tenant, 'DELETE', `/api/webhooks/${hook.id}`)).statusCode, 404);
    const audit = await auditActions(tenant);
    assert.deepEqual(audit.map((a) => a.action), ['webhook.create', 'webhook.update', 'webhook.update', 'webhook.delete']);
    assert.equal(audit[0]!.details.host, '127.0.0.1:9');
    assert.ok(!JSON.stringify(audit).includes('/x'), 'audit keeps the host, not the path');
  });

  test('a deleted endpoint takes its deliveries along; queued attempts stop', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const hook = await subscribe(tenant, rx.url, ['patient.created']);
    await createPatient(tenant);
    assert.equal((await api(tenant, 'DELETE', `/api/webhooks/${hook.id}`)).statusCode, 204);
    await runAt(new Date());
    assert.equal(rx.received.length, 0);
    const ref = await tenantRef(t, tenant.slug);
    const left = await withTenant(t.services.db, ref, (tx) => tx.query('select 1 from webhook_deliveries where tenant_id = $1', [tx.tenantId]));
    assert.equal(left.rowCount, 0);
  });

  test('at most 20 endpoints per practice', async () => {
    const tenant = await webhookPractice('pooled');
    for (let i = 0; i < 20; i++) await subscribe(tenant, `http://127.0.0.1:9/${i}`, ['patient.created']);
    const over = await api(tenant, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/21', events: ['patient.created'] });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().code, 'webhook_limit_reached');
  });

  test('only settings:manage may see or change webhooks', async () => {
    const tenant = await webhookPractice('pooled');
    const email = `desk@${tenant.slug}.test`;
    const staff = await api(tenant, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] });
    assert.equal(staff.statusCode, 201, staff.body);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
    const token = login.json().accessToken as string;
    for (const [method, url] of [['GET', '/api/webhooks'], ['POST', '/api/webhooks']] as const) {
      const res = await t.api(tenant, token, { method, url, ...(method === 'POST' ? { payload: { url: 'http://127.0.0.1:9/', events: ['patient.created'] } } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.equal(res.json().code, 'permission_denied');
    }
  });
});

describe('SSRF: private addresses', () => {
  test('public and private addresses are told apart', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1']) assert.equal(isPublicAddress(a), true, a);
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', 'ff02::1', '::127.0.0.1', '::7f00:1', '::a9fe:a9fe', '::ffff:0:7f00:1', '::ffff:0:a00:1', 'localhost', '']) {
      assert.equal(isPublicAddress(a), false, a);
    }
  });

  test('with the flag off, loopback, private and link-local URLs are refused when saved', async () => {
    const strict = await startTestApp({ webhookAllowPrivate: false });
    try {
      const tenant = await strict.createTenant('pooled');
      await setPlan(strict, tenant, 'professional');
      for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost/hooks', 'http://[::1]/hooks', 'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.5/in', 'https://192.168.1.20/in', 'http://0x7f.0.0.1/in', 'http://2130706433/in', 'http://[::ffff:127.0.0.1]/in']) {
        const res = await strict.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/webhooks', payload: { url, events: ['patient.created'] } });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().errors[0].field, 'url');
        assert.match(res.json().errors[0].message, /loopback, private or link-local/, url);
      }
    } finally {
      await strict.close();
    }
  });

  test('the address is checked again at delivery (DNS may have changed since the URL was saved)', async () => {
    const rx = await receiver();
    const tenant = await webhookPractice('pooled');
    const byName = await subscribe(tenant, `http://localhost:${rx.port}/hooks`, ['patient.created']);
    const byAddress = await subscribe(tenant, rx.url, ['patient.created']);
    await runAt(new Date());
    await createPatient(tenant);
    // A process configured without the flag runs this practice's queued jobs (only these: a runner
    // would also claim other test files' jobs when they share a PostgreSQL database).
    const strict = webhookDeliveryHandler({ db: t.services.db, secrets: t.services.secrets, allowPrivate: false, timeoutMs: 1000 });
    const ref = await tenantRef(t, tenant.slug);
    const queued = await asPlatform(t.services.db, (tx) =>
      tx.query<{ id: string; payload: Record<string, unknown> }>(`select id, payload from jobs where tenant_id = $1 and kind = $2 and status = 'queued'`, [ref.id, WEBHOOK_DELIVER_JOB]),
    );
    assert.equal(queued.rows.length, 2);
    const now = new Date();
    for (const job of queued.rows) await strict({ id: job.id, kind: WEBHOOK_DELIVER_JOB, payload: job.payload, attempts: 1, tenant: ref, now });
    assert.equal(rx.received.length, 0, 'nothing reached the private address');
    const [named] = await deliveries(tenant, byName.id);
    assert.equal(named.status, 'failed');
    assert.match(named.lastError, /localhost resolves to .*loopback, private or link-local address; refused/);
    const [literal] = await deliveries(tenant, byAddress.id);
    assert.match(literal.lastError, /127\.0\.0\.1 is a loopback, private or link-local address; refused/);
    // The schedule goes on: once allowed, the retry is delivered.
    await runAt(new Date(now.getTime() + 60 * SECOND));
    assert.equal(rx.received.length, 2);
  });
});
