/**
 * Intake forms: definition validation with JSON paths, versioning, conditional and required
 * answers, validation rules, consent, mapping onto the patient, permissions. Links and FHIR are in
 * test/forms-links.test.ts and test/forms-fhir.test.ts.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { addPatient, assertFields, assertProblem, CONSENT, createForm, intakeForm, staffCall } from './support/forms-kit.ts';

let t: TestApp;
let tenant: TestTenant;
const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, headers?: Record<string, string>) => staffCall(t, tenant, method, url, payload, headers);

before(async () => {
  t = await startTestApp();
  tenant = await t.createTenant('pooled');
});
after(async () => {
  await t.close();
});

/** One-section form with the given fields. */
const formWith = (key: string, fields: unknown[]) => ({ key, title: `Form ${key}`, sections: [{ id: 'main', title: 'Main', fields }] });

describe('definition validation', () => {
  test('structural problems are named by JSON path', async () => {
    const res = await call('POST', '/api/forms', {
      key: 'Bad Key',
      title: 'Broken',
      sections: [
        {
          id: 'a',
          title: 'A',
          fields: [
            { id: 'name', type: 'text', colour: 'red' },
            { id: 'mood', type: 'emoji', label: 'Mood' },
          ],
        },
      ],
    });
    const messages = assertFields(res, ['key', 'sections[0].fields[0].colour', 'sections[0].fields[0].label', 'sections[0].fields[1].type']);
    assert.match(messages['sections[0].fields[1].type']!, /must be one of: text, long_text, number/);
    assert.equal(messages['sections[0].fields[0].colour'], 'is not a known field');
  });

  test('semantic problems: duplicates, options, visibleIf, mapsTo, unsafe patterns, bounds', async () => {
    const res = await call('POST', '/api/forms', {
      key: 'semantic',
      title: 'Broken',
      sections: [
        {
          id: 'first',
          title: 'First',
          fields: [
            { id: 'smoker', type: 'yes_no', label: 'Smoker?', visibleIf: { '==': [{ var: 'age' }, 3] } },
            { id: 'colour', type: 'single_choice', label: 'Colour' },
            { id: 'zip', type: 'text', label: 'Zip', validation: { pattern: '(a+)+$' } },
            { id: 'code', type: 'text', label: 'Code', validation: { pattern: '[unclosed' } },
            { id: 'age', type: 'number', label: 'Age', validation: { min: 10, max: 5, pattern: 'x' }, mapsTo: 'phone' },
          ],
        },
        {
          id: 'second',
          title: 'Second',
          fields: [
            { id: 'smoker', type: 'text', label: 'Again' },
            { id: 'when', type: 'date', label: 'When', validation: { max: 'tomorrow' }, visibleIf: { method: [{ var: 'smoker' }, 'toString'] } },
            { id: 'why', type: 'text', label: 'Why', visibleIf: { '==': [{ var: 'nowhere' }, 1] }, options: [{ value: 'a', label: 'A' }] },
            { id: 'sign', type: 'consent', label: 'Sign' },
            { id: 'street', type: 'text', label: 'Street', mapsTo: 'address.line1' },
          ],
        },
      ],
    });
    const m = assertFields(res, [
      'sections[0].fields[0].visibleIf',
      'sections[0].fields[1].options',
      'sections[0].fields[2].validation.pattern',
      'sections[0].fields[3].validation.pattern',
      'sections[0].fields[4].validation.min',
      'sections[0].fields[4].validation.pattern',
      'sections[0].fields[4].mapsTo',
      'sections[1].fields[0].id',
      'sections[1].fields[1].validation.max',
      'sections[1].fields[1].visibleIf',
      'sections[1].fields[2].visibleIf',
      'sections[1].fields[2].options',
      'sections[1].fields[3].consent',
      'sections[1].fields[4].mapsTo',
    ]);
    assert.match(m['sections[0].fields[0].visibleIf']!, /"age", which does not come before this field/);
    assert.match(m['sections[1].fields[2].visibleIf']!, /"nowhere", which is not a field/);
    assert.match(m['sections[1].fields[1].visibleIf']!, /operator "method", which is not allowed/);
    assert.match(m['sections[0].fields[2].validation.pattern']!, /exponential/);
    assert.match(m['sections[0].fields[3].validation.pattern']!, /not a valid regular expression/);
    assert.match(m['sections[0].fields[4].mapsTo']!, /phone takes a text field, not number/);
    assert.match(m['sections[1].fields[0].id']!, /duplicates the id "smoker" of sections\[0\]\.fields\[0\]\.id/);
    assert.match(m['sections[1].fields[4].mapsTo']!, /address\.city, address\.country must be mapped too/);
    const list = await call('GET', '/api/forms?status=all');
    assert.deepEqual(list.json().items, [], 'nothing was created');
  });

  test('more unsafe regex shapes are refused; ordinary ones pass', async () => {
    for (const pattern of ['(\\w+\\s?)*$', '(a|aa)+', '(x{1,3}){2,}', '(a)\\1', '((ab)*c)+']) {
      const res = await call('POST', '/api/forms', formWith('re-bad', [{ id: 'v', type: 'text', label: 'V', validation: { pattern } }]));
      assertFields(res, ['sections[0].fields[0].validation.pattern']);
    }
    const res = await call('POST', '/api/forms', formWith('re-ok', [
      { id: 'zip', type: 'text', label: 'Zip', validation: { pattern: '[0-9]{5}(-[0-9]{4})?' } },
      { id: 'ref', type: 'text', label: 'Ref', validation: { pattern: '[A-Z]{2}\\d+' } },
    ]));
    assert.equal(res.statusCode, 201, res.body);
  });

  test('a form has at most 500 fields in all', async () => {
    const sections = [0, 1, 2].map((s) => ({ id: `s${s}`, title: 'S', fields: Array.from({ length: 200 }, (_, f) => ({ id: `f${s}_${f}`, type: 'yes_no', label: 'Q' })) }));
    const m = assertFields(await call('POST', '/api/forms', { key: 'huge', title: 'Huge', sections }), ['sections']);
    assert.match(m.sections!, /at most 500 fields/);
  });

  test('a duplicate key answers 409 already_exists; a bad If-Match 400', async () => {
    const form = await createForm(t, tenant, formWith('dup-key', [{ id: 'a', type: 'yes_no', label: 'A?' }]));
    assertProblem(await call('POST', '/api/forms', formWith('dup-key', [{ id: 'a', type: 'yes_no', label: 'A?' }])), 409, 'already_exists');
    const { key: _key, ...definition } = formWith('dup-key', [{ id: 'b', type: 'yes_no', label: 'B?' }]);
    assertFields(await call('PUT', `/api/forms/${form.id}`, definition, { 'if-match': 'version one' }), ['If-Match']);
    assertFields(await call('PUT', `/api/forms/${form.id}`, { ...definition, key: 'renamed' }), ['key']);
  });
});

