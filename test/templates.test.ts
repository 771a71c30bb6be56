// Message templates: save, validate, version, revert and preview; the Liquid sandbox refuses or
// renders nothing of the process; patient values are escaped in HTML; and what a practice saves is
// what its reminders, waitlist offers, confirmations and cancellations send (read from the outbox).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { bookablePractice, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { scheduleReminder } from '../src/domain/scheduling/reminders.ts';
import { renderTemplate } from '../src/domain/templates/liquid-sandbox.ts';
import { MESSAGE_KINDS, sampleVariables, KIND_VARIABLES } from '../src/domain/templates/message-kinds.ts';
import { DEFAULT_TEMPLATES } from '../src/domain/templates/default-templates.ts';
import { checkTemplateSet } from '../src/domain/templates/template-validation.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const as = (tenant: TestTenant, method: Method, url: string, payload?: unknown) =>
  t.api(tenant, tenant.adminToken, { method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

const REMINDER = {
  subject: 'Custom: {{ appointment.type }} for {{ patient.firstName }}',
  bodyHtml: '<h1 style="color: {{ practice.primaryColor }}">Hello {{ patient.firstName }}</h1><p>{{ appointment.date }} {{ appointment.time }}</p>',
  bodyText: 'OVERRIDE v1 {{ patient.firstName }} sees {{ appointment.provider }} on {{ appointment.date }} at {{ practice.name }}.',
};

function errorsOf(res: { statusCode: number; json(): { code: string; errors?: { field: string; message: string }[] } }) {
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'validation_failed');
  return res.json().errors ?? [];
}

describe('catalogue and defaults', () => {
  test('every kind has documented variables and defaults that pass their own checks', () => {
    for (const kind of MESSAGE_KINDS) {
      assert.ok(KIND_VARIABLES[kind].some((v) => v.name === 'practice.name'), kind);
      assert.deepEqual(checkTemplateSet(kind, DEFAULT_TEMPLATES[kind]), [], `${kind} default is valid`);
      for (const v of KIND_VARIABLES[kind]) assert.ok(v.description.length > 0 && v.sample !== undefined, `${kind} ${v.name}`);
    }
    assert.equal((sampleVariables('invoice').invoice as Record<string, unknown>).number, 'INV-2026-00042');
  });

  test('docs/templates.md documents every kind and variable', () => {
    const doc = readFileSync('docs/templates.md', 'utf8');
    for (const kind of MESSAGE_KINDS) {
      assert.ok(doc.includes(`### \`${kind}\``), kind);
      for (const v of KIND_VARIABLES[kind]) assert.ok(doc.includes(`| \`${v.name}\` |`), `${kind}: ${v.name}`);
    }
  });

  test('GET /api/templates lists every kind, none overridden, with variables', async () => {
    const tenant = await t.createTenant();
    const res = await as(tenant, 'GET', '/api/templates');
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().items as { kind: string; overridden: boolean; version: number | null; variables: { name: string }[] }[];
    assert.deepEqual(items.map((i) => i.kind), [...MESSAGE_KINDS]);
    assert.ok(items.every((i) => !i.overridden && i.version === null));
    const invoice = items.find((i) => i.kind === 'invoice')!;
    assert.ok(['invoice.number', 'invoice.total', 'invoice.balanceDue', 'invoice.url'].every((n) => invoice.variables.some((v) => v.name === n)));
    const intake = items.find((i) => i.kind === 'intake_link')!;
    assert.ok(['form.title', 'link.url', 'link.expiresAt'].every((n) => intake.variables.some((v) => v.name === n)));
    const one = await as(tenant, 'GET', '/api/templates/appointment_reminder');
    assert.equal(one.statusCode, 200, one.body);
    assert.deepEqual(one.json().inForce, one.json().default);
    assert.ok(one.json().filters.includes('upcase') && !one.json().filters.includes('raw'));
    assert.equal((await as(tenant, 'GET', '/api/templates/no_such_kind')).statusCode, 404);
  });
});

describe('saving, versions and reverting', () => {
  test('each save is a new version in force; DELETE goes back to the default and is kept in history', async () => {
    const tenant = await t.createTenant('schema');
    const first = await as(tenant, 'PUT', '/api/templates/appointment_reminder', REMINDER);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().overridden, true);
    assert.equal(first.json().version, 1);
    assert.deepEqual(first.json().inForce, REMINDER);
    const second = await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: 'v2 {{ patient.firstName }}' });
    assert.equal(second.json().version, 2);
    assert.equal(second.json().inForce.bodyText, 'v2 {{ patient.firstName }}');

    const listed = (await as(tenant, 'GET', '/api/templates')).json().items.find((i: { kind: string }) => i.kind === 'appointment_reminder');
    assert.equal(listed.overridden, true);
    assert.equal(listed.version, 2);

    const revert = await as(tenant, 'DELETE', '/api/templates/appointment_reminder');
    assert.equal(revert.statusCode, 204);
    const after = (await as(tenant, 'GET', '/api/templates/appointment_reminder')).json();
    assert.equal(after.overridden, false);
    assert.equal(after.version, 3);
    assert.deepEqual(after.inForce, after.default);
    assert.equal((await as(tenant, 'DELETE', '/api/templates/appointment_reminder')).statusCode, 204, 'reverting again is a no-op');

    const versions = await as(tenant, 'GET', '/api/templates/appointment_reminder/versions?limit=2');
    assert.equal(versions.statusCode, 200, versions.body);
    assert.deepEqual(versions.json().items.map((v: { version: number; isDefault: boolean }) => [v.version, v.isDefault]), [[3, true], [2, false]]);
    assert.equal(versions.json().items[0].content, null);
    assert.equal(versions.json().nextBefore, 2);
    const older = (await as(tenant, 'GET', '/api/templates/appointment_reminder/versions?limit=2&before=2')).json();
    assert.deepEqual(older.items.map((v: { version: number }) => v.version), [1]);
    assert.deepEqual(older.items[0].content, REMINDER);
    assert.equal(older.nextBefore, null);

    const audit = await as(tenant, 'GET', '/api/audit-events');
    const actions = audit.json().items.map((e: { action: string }) => e.action);
    assert.equal(actions.filter((a: string) => a === 'template.save').length, 2);
    assert.equal(actions.filter((a: string) => a === 'template.revert').length, 1);
  });

  test('an unknown variable and bad syntax are 400s naming the field, line and column', async () => {
    const tenant = await t.createTenant();
    const unknown = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: 'Hello\n\n  {{ patient.ssn }}' }));
    assert.equal(unknown.length, 1);
    assert.equal(unknown[0]!.field, 'bodyText');
    assert.match(unknown[0]!.message, /^line 3, column 6: unknown variable `patient\.ssn`/);

    const syntax = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyHtml: '<p>\n{% if patient.firstName %}\nno end' }));
    assert.equal(syntax[0]!.field, 'bodyHtml');
    assert.match(syntax[0]!.message, /^line 2, column 1: .*not closed/);

    const output = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, subject: 'Hi {{ patient.firstName ' }));
    assert.equal(output[0]!.field, 'subject');
    assert.match(output[0]!.message, /line 1, column 4/);

    const filter = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: '{{ patient.firstName | shout }}' }));
    assert.match(filter[0]!.message, /undefined filter: shout/);
    const raw = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyHtml: '{{ patient.firstName | raw }}' }));
    assert.match(raw[0]!.message, /undefined filter: raw/, '`raw` would bypass escaping');

    const wrongKind = errorsOf(await as(tenant, 'PUT', '/api/templates/password_reset', { subject: 'x', bodyHtml: '', bodyText: '{{ patient.firstName }}' }));
    assert.match(wrongKind[0]!.message, /unknown variable `patient\.firstName` for password_reset/);

    const lines = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, subject: 'two\nlines' }));
    assert.deepEqual(lines, [{ field: 'subject', message: 'must be a single line' }]);
    const long = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, subject: 'x'.repeat(301) }));
    assert.equal(long[0]!.field, 'subject');
    const big = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: 'x'.repeat(50_001) }));
    assert.equal(big[0]!.field, 'bodyText');
    const empty = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: '  ' }));
    assert.deepEqual(empty, [{ field: 'bodyText', message: 'must not be empty' }]);
    const several = errorsOf(await as(tenant, 'PUT', '/api/templates/appointment_reminder', { subject: '{{ nope }}', bodyHtml: '{{ alsoNope }}', bodyText: '{{ patient.firstName }}' }));
    assert.deepEqual(several.map((e) => e.field), ['subject', 'bodyHtml']);

    assert.equal((await as(tenant, 'GET', '/api/templates/appointment_reminder')).json().overridden, false, 'nothing was saved');
  });

  test('an empty HTML body is allowed: the message is then plain text only', async () => {
    const tenant = await t.createTenant();
    const saved = await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyHtml: '' });
    assert.equal(saved.statusCode, 200, saved.body);
    const preview = await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', {});
    assert.equal(preview.json().html, null);
    assert.match(preview.json().text, /OVERRIDE v1 Lena/);
  });
});

