// Cross-tenant cases for the billing documents (see the meta test in test/cross-tenant.test.ts):
// another practice's patient has no statement PDF and another practice's invoice cannot be emailed
// (404, exactly like a missing id), and nothing is queued in either practice's outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  invoiceId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, headers, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p: Practice = { tenant, patientId: '', invoiceId: '' };
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01', email: `secret@${tenant.slug}.test` });
  assert.equal(patient.statusCode, 201, patient.body);
  p.patientId = patient.json().id;
  const draft = await as(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: `Secret ${tenant.slug}`, category: 'medical_service', unitPrice: 4242, quantity: '2' }] });
  assert.equal(draft.statusCode, 201, draft.body);
  p.invoiceId = draft.json().id;
  const issued = await as(p, 'POST', `/api/invoices/${p.invoiceId}/issue`);
  assert.equal(issued.statusCode, 200, issued.body);
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    outbox: (await tx.query('select id, to_address from email_outbox where tenant_id = $1 order by id', [tx.tenantId])).rows,
    invoices: (await tx.query('select id, status from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    audit: (await tx.query('select id from audit_events where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

async function outboxCount(p: Practice): Promise<number> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => (await tx.query('select id from email_outbox where tenant_id = $1', [tx.tenantId])).rows.length);
}

const STANDARD_FONTS = pathToFileURL(path.resolve('node_modules/pdfjs-dist/standard_fonts') + '/').href;

async function pdfText(bytes: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const parts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) parts.push(...(await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')));
  await doc.destroy();
  return parts.join('\n');
}

const COVERAGE: Record<string, Case> = {
  'GET /api/patients/{id}/statement.pdf': async (attacker, victim) => {
    assertLikeMissing(
      await as(attacker, 'GET', `/api/patients/${victim.patientId}/statement.pdf`),
      await as(attacker, 'GET', `/api/patients/${NOWHERE}/statement.pdf`),
    );
    assertLikeMissing(
      await as(attacker, 'GET', `/api/patients/${victim.patientId}/statement.pdf?from=2000-01-01`),
      await as(attacker, 'GET', `/api/patients/${NOWHERE}/statement.pdf?from=2000-01-01`),
    );
    const own = await as(attacker, 'GET', `/api/patients/${attacker.patientId}/statement.pdf?from=2000-01-01`);
    assert.equal(own.statusCode, 200, own.body);
    const text = await pdfText(own.rawPayload);
    assert.ok(text.includes(attacker.tenant.slug), 'the attacker’s own patient');
    assert.ok(!text.includes(victim.tenant.slug), 'nothing of the victim');
  },
  'POST /api/invoices/{id}/send': async (attacker, victim) => {
    const before = await outboxCount(attacker);
    assertLikeMissing(await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/send`), await as(attacker, 'POST', `/api/invoices/${NOWHERE}/send`));
    assertLikeMissing(
      await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/send`, { to: `thief@${attacker.tenant.slug}.test` }),
      await as(attacker, 'POST', `/api/invoices/${NOWHERE}/send`, { to: `thief@${attacker.tenant.slug}.test` }),
    );
    assertLikeMissing(
      await as(attacker, 'POST', `/api/invoices/${victim.invoiceId}/send`, {}, { 'idempotency-key': 'x-tenant-send' }),
      await as(attacker, 'POST', `/api/invoices/${NOWHERE}/send`, {}, { 'idempotency-key': 'x-tenant-send-2' }),
    );
    assert.equal(await outboxCount(attacker), before, 'nothing queued in the attacker’s outbox either');
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: billing documents reveal, send and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's data, outbox or audit trail`);
    }
    assert.equal(await outboxCount(victim), 0);
    // The route works for the victim itself: the invoice was sendable all along.
    const own = await as(victim, 'POST', `/api/invoices/${victim.invoiceId}/send`);
    assert.equal(own.statusCode, 202, own.body);
    assert.equal(await outboxCount(victim), 1);
  });
}