describe('versioning', () => {
  test('a response on v1 stays valid and is shown with v1 after v2 changes and removes fields', async () => {
    const patient = await addPatient(t, tenant);
    const v1 = {
      title: 'Lifestyle',
      sections: [
        {
          id: 'life',
          title: 'Lifestyle',
          fields: [
            { id: 'smoker', type: 'yes_no', label: 'Do you smoke?', required: true },
            { id: 'notes', type: 'long_text', label: 'Anything else?' },
          ],
        },
      ],
    };
    const form = await createForm(t, tenant, { key: 'lifestyle', ...v1 });
    assert.equal(form.currentVersion, 1);
    const r1 = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { smoker: true, notes: ' Runs daily ' } });
    assert.equal(r1.statusCode, 201, r1.body);
    assert.equal(r1.json().version, 1);
    assert.deepEqual(r1.json().answers, { smoker: true, notes: 'Runs daily' });

    const v2 = structuredClone(v1);
    v2.title = 'Lifestyle (revised)';
    v2.sections[0]!.fields = [
      {
        id: 'smoker',
        type: 'single_choice',
        label: 'Tobacco use',
        required: true,
        options: [{ value: 'never', label: 'Never' }, { value: 'former', label: 'Former' }, { value: 'current', label: 'Current' }],
      } as never,
    ];
    const stale = await call('PUT', `/api/forms/${form.id}`, v2, { 'if-match': '"0"' });
    assertProblem(stale, 412, 'precondition_failed');
    const put = await call('PUT', `/api/forms/${form.id}`, v2, { 'if-match': '"1"' });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().currentVersion, 2);
    assert.equal(put.headers.etag, '"2"');
    assert.deepEqual(put.json().versions.map((v: { version: number }) => v.version), [1, 2]);
    assert.equal(put.json().title, 'Lifestyle (revised)');

    // The same definition again publishes nothing.
    const same = await call('PUT', `/api/forms/${form.id}`, v2);
    assert.equal(same.json().currentVersion, 2);

    // The v1 response is shown with v1's definition.
    const shown = await call('GET', `/api/form-responses/${r1.json().id}`);
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().version, 1);
    assert.equal(shown.json().formTitle, 'Lifestyle');
    assert.deepEqual(shown.json().definition, v1);
    assert.deepEqual(shown.json().answers, { smoker: true, notes: 'Runs daily' });
    const version1 = await call('GET', `/api/forms/${form.id}/versions/1`);
    assert.deepEqual(version1.json().definition, v1);
    assertProblem(await call('GET', `/api/forms/${form.id}/versions/3`), 404, 'not_found');

    // New responses default to v2; v1 answers no longer fit it, but v1 can still be named.
    const old = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { smoker: true, notes: 'x' } });
    assertFields(old, ['answers.smoker', 'answers.notes']);
    const onV1 = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, version: 1, answers: { smoker: false } });
    assert.equal(onV1.statusCode, 201, onV1.body);
    const onV2 = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { smoker: 'former' } });
    assert.equal(onV2.json().version, 2);

    const list = await call('GET', `/api/patients/${patient.id}/form-responses`);
    assert.deepEqual(list.json().items.map((r: { version: number }) => r.version), [2, 1, 1]);
    const page = await call('GET', `/api/patients/${patient.id}/form-responses?limit=2`);
    const next = await call('GET', `/api/patients/${patient.id}/form-responses?limit=2&cursor=${page.json().nextCursor}`);
    assert.deepEqual([...page.json().items, ...next.json().items].map((r: { id: string }) => r.id), list.json().items.map((r: { id: string }) => r.id));

    // Archiving stops new versions and responses; what exists stays readable.
    assert.equal((await call('POST', `/api/forms/${form.id}/archive`)).json().status, 'archived');
    assertProblem(await call('PUT', `/api/forms/${form.id}`, v1), 409, 'form_archived');
    assertProblem(await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { smoker: 'never' } }), 409, 'form_archived');
    assert.equal((await call('GET', `/api/form-responses/${r1.json().id}`)).statusCode, 200);
    const active = await call('GET', '/api/forms');
    assert.ok(!active.json().items.some((f: { id: string }) => f.id === form.id));
    const archived = await call('GET', '/api/forms?status=archived');
    assert.ok(archived.json().items.some((f: { id: string }) => f.id === form.id));
  });
});