describe('the sandbox', () => {
  const ESCAPES: [string, RegExp][] = [
    ['{{ process.env.HOME }}', /unknown variable `process\.env\.HOME`/],
    ['{{ constructor }}', /unknown variable `constructor`/],
    ['{{ patient.firstName.constructor.name }}', /unknown variable `patient\.firstName\.constructor\.name`/],
    ['{{ patient.__proto__ }}', /unknown variable `patient\.__proto__`/],
    ['{{ patient["constructor"] }}', /unknown variable `patient\.constructor`/],
    ['{{ patient[practice.name] }}', /computed lookups/],
    ['{{ "" | constructor }}', /undefined filter: constructor/],
    ['{{ "x" | toString }}', /undefined filter: toString/],
    ["{% include '/etc/passwd' %}", /"include" tag is not available/],
    ["{% render 'x' %}", /"render" tag is not available/],
    ["{% layout 'x' %}", /"layout" tag is not available/],
    ['{% liquid\ninclude "x" %}', /line 2, .*"include" tag is not available/],
    ['{% constructor %}', /tag "constructor" not found/],
    ['{% for i in (1..100000000) %}{% endfor %}', /limit exceeded/],
    ['{% for a in (1..5000) %}{% for b in (1..5000) %}{% for c in (1..5000) %}x{% endfor %}{% endfor %}{% endfor %}', /limit exceeded/],
    ['{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', /limit exceeded/],
  ];

  test('templates reaching for the process, files or unbounded work are refused at save', async () => {
    const tenant = await t.createTenant();
    for (const [source, expected] of ESCAPES) {
      const res = await as(tenant, 'PUT', '/api/templates/appointment_reminder', { ...REMINDER, bodyText: source });
      const errors = errorsOf(res);
      assert.ok(errors.some((e) => e.field === 'bodyText' && expected.test(e.message)), `${source}: ${JSON.stringify(errors)}`);
      // The same through a preview of the unsaved body.
      assert.equal((await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', { bodyText: source })).statusCode, 400, source);
    }
    assert.equal((await as(tenant, 'GET', '/api/templates/appointment_reminder/versions')).json().items.length, 0);
  });

  test('the engine itself renders nothing of the process or of prototypes, even unchecked', () => {
    process.env.HT_TEMPLATE_SECRET = 'leaked-secret-value';
    try {
      const data = { patient: { firstName: 'Lena' }, items: [1, 2] };
      const probes = [
        '{{ process.env.HT_TEMPLATE_SECRET }}',
        '{{ constructor }}{{ patient.constructor }}{{ patient.constructor.name }}',
        '{{ patient.__proto__ }}{{ patient["__proto__"] }}{{ patient.hasOwnProperty }}',
        '{{ patient.firstName.constructor }}{{ items.constructor }}{{ global }}{{ globalThis }}{{ this }}{{ require }}',
        '{% assign c = patient.constructor %}{{ c.constructor }}{{ c.keys }}',
      ];
      for (const mode of ['html', 'text'] as const) {
        for (const probe of probes) assert.equal(renderTemplate(probe, data, mode), '', `${mode}: ${probe}`);
      }
      // Data handed in is plain JSON: functions, class instances and prototype keys are dropped.
      const hostile = JSON.parse('{"patient": {"firstName": "Ann", "constructor": {"name": "x"}}}') as Record<string, unknown>;
      (hostile as { fn?: unknown }).fn = () => process.env.HT_TEMPLATE_SECRET;
      assert.equal(renderTemplate('{{ patient.firstName }}{{ patient.constructor.name }}{{ fn }}', hostile, 'text'), 'Ann');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    } finally {
      delete process.env.HT_TEMPLATE_SECRET;
    }
  });

  test('preview variables cannot pollute prototypes or smuggle in anything but data', async () => {
    const tenant = await t.createTenant();
    const sneaky = await t.api(tenant, tenant.adminToken, {
      method: 'POST',
      url: '/api/templates/appointment_reminder/preview',
      headers: { 'content-type': 'application/json' },
      payload: '{"bodyText": "{{ patient.firstName }}", "variables": {"__proto__": {"polluted": "yes"}, "patient": {"firstName": "Ann"}}}',
    });
    assert.equal(sneaky.statusCode, 400, 'a __proto__ key is refused with the JSON');
    assert.equal(sneaky.json().code, 'invalid_json');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const shaped = await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', {
      bodyText: '{{ patient.firstName }}',
      variables: { patient: { firstName: { constructor: 'x' }, lastName: ['a', 'b'], ssn: '123' }, process: { env: 'x' } },
    });
    const errors = errorsOf(shaped);
    assert.deepEqual(errors.map((e) => e.field).sort(), ['variables.patient.firstName', 'variables.patient.lastName', 'variables.patient.ssn', 'variables.process.env']);
  });
});

