// Cross-tenant cases for message templates and the outbox (see the meta test in test/cross-tenant.test.ts):
// a practice never sees, renders, changes or reverts another's templates, and never reads its emails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  /** Written into its template and its email, so any leak shows up in a response body. */
  marker: string;
  messageId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const marker = `SECRET-${tenant.slug}`;
  const p: Practice = { tenant, marker, messageId: uuidv7() };
  const saved = await as(p, 'PUT', '/api/templates/appointment_reminder', {
    subject: `${marker} {{ appointment.type }}`,
    bodyHtml: `<p>${marker}</p>`,
    bodyText: `${marker} {{ patient.firstName }}`,
  });
  assert.equal(saved.statusCode, 200, saved.body);
  const ref = await tenantRef(t, tenant.slug);
  await withTenant(t.services.db, ref, (tx) =>
    tx.query(
      `insert into email_outbox (tenant_id, id, message_key, to_address, subject, body_text, body_html, template_kind, status)
       values ($1, $2, $3, 'patient@example.test', $4, $4, $4, 'appointment_reminder', 'kept')`,
      [tx.tenantId, p.messageId, `k-${marker}`, marker],
    ),
  );
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    templates: (await tx.query('select id, kind, version, is_default, subject from message_templates where tenant_id = $1 order by id', [tx.tenantId])).rows,
    outbox: (await tx.query('select id, subject, status from email_outbox where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

const noLeak = (body: string, victim: Practice, route: string) => {
  assert.ok(!body.includes(victim.marker), `${route} leaked the other practice's content`);
  assert.ok(!body.includes(victim.messageId), `${route} leaked the other practice's ids`);
};

const COVERAGE: Record<string, Case> = {
  'GET /api/templates': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/templates');
    assert.equal(res.statusCode, 200, res.body);
    const reminder = res.json().items.find((i: { kind: string }) => i.kind === 'appointment_reminder');
    assert.equal(reminder.version, 1, 'only its own single save counts');
    noLeak(res.body, victim, 'GET /api/templates');
  },
  'GET /api/templates/{kind}': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/templates/appointment_reminder');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().inForce.subject.includes(attacker.marker));
    noLeak(res.body, victim, 'GET /api/templates/{kind}');
  },
  'PUT /api/templates/{kind}': async (attacker, victim) => {
    const res = await as(attacker, 'PUT', '/api/templates/appointment_cancellation', { subject: 'Mine', bodyHtml: '', bodyText: 'Mine {{ patient.firstName }}' });
    assert.equal(res.statusCode, 200, res.body);
    const theirs = await as(victim, 'GET', '/api/templates/appointment_cancellation');
    assert.equal(theirs.json().overridden, false, "saving changed only the attacker's own template");
    await as(attacker, 'DELETE', '/api/templates/appointment_cancellation');
  },
  'DELETE /api/templates/{kind}': async (attacker, victim) => {
    // Reverting its own reminder (which it has overridden too) leaves the victim's in force.
    const copy = await as(attacker, 'PUT', '/api/templates/appointment_confirmation', { subject: 'x', bodyHtml: '', bodyText: 'x' });
    assert.equal(copy.statusCode, 200, copy.body);
    assert.equal((await as(attacker, 'DELETE', '/api/templates/appointment_reminder')).statusCode, 204);
    assert.equal((await as(victim, 'GET', '/api/templates/appointment_reminder')).json().overridden, true);
    // Put the attacker back as it was for the cases that follow.
    await as(attacker, 'PUT', '/api/templates/appointment_reminder', { subject: `${attacker.marker} {{ appointment.type }}`, bodyHtml: `<p>${attacker.marker}</p>`, bodyText: `${attacker.marker} {{ patient.firstName }}` });
    await as(attacker, 'DELETE', '/api/templates/appointment_confirmation');
  },
  'GET /api/templates/{kind}/versions': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/templates/appointment_reminder/versions?limit=100');
    assert.equal(res.statusCode, 200, res.body);
    noLeak(res.body, victim, 'GET /api/templates/{kind}/versions');
    const none = await as(attacker, 'GET', '/api/templates/invoice/versions');
    assert.deepEqual(none.json().items, []);
  },
  'POST /api/templates/{kind}/preview': async (attacker, victim) => {
    const res = await as(attacker, 'POST', '/api/templates/appointment_reminder/preview', {});
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().text.includes(attacker.marker), 'renders its own template');
    noLeak(res.body, victim, 'POST /api/templates/{kind}/preview');
  },
  'GET /api/outbox': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/outbox?limit=200');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().items.some((m: { id: string }) => m.id === attacker.messageId));
    noLeak(res.body, victim, 'GET /api/outbox');
  },
  'GET /api/outbox/{id}': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/outbox/${victim.messageId}`), await as(attacker, 'GET', `/api/outbox/${NOWHERE}`));
    const own = await as(attacker, 'GET', `/api/outbox/${attacker.messageId}`);
    assert.equal(own.statusCode, 200, own.body);
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: template and outbox routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's templates or outbox`);
    }
    // With the victim's practice named but the attacker's token: refused before any handler runs.
    for (const url of ['/api/templates', `/api/outbox/${victim.messageId}`]) {
      const res = await t.api(victim.tenant, attacker.tenant.adminToken, { method: 'GET', url });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().code, 'token_tenant_mismatch');
    }
  });
}