describe('answers', () => {
  test('a required field hidden by visibleIf is not required, and its answer is dropped', async () => {
    const patient = await addPatient(t, tenant);
    const form = await createForm(t, tenant, intakeForm('conditional'));
    const url = `/api/patients/${patient.id}/form-responses`;
    const hidden = await call('POST', url, { formId: form.id, answers: { phone: '212 555 0100', smoker: false, packs: 3, privacy: CONSENT } });
    assert.equal(hidden.statusCode, 201, hidden.body);
    assert.equal(hidden.json().answers.packs, undefined, 'hidden answer dropped');
    const visible = await call('POST', url, { formId: form.id, answers: { phone: '212 555 0100', smoker: true, privacy: CONSENT } });
    const m = assertFields(visible, ['answers.packs']);
    assert.equal(m['answers.packs'], 'is required');
    const missing = await call('POST', url, { formId: form.id, answers: { bogus: 1, privacy: { agreed: false } } });
    assertFields(missing, ['answers.bogus', 'answers.phone', 'answers.smoker', 'answers.privacy']);
    const ok = await call('POST', url, { formId: form.id, answers: { phone: '212 555 0100', smoker: true, packs: 2, privacy: CONSENT } });
    assert.equal(ok.json().answers.packs, 2);
  });

  test('validation rules: pattern, range, integer, choice limits, dates, lengths', async () => {
    const patient = await addPatient(t, tenant);
    const form = await createForm(t, tenant, formWith('rules', [
      { id: 'zip', type: 'text', label: 'Zip', validation: { pattern: '[0-9]{5}' } },
      { id: 'nick', type: 'text', label: 'Nickname', validation: { minLength: 2, maxLength: 5 } },
      { id: 'weight', type: 'number', label: 'Weight (kg)', validation: { min: 1, max: 400 } },
      { id: 'children', type: 'number', label: 'Children', validation: { integer: true, min: 0 } },
      { id: 'pick', type: 'multiple_choice', label: 'Pick', options: ['a', 'b', 'c', 'd'].map((v) => ({ value: v, label: v.toUpperCase() })), validation: { minSelected: 2, maxSelected: 3 } },
      { id: 'one', type: 'single_choice', label: 'One', options: [{ value: 'x', label: 'X' }] },
      { id: 'born', type: 'date', label: 'Born', validation: { min: '1900-01-01', max: 'today' } },
      { id: 'next', type: 'date', label: 'Next visit', validation: { min: 'today', max: 'today+1y' } },
      { id: 'agree', type: 'yes_no', label: 'Agree?' },
    ]));
    const url = `/api/patients/${patient.id}/form-responses`;
    const today = new Date().toISOString().slice(0, 10);
    const bad = await call('POST', url, {
      formId: form.id,
      answers: { zip: '1234a', nick: 'x', weight: 0, children: 1.5, pick: ['a', 'b', 'c', 'd'], one: 'y', born: '2999-01-01', next: '2000-01-01', agree: 'yes' },
    });
    const m = assertFields(bad, ['answers.zip', 'answers.nick', 'answers.weight', 'answers.children', 'answers.pick', 'answers.one', 'answers.born', 'answers.next', 'answers.agree']);
    assert.equal(m['answers.zip'], 'does not have the expected format');
    assert.equal(m['answers.weight'], 'must be at least 1');
    assert.equal(m['answers.children'], 'must be a whole number');
    assert.equal(m['answers.pick'], 'must select at most 3');
    assert.match(m['answers.born']!, /^must be on or before \d{4}-\d{2}-\d{2}$/);
    assertFields(await call('POST', url, { formId: form.id, answers: { pick: ['a'], nick: 'toolong', born: '2001-02-30', weight: '70' } }), [
      'answers.pick',
      'answers.nick',
      'answers.born',
      'answers.weight',
    ]);
    assertFields(await call('POST', url, { formId: form.id, answers: { pick: ['a', 'zz'] } }), ['answers.pick']);
    const good = await call('POST', url, {
      formId: form.id,
      answers: { zip: '10001', nick: 'Jo', weight: 70.5, children: 2, pick: ['c', 'a'], one: 'x', born: '1990-05-01', next: today, agree: false },
    });
    assert.equal(good.statusCode, 201, good.body);
    assert.deepEqual(good.json().answers.pick, ['a', 'c'], 'stored in option order');
    assert.equal(good.json().answers.agree, false, 'false is an answer');
  });

  test('consent records the signature name and the server time, whatever the client says', async () => {
    const patient = await addPatient(t, tenant);
    const form = await createForm(t, tenant, intakeForm('consent'));
    const url = `/api/patients/${patient.id}/form-responses`;
    const base = { phone: '212 555 0100', smoker: false };
    assertFields(await call('POST', url, { formId: form.id, answers: { ...base, privacy: { agreed: true } } }), ['answers.privacy.signatureName']);
    assertFields(await call('POST', url, { formId: form.id, answers: { ...base, privacy: { agreed: true, signatureName: 'N', stamp: 1 } } }), ['answers.privacy.stamp']);
    const before = Date.now();
    const res = await call('POST', url, { formId: form.id, answers: { ...base, privacy: { agreed: true, signatureName: '  Nora Quill ', signedAt: '2001-01-01T00:00:00Z' } } });
    assert.equal(res.statusCode, 201, res.body);
    const consent = res.json().answers.privacy;
    assert.equal(consent.agreed, true);
    assert.equal(consent.signatureName, 'Nora Quill');
    const signedAt = Date.parse(consent.signedAt);
    assert.ok(signedAt >= before - 1000 && signedAt <= Date.now() + 1000, `server time, got ${consent.signedAt}`);
  });
});