describe('preview', () => {
  test('renders the template in force or an unsaved body with sample data, branding and given variables', async () => {
    const tenant = await t.createTenant();
    const ref = await tenantRef(t, tenant.slug);
    const plain = await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', {});
    assert.equal(plain.statusCode, 200, plain.body);
    assert.equal(plain.json().subject, 'Reminder: Check-up on 2 Mar at 10:00');
    assert.match(plain.json().text, /Dear Lena,/);
    assert.match(plain.json().html, /<!doctype html>/);
    assert.match(plain.json().text, new RegExp(`Practice ${tenant.slug}`), "the practice's real name");

    await withTenant(t.services.db, ref, (tx) =>
      tx.query(
        `insert into practice_branding (tenant_id, display_name, primary_color, phone, address, logo, logo_content_type, logo_sha256, logo_width, logo_height, logo_updated_at)
         values ($1, 'Riverside Clinic', '#aa3300', '+1 555 0199', $2, '\\x89504e47'::bytea, 'image/png', $3, 10, 10, now())`,
        [tx.tenantId, JSON.stringify({ line1: '1 Main St', city: 'Springfield', postalCode: '12345' }), 'ab'.repeat(32)],
      ),
    );
    const branded = await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', {
      bodyText: '{{ practice.name }} / {{ practice.phone }} / {{ practice.address }} / {{ practice.primaryColor }} / {{ patient.firstName }}',
      variables: { patient: { firstName: 'Zed' } },
    });
    assert.equal(branded.statusCode, 200, branded.body);
    assert.equal(branded.json().text, 'Riverside Clinic / +1 555 0199 / 1 Main St, 12345 Springfield / #aa3300 / Zed');
    assert.match(branded.json().html, /border-bottom:4px solid #aa3300/);
    const logoUrl = `${t.config.publicUrl.replace(/\/$/, '')}/public/practices/${tenant.slug}/logo?v=${'ab'.repeat(8)}`;
    assert.ok(branded.json().html.includes(`<img src="${logoUrl}" alt="Riverside Clinic"`), 'the default HTML shows the public logo');

    const multiline = await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', { variables: { appointment: { type: 'Line\r\nBcc: x@evil.test' } } });
    assert.doesNotMatch(multiline.json().subject, /[\r\n]/, 'a subject stays one line whatever the data');

    const broken = errorsOf(await as(tenant, 'POST', '/api/templates/appointment_reminder/preview', { bodyHtml: '{% for x in %}' }));
    assert.equal(broken[0]!.field, 'bodyHtml');
    assert.equal((await as(tenant, 'POST', '/api/templates/nope/preview', {})).statusCode, 404);
    assert.equal((await as(tenant, 'GET', '/api/templates/appointment_reminder/versions')).json().items.length, 0, 'a preview saves nothing');
  });
});

