/**
 * U+0000 in client text: PostgreSQL refuses it in text and jsonb, so it must answer 400 naming the
 * field (before any statement), never 500 — on the public form link a patient submits without a
 * login as on staff routes, in bodies, query strings and cursors. The link stays usable.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { addPatient, CONSENT, createForm, intakeForm, staffCall } from './support/forms-kit.ts';
import { findNul } from '../src/http/plugins/nul-guard.ts';

let t: TestApp;
let tenant: TestTenant;

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
});
after(async () => {
  await t.close();
});

function assertNulRefused(res: LightMyRequestResponse, field: string): void {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, 'validation_failed');
  assert.deepEqual(res.json().errors.map((e: { field: string }) => e.field), [field]);
}

test('findNul names the first value or key holding U+0000 and ignores binary bodies', () => {
  assert.equal(findNul({ a: ['x', { b: 'y\u0000' }] }, ''), 'a[1].b');
  assert.equal(findNul({ ['k\u0000']: 1 }, ''), 'k\u0000');
  assert.equal(findNul({ a: 'fine', n: 1, z: null }, ''), null);
  assert.equal(findNul(Buffer.from([0x89, 0x00, 0x00]), ''), null);
});

test('a public form submission with a NUL answers 400 naming the answer, and the link still works', async () => {
  const patient = await addPatient(t, tenant);
  const form = await createForm(t, tenant, intakeForm('nul-link'));
  const link = await staffCall(t, tenant, 'POST', `/api/forms/${form.id}/links`, { patientId: patient.id });
  assert.equal(link.statusCode, 201, link.body);
  // The link opens the patient's page /p/{slug}/forms/{token}; its API is /public/forms/{slug}/{token}.
  const path = new URL(link.json().url).pathname.replace(/^\/p\/([^/]+)\/forms\//, '/public/forms/$1/');
  const answers = { phone: '212 555 0100', smoker: false, privacy: CONSENT };
  assertNulRefused(await t.app.inject({ method: 'POST', url: path, payload: { answers: { ...answers, otherAllergies: 'latex\u0000' } } }), 'answers.otherAllergies');
  assertNulRefused(
    await t.app.inject({ method: 'POST', url: path, payload: { answers: { ...answers, privacy: { agreed: true, signatureName: 'Nora\u0000' } } } }),
    'answers.privacy.signatureName',
  );
  const ok = await t.app.inject({ method: 'POST', url: path, payload: { answers } });
  assert.equal(ok.statusCode, 201, ok.body);
});

test('staff routes: bodies, search terms and cursors with a NUL answer 400', async () => {
  const patient = await addPatient(t, tenant);
  const form = await createForm(t, tenant, intakeForm('nul-staff'));
  assertNulRefused(await staffCall(t, tenant, 'POST', '/api/forms', { ...intakeForm('nul-title'), title: 'Intake\u0000' }), 'title');
  assertNulRefused(
    await staffCall(t, tenant, 'POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { phone: '212 555 0100', smoker: false, privacy: CONSENT, otherAllergies: 'x\u0000' } }),
    'answers.otherAllergies',
  );
  assertNulRefused(await staffCall(t, tenant, 'POST', '/api/patients', { firstName: 'A\u0000', lastName: 'B', dateOfBirth: '1980-01-01' }), 'firstName');
  assertNulRefused(await staffCall(t, tenant, 'GET', '/api/patients?q=ab%00c'), 'q');
  const cursor = Buffer.from(JSON.stringify(['a\u0000', '01a21c38-70f8-70d8-8fdf-cc76015509ca'])).toString('base64url');
  // The cursor is opaque base64 (no NUL on the wire); its decoded title must not reach the database.
  const res = await staffCall(t, tenant, 'GET', `/api/forms?cursor=${cursor}`);
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, 'invalid_cursor');
});

test('dates and instants in the year 0000 (valid by format, impossible for PostgreSQL) answer 400 naming the field', async () => {
  for (const [url, field] of [
    ['/api/appointments?from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z', 'from'],
    ['/api/billing/ar-aging?asOf=0000-01-01', 'asOf'],
  ] as const) {
    const res = await staffCall(t, tenant, 'GET', url);
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.equal(res.json().code, 'validation_failed');
    assert.equal(res.json().errors[0].field, field);
  }
  const born = await staffCall(t, tenant, 'POST', '/api/patients', { firstName: 'Zero', lastName: 'Year', dateOfBirth: '0000-06-01' });
  assert.equal(born.statusCode, 400, born.body);
  assert.equal(born.json().errors[0].field, 'dateOfBirth');
  // Free text that merely starts like a date is not a date.
  const note = await staffCall(t, tenant, 'POST', '/api/patients', { firstName: 'Free', lastName: 'Text', dateOfBirth: '1980-06-01', preferredName: '0000-12-31 Jo' });
  assert.equal(note.statusCode, 201, note.body);
  assert.equal(note.json().preferredName, '0000-12-31 Jo');
});

test('dates in the year 9999 (a day later has no ISO form PostgreSQL reads) answer 400 naming the field', async () => {
  for (const [url, field] of [
    ['/api/appointments?from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z', 'from'],
    ['/api/billing/ar-aging?asOf=9999-12-31', 'asOf'],
    ['/api/scheduling/slots?typeId=01900000-0000-7000-8000-000000000001&locationId=01900000-0000-7000-8000-000000000002&from=9999-12-31&to=9999-12-31', 'from'],
  ] as const) {
    const res = await staffCall(t, tenant, 'GET', url);
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.equal(res.json().errors[0].field, field);
  }
  // The year before is fine.
  const late = await staffCall(t, tenant, 'GET', '/api/billing/ar-aging?asOf=9998-12-31');
  assert.equal(late.statusCode, 200, late.body);
});
