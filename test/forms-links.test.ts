/**
 * Intake form links on the real HTTP stack: a staff member sends a form, the patient opens and
 * submits it without a login; the link is single-use, expires, pins its version, and belongs to
 * its practice only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { addPatient, assertFields, assertProblem, CONSENT, createForm, intakeForm, staffCall } from './support/forms-kit.ts';
import { setFeature } from './support/plan-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
  other = await t.createTenant('schema');
});
after(async () => {
  await t.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => staffCall(t, tenant, method, url, payload);
/** A patient's request: no token, no X-Tenant header. */
const publicCall = (method: 'GET' | 'POST', path: string, payload?: unknown) => t.app.inject({ method, url: path, ...(payload === undefined ? {} : { payload: payload as object }) });
/** The API path behind a link: the emailed URL opens the web page /p/{slug}/forms/{token}, which reads /public/forms/{slug}/{token}. */
const apiPathOf = (url: string) => new URL(url).pathname.replace(/^\/p\/([^/]+)\/forms\//, '/public/forms/$1/');

async function sendLink(formId: string, patientId: string, body: Record<string, unknown> = {}) {
  const res = await call('POST', `/api/forms/${formId}/links`, { patientId, ...body });
  assert.equal(res.statusCode, 201, res.body);
  const out = res.json() as { id: string; url: string; expiresAt: string; version: number; email: string };
  return { ...out, path: apiPathOf(out.url) };
}

const answers = { phone: '(646) 555-0142', smoker: true, packs: 1, privacy: CONSENT };

test('a patient opens and submits a link without logging in; the link works once', async () => {
  const patient = await addPatient(t, tenant, { email: 'nora@patients.test', phone: '212 555 0100' });
  const form = await createForm(t, tenant, intakeForm('link-flow'));
  const before = Date.now();
  const link = await sendLink(form.id, patient.id, { expiresInHours: 48, sendEmail: true });
  assert.match(new URL(link.url).pathname, new RegExp(`^/p/${tenant.slug}/forms/[A-Za-z0-9_-]{43}$`), "the link opens the patient's page; the token is 32 random bytes, base64url");
  assert.equal(link.email, 'queued');
  assert.equal(link.version, 1);
  const hours = (Date.parse(link.expiresAt) - before) / 3_600_000;
  assert.ok(hours > 47.9 && hours < 48.1, `expires in 48 h, got ${hours}`);

  // The email went to the outbox with the link; the token itself is stored only hashed.
  const ref = (await t.services.tenants.bySlug(tenant.slug))!;
  const stored = await withTenant(t.services.db, ref, async (tx) => ({
    email: (await tx.query<{ to_address: string; body_text: string }>(`select to_address, body_text from email_outbox where tenant_id = $1 and message_key = $2`, [tx.tenantId, `form-link:${link.id}`])).rows[0],
    link: (await tx.query<Record<string, unknown>>('select * from form_links where tenant_id = $1 and id = $2', [tx.tenantId, link.id])).rows[0]!,
  }));
  assert.equal(stored.email?.to_address, 'nora@patients.test');
  assert.ok(stored.email?.body_text.includes(link.url));
  const token = link.path.split('/').pop()!;
  assert.ok(!JSON.stringify(stored.link).includes(token), 'the token is not stored');

  // What the patient sees: the form, the practice, their first name, and nothing else of theirs.
  const view = await publicCall('GET', link.path);
  assert.equal(view.statusCode, 200, view.body);
  assert.equal(view.json().patientFirstName, 'Nora');
  assert.equal(view.json().practice, `Practice ${tenant.slug}`);
  assert.equal(view.json().form.title, 'New patient intake');
  for (const secret of [patient.lastName, '1987-04-02', 'nora@patients.test', '555 0100', patient.id]) assert.ok(!view.body.includes(secret), `no ${secret}`);

  // Invalid answers are refused and leave the link usable.
  assertFields(await publicCall('POST', link.path, { answers: { ...answers, packs: 99, phone: '' } }), ['answers.packs', 'answers.phone']);
  const submitted = await publicCall('POST', link.path, { answers });
  assert.equal(submitted.statusCode, 201, submitted.body);
  assert.deepEqual(Object.keys(submitted.json()).sort(), ['id', 'submittedAt']);

  // Used twice: refused, for viewing and submitting alike.
  assertProblem(await publicCall('POST', link.path, { answers }), 409, 'form_link_used');
  assertProblem(await publicCall('GET', link.path), 409, 'form_link_used');

  // Staff see the response, marked as submitted through the link, applied to the record.
  const response = await call('GET', `/api/form-responses/${submitted.json().id}`);
  assert.equal(response.json().submittedVia, 'link');
  assert.equal(response.json().submittedBy, null);
  assert.equal(response.json().linkId, link.id);
  assert.equal((await call('GET', `/api/patients/${patient.id}`)).json().phone, '(646) 555-0142');
  const audit = await call('GET', `/api/audit-events?resourceId=${submitted.json().id}&action=form_response.submit`);
  assert.deepEqual(audit.json().items[0].actor, { type: 'patient', id: patient.id });
});

test('an expired link answers 410; an unknown token or another practice’s slug 404', async () => {
  const patient = await addPatient(t, tenant);
  const form = await createForm(t, tenant, intakeForm('link-expiry'));
  const link = await sendLink(form.id, patient.id, { expiresInHours: 1 });
  assert.equal(link.email, 'not_requested');
  const token = link.path.split('/').pop()!;

  // Another practice's slug with my token: nothing there.
  assertProblem(await publicCall('GET', `/public/forms/${other.slug}/${token}`), 404, 'not_found');
  assertProblem(await publicCall('POST', `/public/forms/${other.slug}/${token}`, { answers }), 404, 'not_found');
  assertProblem(await publicCall('GET', `/public/forms/${tenant.slug}/${token.slice(0, -2)}xx`), 404, 'not_found');
  assertProblem(await publicCall('GET', `/public/forms/no-such-practice/${token}`), 404, 'not_found');

  // Time passes: the link's hour is over.
  const ref = (await t.services.tenants.bySlug(tenant.slug))!;
  await withTenant(t.services.db, ref, (tx) => tx.query(`update form_links set expires_at = now() - interval '1 second' where tenant_id = $1 and id = $2`, [tx.tenantId, link.id]));
  assertProblem(await publicCall('GET', link.path), 410, 'form_link_expired');
  assertProblem(await publicCall('POST', link.path, { answers }), 410, 'form_link_expired');
  const responses = await call('GET', `/api/patients/${patient.id}/form-responses`);
  assert.deepEqual(responses.json().items, []);
});

test('a link is pinned to the version it was sent with; archiving the form closes it', async () => {
  const patient = await addPatient(t, tenant);
  const form = await createForm(t, tenant, intakeForm('link-pinned'));
  const link = await sendLink(form.id, patient.id, { sendEmail: true });
  assert.equal(link.email, 'no_address', 'no email on file: nothing queued, the URL can still be handed over');
  const { key: _key, ...v2 } = intakeForm('link-pinned');
  (v2.sections as { fields: { id: string }[] }[])[1]!.fields.push({ id: 'alcohol', type: 'yes_no', label: 'Do you drink alcohol?', required: true } as never);
  assert.equal((await call('PUT', `/api/forms/${form.id}`, v2)).json().currentVersion, 2);
  const view = await publicCall('GET', link.path);
  assert.equal(view.json().version, 1);
  assert.ok(!view.body.includes('alcohol'));
  const submitted = await publicCall('POST', link.path, { answers });
  assert.equal(submitted.statusCode, 201, submitted.body);
  assert.equal((await call('GET', `/api/form-responses/${submitted.json().id}`)).json().version, 1);

  const second = await sendLink(form.id, patient.id);
  assert.equal(second.version, 2);
  await call('POST', `/api/forms/${form.id}/archive`);
  assertProblem(await publicCall('GET', second.path), 409, 'form_archived');
  assertProblem(await call('POST', `/api/forms/${form.id}/links`, { patientId: patient.id }), 409, 'form_archived');
});

test('link requests are checked: lifetime, patient, archived patient', async () => {
  const patient = await addPatient(t, tenant);
  const form = await createForm(t, tenant, intakeForm('link-input'));
  assertFields(await call('POST', `/api/forms/${form.id}/links`, { patientId: patient.id, expiresInHours: 24 * 31 }), ['expiresInHours']);
  assertProblem(await call('POST', `/api/forms/${form.id}/links`, { patientId: '01900000-0000-7000-8000-000000000000' }), 404, 'not_found');
  await call('POST', `/api/patients/${patient.id}/archive`);
  assertProblem(await call('POST', `/api/forms/${form.id}/links`, { patientId: patient.id }), 409, 'patient_archived');
});

test('a practice without the intake_forms feature: staff routes and its links answer 403', async () => {
  const practice = await t.createTenant('pooled');
  const patient = await addPatient(t, practice);
  const form = await createForm(t, practice, intakeForm('feature-gate'));
  const res = await staffCall(t, practice, 'POST', `/api/forms/${form.id}/links`, { patientId: patient.id });
  const path = apiPathOf(res.json().url);
  await setFeature(t, practice, 'intake_forms', false);
  assertProblem(await staffCall(t, practice, 'GET', '/api/forms'), 403, 'feature_not_in_plan');
  assertProblem(await staffCall(t, practice, 'POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers }), 403, 'feature_not_in_plan');
  assertProblem(await publicCall('GET', path), 403, 'feature_not_in_plan');
  await setFeature(t, practice, 'intake_forms', null);
  assert.equal((await publicCall('GET', path)).statusCode, 200);
});