describe('mapping onto the patient record', () => {
  test('phone, email, allergies and address update the patient in the same transaction, audited', async () => {
    const patient = await addPatient(t, tenant, { phone: '212 555 0100', allergies: ['Sulfa'] });
    const form = await createForm(t, tenant, {
      ...intakeForm('mapping'),
      sections: [
        ...(intakeForm().sections as object[]),
        {
          id: 'home',
          title: 'Home address',
          fields: [
            { id: 'street', type: 'text', label: 'Street', mapsTo: 'address.line1' },
            { id: 'city', type: 'text', label: 'City', mapsTo: 'address.city' },
            { id: 'zip', type: 'text', label: 'Postal code', mapsTo: 'address.postalCode' },
            { id: 'country', type: 'single_choice', label: 'Country', options: [{ value: 'US', label: 'United States' }, { value: 'CA', label: 'Canada' }], mapsTo: 'address.country' },
          ],
        },
      ],
    });
    const url = `/api/patients/${patient.id}/form-responses`;
    // Answers that break the record's own rules are refused before anything changes.
    assertFields(await call('POST', url, { formId: form.id, answers: { phone: '12', email: 'not-an-email', smoker: false, privacy: CONSENT } }), ['answers.phone', 'answers.email']);
    const answers = {
      phone: '(646) 555-0199',
      email: 'Nora@Example.org',
      smoker: false,
      allergyList: ['penicillin', 'latex'],
      otherAllergies: 'sulfa\nBee stings',
      privacy: CONSENT,
      street: '1 Main St',
      city: 'Springfield',
      zip: '12345',
      country: 'US',
    };
    const res = await call('POST', url, { formId: form.id, answers });
    assert.equal(res.statusCode, 201, res.body);
    const out = res.json();
    assert.equal(out.appliedToPatient, true);
    assert.equal(out.submittedVia, 'staff');
    assert.deepEqual(out.changes.applied.map((c: { target: string }) => c.target).sort(), ['address', 'allergies', 'email', 'phone']);
    assert.deepEqual(out.changes.applied.find((c: { target: string }) => c.target === 'phone'), { target: 'phone', previous: '212 555 0100', value: '(646) 555-0199' });

    const after = await call('GET', `/api/patients/${patient.id}`);
    const p = after.json();
    assert.equal(p.phone, '(646) 555-0199');
    assert.equal(p.email, 'nora@example.org');
    assert.deepEqual(p.allergies, ['Sulfa', 'Penicillin', 'Latex', 'Bee stings'], 'added to, never removed; duplicates merged');
    assert.deepEqual(p.address, { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' });
    assert.equal(p.version, 2);
    const byPhone = await call('GET', '/api/patients?phone=5550199');
    assert.ok(byPhone.json().items.some((x: { id: string }) => x.id === patient.id), 'phone search digits follow');

    const audit = await call('GET', `/api/audit-events?resourceId=${patient.id}&action=patient.update`);
    const event = audit.json().items[0];
    assert.deepEqual(event.details.fields.sort(), ['address', 'allergies', 'email', 'phone']);
    assert.equal(event.details.responseId, out.id);
    assert.ok(!JSON.stringify(audit.json()).includes('555-0199'), 'no PHI values in the audit trail');
    const submitted = await call('GET', `/api/audit-events?resourceId=${out.id}&action=form_response.submit`);
    assert.equal(submitted.json().items.length, 1);

    // The same answers again change nothing: no new patient version.
    const again = await call('POST', url, { formId: form.id, answers });
    assert.equal(again.json().appliedToPatient, false);
    assert.equal((await call('GET', `/api/patients/${patient.id}`)).json().version, 2);

    // A partial address is not stored: it is reported as skipped.
    const partial = await call('POST', url, { formId: form.id, answers: { phone: '(646) 555-0199', smoker: false, privacy: CONSENT, street: '2 Side St' } });
    assert.deepEqual(partial.json().changes.skipped.map((s: { target: string }) => s.target), ['address']);
    assert.equal((await call('GET', `/api/patients/${patient.id}`)).json().address.line1, '1 Main St');
  });

  test('archived patients and other practices’ ids are refused; reads are audited', async () => {
    const patient = await addPatient(t, tenant);
    const form = await createForm(t, tenant, formWith('reads', [{ id: 'ok', type: 'yes_no', label: 'OK?' }]));
    const res = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { ok: true } }, { 'idempotency-key': 'form-reads-1' });
    assert.equal(res.statusCode, 201);
    const replay = await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { ok: true } }, { 'idempotency-key': 'form-reads-1' });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().id, res.json().id);
    await call('GET', `/api/form-responses/${res.json().id}`);
    await call('GET', `/api/patients/${patient.id}/form-responses`);
    const reads = await call('GET', `/api/audit-events?resourceId=${res.json().id}&action=form_response.read`);
    assert.equal(reads.json().items.length, 1);
    const lists = await call('GET', `/api/audit-events?resourceId=${patient.id}&action=form_response.list`);
    assert.deepEqual(lists.json().items[0].details.responseIds, [res.json().id]);
    await call('POST', `/api/patients/${patient.id}/archive`);
    assertProblem(await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { ok: true } }), 409, 'patient_archived');
    assertProblem(await call('GET', '/api/form-responses/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
  });
});