interface OutboxItem {
  id: string;
  kind: string | null;
  to: string;
  subject: string;
  status: string;
}

async function outbox(tenant: TestTenant, kind?: string): Promise<OutboxItem[]> {
  const res = await as(tenant, 'GET', '/api/outbox?limit=200');
  assert.equal(res.statusCode, 200, res.body);
  const items = res.json().items as OutboxItem[];
  return kind ? items.filter((i) => i.kind === kind) : items;
}

async function message(tenant: TestTenant, id: string) {
  const res = await as(tenant, 'GET', `/api/outbox/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as OutboxItem & { text: string; html: string | null; attachments: { filename: string; content: string }[] };
}

const ZONE = 'America/New_York';
const nextWeekAt = (hour: number, weeks = 1) => DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour, minute: 0 });

describe('senders use the practice template', () => {
  test('a saved reminder template is what the reminder sends, with its calendar file', async () => {
    const tenant = await t.createTenant();
    const ref = await tenantRef(t, tenant.slug);
    const locationId = await insertLocation(t, ref, { name: 'Mitte', timeZone: 'Europe/Berlin' });
    const providerId = await insertProvider(t, ref, { name: 'Dr Weber', locationId, hours: WEEKDAYS_9_TO_5 });
    const typeId = await insertAppointmentType(t, ref, { name: 'Check-up', durationMinutes: 30, providerIds: [providerId] });
    const p = await as(tenant, 'POST', '/api/patients', { firstName: '<b>Lena</b>', lastName: 'Kraus', dateOfBirth: '1985-05-05', email: 'lena@example.test' });
    assert.equal((await as(tenant, 'PUT', '/api/templates/appointment_reminder', REMINDER)).statusCode, 200);

    const startsAt = new Date(Date.now() + 3 * 86_400_000);
    startsAt.setUTCHours(9, 0, 0, 0);
    const id = uuidv7();
    await withTenant(t.services.db, ref, async (tx) => {
      await tx.query(
        `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, starts_at, ends_at, blocked)
         values ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7, $8, '[)'))`,
        [tx.tenantId, id, p.json().id, providerId, locationId, typeId, startsAt.toISOString(), new Date(startsAt.getTime() + 30 * 60_000).toISOString()],
      );
      await scheduleReminder(tx, { id, startsAt });
    });
    await t.services.jobs.runDue(new Date(startsAt.getTime() - 86_400_000 + 60_000));
    const [sent] = await outbox(tenant, 'appointment_reminder');
    assert.ok(sent, 'the reminder is in the outbox');
    assert.equal(sent.status, 'kept');
    assert.equal(sent.subject, 'Custom: Check-up for <b>Lena</b>', 'subjects are plain text');
    const full = await message(tenant, sent.id);
    assert.match(full.text, /^OVERRIDE v1 <b>Lena<\/b> sees Dr Weber on .+ at Practice /);
    assert.match(full.html!, /<h1 style="color: #1f5f8b">Hello &lt;b&gt;Lena&lt;\/b&gt;<\/h1>/, 'patient values are escaped in HTML');
    assert.equal(full.attachments[0]!.filename, 'appointment.ics');
    assert.match(full.attachments[0]!.content, /BEGIN:VCALENDAR/);

    const audit = await as(tenant, 'GET', `/api/audit-events?resourceId=${sent.id}`);
    assert.ok(audit.json().items.some((e: { action: string }) => e.action === 'outbox.read'), 'reading a message is audited');
  });

  test('a saved waitlist offer template is what the offer sends, with the booking link', async () => {
    const tenant = await t.createTenant('schema');
    const ref = await tenantRef(t, tenant.slug);
    await setPracticeRules(t, ref, { minNoticeMinutes: 0, cancelWindowMinutes: 0, waitlistOfferMinutes: 60 });
    const locationId = await insertLocation(t, ref, { name: 'Uptown', timeZone: ZONE });
    const providerId = await insertProvider(t, ref, { name: 'Dr Gray', locationId, hours: WEEKDAYS_9_TO_5 });
    const typeId = await insertAppointmentType(t, ref, { name: 'Consult', durationMinutes: 30, providerIds: [providerId] });
    const patient = async (name: string) => (await as(tenant, 'POST', '/api/patients', { firstName: name, lastName: 'W', dateOfBirth: '1980-02-02', email: `${name.toLowerCase()}@example.test` })).json().id as string;
    const [ann, bob] = [await patient('Ann'), await patient('Bob')];
    const start = nextWeekAt(11, 2);
    const saved = await as(tenant, 'PUT', '/api/templates/waitlist_offer', {
      subject: 'Slot for {{ patient.firstName }} with {{ appointment.provider }}',
      bodyHtml: '<a href="{{ offer.url }}">Book</a>',
      bodyText: 'OFFER-OVERRIDE {{ appointment.type }} at {{ appointment.location }} until {{ offer.expiresAt }}:\n{{ offer.url }}\n',
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const booked = await as(tenant, 'POST', '/api/appointments', { patientId: ann, typeId, providerId, locationId, start: start.toISO({ suppressMilliseconds: true }) });
    assert.equal(booked.statusCode, 201, booked.body);
    const wait = await as(tenant, 'POST', '/api/waitlist', { patientId: bob, typeId, earliest: start.minus({ days: 2 }).toISODate(), latest: start.plus({ days: 2 }).toISODate() });
    assert.equal(wait.statusCode, 201, wait.body);
    assert.equal((await as(tenant, 'POST', `/api/appointments/${booked.json().id}/cancel`, {})).statusCode, 200);
    await t.services.jobs.runDue(new Date());
    await t.services.jobs.runDue(new Date());

    const [offer] = await outbox(tenant, 'waitlist_offer');
    assert.ok(offer, 'the offer is in the outbox');
    assert.equal(offer.to, 'bob@example.test');
    assert.equal(offer.subject, 'Slot for Bob with Dr Gray');
    const full = await message(tenant, offer.id);
    const link = /^OFFER-OVERRIDE Consult at Uptown until .+:\n(http\S+\/p\/[^/\s]+\/waitlist\/\S+)\n$/.exec(full.text);
    assert.ok(link, full.text);
    assert.equal(full.html, `<a href="${link[1]!.replace(/&/g, '&amp;')}">Book</a>`);
    assert.equal(offer.status, 'kept', 'delivered (kept in development) by its job');
    // The link opens the web app's offer page, which reads the offer from the public offer API.
    const [, slug, token] = /\/p\/([^/]+)\/waitlist\/([^/]+)$/.exec(new URL(link[1]!).pathname)!;
    const page = await t.app.inject({ method: 'GET', url: `/waitlist/offers/${slug}/${token}` });
    assert.equal(page.statusCode, 200, 'the link in the custom template works');
  });

  test('booking sends a confirmation and cancelling a cancellation, in the same transaction, when the patient has an email', async () => {
    const tenant = await t.createTenant();
    const practice = await bookablePractice(t, tenant, ZONE);
    const withEmail = await as(tenant, 'POST', '/api/patients', { firstName: '<script>alert(1)</script>', lastName: 'X', dateOfBirth: '1990-01-01', email: 'x@example.test' });
    const book = (patientId: string, hour: number) =>
      as(tenant, 'POST', '/api/appointments', { patientId, typeId: practice.typeId, providerId: practice.providerId, locationId: practice.locationId, start: nextWeekAt(hour).toISO({ suppressMilliseconds: true }) });
    const booked = await book(withEmail.json().id, 10);
    assert.equal(booked.statusCode, 201, booked.body);
    const noEmail = await book(practice.patientId, 11);
    assert.equal(noEmail.statusCode, 201, noEmail.body);

    const confirmations = await outbox(tenant, 'appointment_confirmation');
    assert.equal(confirmations.length, 1, 'only the patient with an email is written to');
    assert.equal(confirmations[0]!.to, 'x@example.test');
    const full = await message(tenant, confirmations[0]!.id);
    assert.ok(!full.html!.includes('<script>'), 'no live script in HTML');
    assert.match(full.html!, /Dear &lt;script&gt;alert\(1\)&lt;\/script&gt;,/);
    assert.match(full.text, /^Dear <script>alert\(1\)<\/script>,/, 'plain text is not escaped');
    assert.match(full.text, new RegExp(`booked for ${nextWeekAt(10).toFormat('cccc d LLLL yyyy')} at 10:00 \\(${ZONE}\\)`));

    // A refused booking queues nothing (the message commits with the booking or not at all).
    const clash = await book(withEmail.json().id, 10);
    assert.equal(clash.statusCode, 409);
    assert.equal((await outbox(tenant, 'appointment_confirmation')).length, 1);

    assert.equal((await as(tenant, 'POST', `/api/appointments/${booked.json().id}/cancel`, { reason: 'internal note' })).statusCode, 200);
    assert.equal((await as(tenant, 'POST', `/api/appointments/${noEmail.json().id}/cancel`, {})).statusCode, 200);
    const cancellations = await outbox(tenant, 'appointment_cancellation');
    assert.equal(cancellations.length, 1);
    const cancelled = await message(tenant, cancellations[0]!.id);
    assert.match(cancelled.subject, /^Cancelled: /);
    assert.ok(!cancelled.text.includes('internal note'), 'the staff reason stays internal');

    await t.services.jobs.runDue(new Date());
    assert.ok((await outbox(tenant)).every((m) => m.status === 'kept'), 'delivery jobs keep them (no SMTP_URL)');
  });
});

describe('outbox', () => {
  test('lists newest first with a keyset cursor; unknown ids are 404', async () => {
    const tenant = await t.createTenant();
    const ref = await tenantRef(t, tenant.slug);
    await withTenant(t.services.db, ref, async (tx) => {
      for (let i = 0; i < 5; i++) {
        await tx.query(`insert into email_outbox (tenant_id, id, message_key, to_address, subject, body_text) values ($1, $2, $3, 'a@example.test', $4, 'b')`, [
          tx.tenantId,
          uuidv7(),
          `k${i}`,
          `m${i}`,
        ]);
      }
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await as(tenant, 'GET', `/api/outbox?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      seen.push(...res.json().items.map((i: OutboxItem) => i.subject));
      cursor = res.json().nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['m4', 'm3', 'm2', 'm1', 'm0']);
    assert.equal((await as(tenant, 'GET', '/api/outbox?status=kept')).json().items.length, 0);
    assert.equal((await as(tenant, 'GET', '/api/outbox?cursor=bad')).statusCode, 400);
    assert.equal((await as(tenant, 'GET', `/api/outbox/${uuidv7()}`)).statusCode, 404);
    assert.equal((await as(tenant, 'GET', '/api/outbox/not-a-uuid')).statusCode, 404);
    const audit = (await as(tenant, 'GET', '/api/audit-events')).json().items as { action: string; details: { messageIds?: string[] } }[];
    assert.ok(audit.some((e) => e.action === 'outbox.list' && e.details.messageIds?.length === 2));
  });
});
