// Cross-tenant cases for the branding and invoice document routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { makeJpeg, makePng } from './support/images.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  name: string;
  logo: Buffer;
  invoiceId: string;
  draftId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object | Buffer, headers: Record<string, string> = {}) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, headers, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  // Each practice's logo is its own (random colour or grey), so a leak would show as the wrong bytes.
  const [r, g, b] = randomBytes(3);
  const logo = tier === 'pooled' ? makePng(40, 20, [r!, g!, b!]) : makeJpeg(24, 16, 20 + (r! % 200));
  const p: Practice = { tenant, name: `Secret Clinic ${tenant.slug}`, logo, invoiceId: '', draftId: '' };
  assert.equal((await as(p, 'PUT', '/api/branding', { displayName: p.name, primaryColor: '#123456', phone: '555 010 0199' })).statusCode, 200);
  const uploaded = await as(p, 'PUT', '/api/branding/logo', p.logo, { 'content-type': tier === 'pooled' ? 'image/png' : 'image/jpeg' });
  assert.equal(uploaded.statusCode, 200, uploaded.body);
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01' });
  assert.equal(patient.statusCode, 201, patient.body);
  const lines = [{ description: `Secret line ${tenant.slug}`, category: 'medical_service', unitPrice: 4242, quantity: '1' }];
  const inv = await as(p, 'POST', '/api/invoices', { patientId: patient.json().id, lines });
  assert.equal(inv.statusCode, 201, inv.body);
  p.invoiceId = inv.json().id;
  assert.equal((await as(p, 'POST', `/api/invoices/${p.invoiceId}/issue`)).statusCode, 200);
  p.draftId = (await as(p, 'POST', '/api/invoices', { patientId: patient.json().id, lines })).json().id;
  return p;
}

async function pdfText(bytes: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const parts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    parts.push(...content.items.map((i) => ('str' in i ? i.str : '')));
  }
  await doc.destroy();
  return parts.join('\n');
}

/** The victim's branding row (logo bytes included), invoices and audit trail, read straight from its tables. */
async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    branding: (await tx.query('select * from practice_branding where tenant_id = $1', [tx.tenantId])).rows,
    invoices: (await tx.query('select id, status, number from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    audit: (await tx.query('select id from audit_events where tenant_id = $1 order by id', [tx.tenantId])).rows,
  }));
}

const COVERAGE: Record<string, Case> = {
  'GET /api/branding': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/branding');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().displayName, attacker.name);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'PUT /api/branding': async (attacker, victim) => {
    const res = await as(attacker, 'PUT', '/api/branding', { displayName: attacker.name, primaryColor: '#654321' });
    assert.equal(res.statusCode, 200, res.body);
    // The body cannot name another practice.
    const smuggled = await as(attacker, 'PUT', '/api/branding', { displayName: 'Hacked', tenantId: victim.tenant.id });
    assert.equal(smuggled.statusCode, 400, smuggled.body);
    assert.equal((await as(victim, 'GET', '/api/branding')).json().displayName, victim.name);
  },
  'PUT /api/branding/logo': async (attacker, victim) => {
    const res = await as(attacker, 'PUT', '/api/branding/logo', attacker.logo, { 'content-type': attacker.tenant.tier === 'pooled' ? 'image/png' : 'image/jpeg' });
    assert.equal(res.statusCode, 200, res.body);
    const theirs = await as(victim, 'GET', '/api/branding/logo');
    assert.deepEqual(theirs.rawPayload, victim.logo);
  },
  'GET /api/branding/logo': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/branding/logo');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.rawPayload, attacker.logo);
    assert.notDeepEqual(res.rawPayload, victim.logo);
  },
  'DELETE /api/branding/logo': async (attacker, victim) => {
    assert.equal((await as(attacker, 'DELETE', '/api/branding/logo')).statusCode, 204);
    assert.equal((await as(attacker, 'GET', '/api/branding/logo')).statusCode, 404);
    assert.deepEqual((await as(victim, 'GET', '/api/branding/logo')).rawPayload, victim.logo);
    // Put the attacker's own logo back for the cases that follow.
    await COVERAGE['PUT /api/branding/logo']!(attacker, victim);
  },
  'PUT /api/branding/subdomain': async (attacker, victim) => {
    // The victim's subdomain is set by the operator: the control plane, not the victim's audit trail.
    const victimName = `v-${victim.tenant.slug}`;
    const op = await t.app.inject({
      method: 'PUT',
      url: `/platform/tenants/${victim.tenant.id}/subdomain`,
      headers: { authorization: `Bearer ${await t.operatorToken()}` },
      payload: { subdomain: victimName },
    });
    assert.equal(op.statusCode, 200, op.body);
    // The victim's names cannot be claimed, and the body cannot name another practice.
    for (const name of [victimName, victim.tenant.slug]) {
      const res = await as(attacker, 'PUT', '/api/branding/subdomain', { subdomain: name });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'subdomain_taken');
    }
    const smuggled = await as(attacker, 'PUT', '/api/branding/subdomain', { subdomain: null, tenantId: victim.tenant.id });
    assert.equal(smuggled.statusCode, 400, smuggled.body);
    // The attacker changing (and removing) its own subdomain leaves the victim's in place.
    assert.equal((await as(attacker, 'PUT', '/api/branding/subdomain', { subdomain: `a-${attacker.tenant.slug}` })).statusCode, 200);
    assert.equal((await as(attacker, 'PUT', '/api/branding/subdomain', { subdomain: null })).statusCode, 200);
    assert.equal((await as(victim, 'GET', '/api/branding')).json().subdomain, victimName);
    const viaName = await t.app.inject({ method: 'GET', url: '/api/me', headers: { host: `${victimName}.${t.config.baseHost}`, authorization: `Bearer ${victim.tenant.adminToken}` } });
    assert.equal(viaName.json().tenant.id, victim.tenant.id);
  },
  'GET /api/invoices/{id}/pdf': async (attacker, victim) => {
    for (const id of [victim.invoiceId, victim.draftId]) {
      assertLikeMissing(await as(attacker, 'GET', `/api/invoices/${id}/pdf`), await as(attacker, 'GET', `/api/invoices/${NOWHERE}/pdf`));
    }
    const own = await as(attacker, 'GET', `/api/invoices/${attacker.invoiceId}/pdf`);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.headers['content-type'], 'application/pdf');
    const text = await pdfText(own.rawPayload);
    assert.ok(text.includes(attacker.name) && text.includes(`Secret line ${attacker.tenant.slug}`), text);
    assert.ok(!text.includes(victim.tenant.slug), text);
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: branding and invoice documents reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      assert.equal(before.branding.length, 1);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's data`);
    }
    // The attacker's token naming the victim's practice is refused on every route.
    for (const route of Object.keys(COVERAGE)) {
      const [method, path] = route.split(' ') as ['GET', string];
      const res = await t.api(victim.tenant, attacker.tenant.adminToken, { method, url: path.replace('{id}', victim.invoiceId) });
      assert.equal(res.statusCode, 401, `${route}: ${res.body}`);
      assert.equal(res.json().code, 'token_tenant_mismatch');
    }
    // And the public face shows each practice its own.
    const pub = await t.app.inject({ method: 'GET', url: `/public/practices/${victim.tenant.slug}/branding` });
    assert.equal(pub.json().displayName, victim.name);
  });
}
