// Cross-tenant cases for the intake form routes (see the meta test in test/cross-tenant.test.ts).
// Another practice's form, version, patient or response answers 404 exactly like a missing one;
// form keys are per practice; lists and imports see nothing of the other practice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { CONSENT, intakeForm } from './support/forms-kit.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  formId: string;
  /** A key only this practice uses. */
  ownKey: string;
  responseId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

const ANSWERS = { phone: '212 555 0100', smoker: false, privacy: CONSENT };

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p = { tenant } as Practice;
  const patient = await as(p, 'POST', '/api/patients', { firstName: 'Secret', lastName: tenant.slug, dateOfBirth: '1970-01-01' });
  assert.equal(patient.statusCode, 201, patient.body);
  p.patientId = patient.json().id;
  // Every practice has an 'intake' form, titled after itself, and one key of its own.
  const form = await as(p, 'POST', '/api/forms', { ...intakeForm('intake'), title: `Secret ${tenant.slug}` });
  assert.equal(form.statusCode, 201, form.body);
  p.formId = form.json().id;
  p.ownKey = `only-${tenant.slug}`;
  assert.equal((await as(p, 'POST', '/api/forms', { ...intakeForm(p.ownKey), title: `Own ${tenant.slug}` })).statusCode, 201);
  const response = await as(p, 'POST', `/api/patients/${p.patientId}/form-responses`, { formId: p.formId, answers: ANSWERS });
  assert.equal(response.statusCode, 201, response.body);
  p.responseId = response.json().id;
  assert.equal((await as(p, 'POST', `/api/forms/${p.formId}/links`, { patientId: p.patientId })).statusCode, 201);
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => {
    const out: Record<string, unknown[]> = {};
    for (const table of ['forms', 'form_versions', 'form_links', 'form_responses', 'patients']) {
      out[table] = (await tx.query(`select * from ${table} where tenant_id = $1 order by id`, [tx.tenantId])).rows;
    }
    return out;
  });
}

const { key: _key, ...DEFINITION } = intakeForm();

const COVERAGE: Record<string, Case> = {
  'POST /api/forms': async (attacker, victim) => {
    // The victim's own key is free in the attacker's practice.
    const res = await as(attacker, 'POST', '/api/forms', { ...intakeForm(victim.ownKey), title: 'Mine' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().key, victim.ownKey);
  },
  'GET /api/forms': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/forms?status=all&limit=200');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().items.length >= 2);
    // (Keys may coincide: the POST case above borrowed the victim's key on purpose.)
    assert.ok(!res.body.includes(victim.formId) && !res.body.includes(`Secret ${victim.tenant.slug}`) && !res.body.includes(`Own ${victim.tenant.slug}`), res.body);
  },
  'GET /api/forms/{id}': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/forms/${victim.formId}`), await as(attacker, 'GET', `/api/forms/${NOWHERE}`));
  },
  'PUT /api/forms/{id}': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'PUT', `/api/forms/${victim.formId}`, DEFINITION), await as(attacker, 'PUT', `/api/forms/${NOWHERE}`, DEFINITION));
  },
  'POST /api/forms/{id}/archive': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'POST', `/api/forms/${victim.formId}/archive`), await as(attacker, 'POST', `/api/forms/${NOWHERE}/archive`));
  },
  'GET /api/forms/{id}/versions/{version}': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/forms/${victim.formId}/versions/1`), await as(attacker, 'GET', `/api/forms/${NOWHERE}/versions/1`));
  },
  'GET /api/forms/{id}/versions/{version}/fhir': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/forms/${victim.formId}/versions/1/fhir`), await as(attacker, 'GET', `/api/forms/${NOWHERE}/versions/1/fhir`));
  },
  'POST /api/forms/import/fhir': async (attacker, victim) => {
    // A Questionnaire carrying the victim's own key: the key is free here, so it is used as is.
    const q = (await as(attacker, 'GET', `/api/forms/${attacker.formId}/versions/1/fhir`)).json();
    q.identifier = [{ system: 'https://healthtrack.dev/fhir/form-key', value: `${victim.ownKey}-fhir` }];
    const res = await as(attacker, 'POST', '/api/forms/import/fhir', q);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().key, `${victim.ownKey}-fhir`);
    const own = await as(attacker, 'POST', '/api/forms/import/fhir', { ...q, identifier: [{ system: 'https://healthtrack.dev/fhir/form-key', value: 'intake' }] });
    assert.equal(own.json().key, 'intake-2', 'only the own practice’s keys count');
  },
  'POST /api/forms/{id}/links': async (attacker, victim) => {
    assertLikeMissing(
      await as(attacker, 'POST', `/api/forms/${victim.formId}/links`, { patientId: attacker.patientId }),
      await as(attacker, 'POST', `/api/forms/${NOWHERE}/links`, { patientId: attacker.patientId }),
    );
    assertLikeMissing(
      await as(attacker, 'POST', `/api/forms/${attacker.formId}/links`, { patientId: victim.patientId, sendEmail: true }),
      await as(attacker, 'POST', `/api/forms/${attacker.formId}/links`, { patientId: NOWHERE, sendEmail: true }),
    );
  },
  'POST /api/patients/{id}/form-responses': async (attacker, victim) => {
    assertLikeMissing(
      await as(attacker, 'POST', `/api/patients/${victim.patientId}/form-responses`, { formId: attacker.formId, answers: ANSWERS }),
      await as(attacker, 'POST', `/api/patients/${NOWHERE}/form-responses`, { formId: attacker.formId, answers: ANSWERS }),
    );
    assertLikeMissing(
      await as(attacker, 'POST', `/api/patients/${attacker.patientId}/form-responses`, { formId: victim.formId, answers: ANSWERS }),
      await as(attacker, 'POST', `/api/patients/${attacker.patientId}/form-responses`, { formId: NOWHERE, answers: ANSWERS }),
    );
  },
  'GET /api/patients/{id}/form-responses': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/patients/${victim.patientId}/form-responses`), await as(attacker, 'GET', `/api/patients/${NOWHERE}/form-responses`));
    const own = await as(attacker, 'GET', `/api/patients/${attacker.patientId}/form-responses?formId=${victim.formId}`);
    assert.deepEqual(own.json().items, []);
    const all = await as(attacker, 'GET', `/api/patients/${attacker.patientId}/form-responses`);
    assert.ok(all.json().items.length >= 1 && !all.body.includes(victim.responseId));
  },
  'GET /api/form-responses/{id}': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'GET', `/api/form-responses/${victim.responseId}`), await as(attacker, 'GET', `/api/form-responses/${NOWHERE}`));
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: form routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's forms`);
    }
  });
}