describe('permissions', () => {
  test('front desk reads forms and records responses but cannot change definitions; billing only reads', async () => {
    const staff = async (role: string) => {
      const email = `${role}-${Date.now()}@${tenant.slug}.test`;
      const created = await call('POST', '/api/staff', { email, name: role, password: PASSWORD, roles: [role] });
      assert.equal(created.statusCode, 201, created.body);
      const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
      return login.json().accessToken as string;
    };
    const desk = await staff('front_desk');
    const billing = await staff('billing');
    const form = await createForm(t, tenant, formWith('perm', [{ id: 'ok', type: 'yes_no', label: 'OK?' }]));
    const patient = await addPatient(t, tenant);
    const as = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.api(tenant, token, { method, url, ...(payload ? { payload } : {}) });
    assertProblem(await as(desk, 'POST', '/api/forms', formWith('desk', [{ id: 'ok', type: 'yes_no', label: 'OK?' }])), 403, 'permission_denied');
    assertProblem(await as(desk, 'POST', `/api/forms/${form.id}/archive`), 403, 'permission_denied');
    assert.equal((await as(desk, 'GET', `/api/forms/${form.id}`)).statusCode, 200);
    assert.equal((await as(desk, 'POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { ok: true } })).statusCode, 201);
    assert.equal((await as(desk, 'POST', `/api/forms/${form.id}/links`, { patientId: patient.id })).statusCode, 201);
    assert.equal((await as(billing, 'GET', `/api/patients/${patient.id}/form-responses`)).statusCode, 200);
    assertProblem(await as(billing, 'POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { ok: true } }), 403, 'permission_denied');
  });
});
