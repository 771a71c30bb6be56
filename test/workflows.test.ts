/**
 * Per-practice workflows over the real HTTP stack and database: definitions checked on save (paths
 * named), guards and permissions, custom appointment states walked through the real lifecycle, the
 * workflow API performing real cancellations, payment-driven invoice transitions with their email,
 * tasks for a role, webhook events, versioning and patient intake.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { bookablePractice, type BookablePractice } from './support/scheduling-fixtures.ts';
import { setPlan } from './support/plan-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { DEFAULT_DEFINITIONS } from '../src/domain/workflows/defaults.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Body = Record<string, unknown>;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const ZONE = 'Europe/Berlin';

interface Practice extends BookablePractice {
  readonly tenant: TestTenant;
  readonly adminId: string;
}

function call(tenant: TestTenant, token: string, method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.api(tenant, token, { method, url, ...(payload !== undefined ? { payload: payload as Body } : {}) });
}
const admin = (p: Practice, method: Method, url: string, payload?: unknown) => call(p.tenant, p.tenant.adminToken, method, url, payload);

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Body {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code, res.body);
  return res.json();
}

/** A practice on the plan that includes workflows, ready to book. */
async function practice(plan = 'professional'): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  if (plan !== 'standard') await setPlan(t, tenant, plan);
  const bookable = await bookablePractice(t, tenant, ZONE);
  const me = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
  return { ...bookable, tenant, adminId: me.json().userId };
}

/** A staff member with `roles`, signed in. */
async function staff(p: Practice, role: string): Promise<{ token: string; userId: string }> {
  const email = `${role}-${uuidv7().slice(-8)}@${p.tenant.slug}.test`;
  const created = await admin(p, 'POST', '/api/staff', { email, name: role, password: PASSWORD, roles: [role] });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return { token: login.json().accessToken, userId: created.json().userId };
}

let hourSeq = 0;
/** A free start on a weekday three weeks ahead (each call a new half hour). */
function nextSlot(): string {
  const n = hourSeq++;
  const day = Math.floor(n / 16) % 5;
  const half = n % 16;
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 3 + Math.floor(n / 80), days: day }).set({ hour: 9 + Math.floor(half / 2), minute: (half % 2) * 30 }).toISO({ suppressMilliseconds: true })!;
}

async function book(p: Practice, start = nextSlot(), patientId = p.patientId): Promise<string> {
  const res = await admin(p, 'POST', '/api/appointments', { patientId, typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, start });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

const instanceUrl = (kind: string, id: string) => `/api/workflows/${kind}/instances/${id}`;
const take = (p: Practice, kind: string, id: string, transition: string, note?: string, token = p.tenant.adminToken) =>
  call(p.tenant, token, 'POST', `${instanceUrl(kind, id)}/transitions`, { transition, ...(note ? { note } : {}) });

/** Appointments with a confirmation step and a room step: two extra states, same system statuses. */
function confirmingWorkflow(): Body {
  return {
    states: [
      { key: 'booked', label: 'Requested', systemStatus: 'booked' },
      { key: 'confirmed', label: 'Confirmed', systemStatus: 'booked' },
      { key: 'checked_in', label: 'Arrived', systemStatus: 'checked_in' },
      { key: 'in_room', label: 'In room', systemStatus: 'checked_in' },
      { key: 'completed', label: 'Completed', systemStatus: 'completed', final: true },
      { key: 'no_show', label: 'No-show', systemStatus: 'no_show', final: true },
      { key: 'cancelled', label: 'Cancelled', systemStatus: 'cancelled', final: true },
    ],
    initial: 'booked',
    transitions: [
      { key: 'confirm', label: 'Confirm', from: ['booked'], to: 'confirmed', actions: [{ type: 'set_field', field: 'confirmed', value: true }] },
      { key: 'check_in', label: 'Check in', from: ['confirmed'], to: 'checked_in' },
      { key: 'to_room', label: 'Show to room', from: ['checked_in'], to: 'in_room' },
      { key: 'complete', label: 'Complete', from: ['checked_in', 'in_room'], to: 'completed' },
      { key: 'no_show', label: 'No-show', from: ['booked', 'confirmed'], to: 'no_show' },
      { key: 'cancel', label: 'Cancel', from: ['booked', 'confirmed'], to: 'cancelled' },
    ],
  };
}

async function define(p: Practice, kind: string, definition: unknown): Promise<Body> {
  const res = await admin(p, 'PUT', `/api/workflows/${kind}`, definition);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

function fieldsOf(res: LightMyRequestResponse): Map<string, string> {
  const body = assertProblem(res, 400, 'validation_failed');
  return new Map((body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
}

describe('definitions', () => {
  test('a definition with an unreachable state, a dead end, an unknown permission or an impossible status change is refused, naming the path', async () => {
    const p = await practice();
    const unreachable = confirmingWorkflow();
    (unreachable.states as Body[]).push({ key: 'orphan', label: 'Orphan', systemStatus: 'booked', final: true });
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', unreachable)).get('states.7') ?? '', /not reachable from the initial state/);

    const deadEnd = confirmingWorkflow();
    (deadEnd.states as Body[]).push({ key: 'waiting', label: 'Waiting', systemStatus: 'booked' });
    (deadEnd.transitions as Body[]).push({ key: 'wait', label: 'Wait', from: ['booked'], to: 'waiting' });
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', deadEnd)).get('states.7') ?? '', /not final, yet no transition leaves it/);

    const badPermission = confirmingWorkflow();
    (badPermission.transitions as Body[])[0]!.permission = 'scheduling:teleport';
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', badPermission)).get('transitions.0.permission') ?? '', /not a permission/);

    const backwards = confirmingWorkflow();
    (backwards.transitions as Body[]).push({ key: 'undo', label: 'Undo', from: ['checked_in'], to: 'booked' });
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', backwards)).get('transitions.6.to') ?? '', /a change the core does not make/);

    const unsafeGuard = confirmingWorkflow();
    (unsafeGuard.transitions as Body[])[1]!.guard = { method: [{ var: 'appointment' }, 'toString'] };
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', unsafeGuard)).get('transitions.1.guard') ?? '', /operator "method"/);

    const missingStatus = confirmingWorkflow();
    missingStatus.states = (missingStatus.states as Body[]).filter((s) => s.key !== 'no_show');
    missingStatus.transitions = (missingStatus.transitions as Body[]).filter((x) => x.key !== 'no_show');
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', missingStatus)).get('states') ?? '', /no state for the system status "no_show"/);

    const declaredPaid = structuredClone(DEFAULT_DEFINITIONS.invoice) as Body;
    (declaredPaid.transitions as Body[]).push({ key: 'mark_paid', label: 'Mark paid', from: ['issued'], to: 'paid' });
    assert.match(fieldsOf(await admin(p, 'PUT', '/api/workflows/invoice', declaredPaid)).get('transitions.5.system') ?? '', /only payments and refunds/);

    const unknownRole = confirmingWorkflow();
    (unknownRole.transitions as Body[])[0]!.actions = [{ type: 'create_task', role: 'wizard', title: 'Nope' }, { type: 'send_email', message: 'invoice' }];
    const roleErrors = fieldsOf(await admin(p, 'PUT', '/api/workflows/appointment', unknownRole));
    assert.match(roleErrors.get('transitions.0.actions.0.role') ?? '', /not a role of this practice/);
    assert.match(roleErrors.get('transitions.0.actions.1.message') ?? '', /not a message kind/);

    // The dry run lists the same problems and saves nothing.
    const dry = await admin(p, 'POST', '/api/workflows/appointment/validate', unreachable);
    assert.equal(dry.statusCode, 200, dry.body);
    assert.equal(dry.json().valid, false);
    assert.ok(dry.json().problems.some((e: { field: string }) => e.field === 'states.7'));
    const garbage = await admin(p, 'POST', '/api/workflows/appointment/validate', { states: 'many' });
    assert.deepEqual(garbage.json().problems.map((e: { field: string }) => e.field).sort(), ['initial', 'states', 'transitions']);
    const ok = await admin(p, 'POST', '/api/workflows/appointment/validate', confirmingWorkflow());
    assert.deepEqual(ok.json(), { valid: true, problems: [] });
    const list = await admin(p, 'GET', '/api/workflows');
    assert.deepEqual(list.json().items.map((i: Body) => [i.kind, i.version, i.isDefault]), [['appointment', 0, true], ['invoice', 0, true], ['patient_intake', 0, true]]);
  });

  test('authoring needs the workflows plan feature and settings:manage; the built-in defaults need neither', async () => {
    const p = await practice('standard');
    assertProblem(await admin(p, 'PUT', '/api/workflows/appointment', confirmingWorkflow()), 403, 'feature_not_in_plan');
    const current = await admin(p, 'GET', '/api/workflows/appointment');
    assert.equal(current.statusCode, 200);
    assert.deepEqual(current.json().definition, DEFAULT_DEFINITIONS.appointment);
    assert.equal(current.json().version, 0);
    const desk = await staff(p, 'front_desk');
    assertProblem(await call(p.tenant, desk.token, 'GET', '/api/workflows'), 403, 'permission_denied');

    // The default lifecycle still runs through the engine and leaves its history.
    const id = await book(p);
    assert.equal((await admin(p, 'POST', `/api/appointments/${id}/check-in`)).statusCode, 200);
    const history = (await admin(p, 'GET', `${instanceUrl('appointment', id)}/history`)).json().items;
    assert.deepEqual(history.map((h: Body) => [h.transition, h.from, h.to, h.version]), [['check_in', 'booked', 'checked_in', 0]]);
    const view = (await admin(p, 'GET', instanceUrl('appointment', id))).json();
    assert.equal(view.state.key, 'checked_in');
    assert.deepEqual(view.transitions.map((x: Body) => [x.key, x.available]), [['complete', true]]);
  });
});

describe('appointments', () => {
  test('a practice adds "confirmed" and "in room" and walks a booking through them; history names actor and time', async () => {
    const p = await practice();
    await define(p, 'appointment', confirmingWorkflow());
    const id = await book(p);
    const status = async () => (await admin(p, 'GET', `/api/appointments/${id}`)).json().status;

    const start = (await admin(p, 'GET', instanceUrl('appointment', id))).json();
    assert.equal(start.state.label, 'Requested');
    assert.ok(start.instanceId, 'booking started the instance');
    assert.equal(start.version, 1);
    // The core check-in is refused: this practice checks in only confirmed appointments.
    const refused = assertProblem(await admin(p, 'POST', `/api/appointments/${id}/check-in`), 409, 'invalid_transition');
    assert.match(String(refused.detail), /Requested/);

    const confirmed = await take(p, 'appointment', id, 'confirm');
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().state.key, 'confirmed');
    assert.deepEqual(confirmed.json().data, { confirmed: true });
    assert.equal(await status(), 'booked', 'a same-status transition only moves the workflow');

    assert.equal((await admin(p, 'POST', `/api/appointments/${id}/check-in`)).statusCode, 200, 'the core endpoint takes the workflow’s check-in');
    assert.equal(await status(), 'checked_in');
    assert.equal((await take(p, 'appointment', id, 'to_room')).json().state.key, 'in_room');
    assert.equal(await status(), 'checked_in');
    const done = await take(p, 'appointment', id, 'complete');
    assert.equal(done.json().state.key, 'completed');
    assert.equal(done.json().transitions.length, 0);
    assert.equal(await status(), 'completed', 'the workflow API completed the visit for real');

    const history = (await admin(p, 'GET', `${instanceUrl('appointment', id)}/history`)).json().items;
    assert.deepEqual(history.map((h: Body) => [h.transition, h.from, h.to]), [
      ['confirm', 'booked', 'confirmed'],
      ['check_in', 'confirmed', 'checked_in'],
      ['to_room', 'checked_in', 'in_room'],
      ['complete', 'in_room', 'completed'],
    ]);
    for (const h of history) {
      assert.deepEqual(h.actor, { kind: 'user', id: p.adminId });
      assert.ok(Math.abs(Date.parse(h.at) - Date.now()) < 120_000, h.at);
      assert.equal(h.version, 1);
    }
  });

  test('cancelling through the workflow API really cancels: the reason is kept and the slot is free again', async () => {
    const p = await practice();
    const start = nextSlot();
    const id = await book(p, start);
    const res = await take(p, 'appointment', id, 'cancel', 'Patient called to cancel');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().state.key, 'cancelled');
    const appointment = (await admin(p, 'GET', `/api/appointments/${id}`)).json();
    assert.equal(appointment.status, 'cancelled');
    assert.equal(appointment.cancelReason, 'Patient called to cancel');
    await book(p, start);
    const history = (await admin(p, 'GET', `${instanceUrl('appointment', id)}/history`)).json().items;
    assert.equal(history[0].note, 'Patient called to cancel');
    assertProblem(await take(p, 'appointment', id, 'cancel'), 409, 'invalid_transition');
  });

  test('a guard refuses (409 transition_guard_failed) until set_field satisfies it; a transition permission refuses with 403', async () => {
    const p = await practice();
    const def = structuredClone(DEFAULT_DEFINITIONS.appointment) as Body;
    const transitions = def.transitions as Body[];
    transitions.find((x) => x.key === 'check_in')!.guard = { '==': [{ var: 'data.confirmed' }, true] };
    transitions.find((x) => x.key === 'no_show')!.permission = 'billing:write';
    transitions.push({ key: 'confirm', label: 'Confirm by phone', from: ['booked'], to: 'booked', actions: [{ type: 'set_field', field: 'confirmed', value: true }] });
    await define(p, 'appointment', def);
    const desk = await staff(p, 'front_desk');
    const id = await book(p);

    const guarded = assertProblem(await admin(p, 'POST', `/api/appointments/${id}/check-in`), 409, 'transition_guard_failed');
    assert.match(String(guarded.detail), /"Check in"/);
    assertProblem(await take(p, 'appointment', id, 'check_in'), 409, 'transition_guard_failed');
    const asDesk = (await call(p.tenant, desk.token, 'GET', instanceUrl('appointment', id))).json();
    assert.deepEqual(
      asDesk.transitions.map((x: Body) => [x.key, x.available, x.blockedBy]),
      [['check_in', false, 'guard'], ['no_show', false, 'permission'], ['cancel', true, null], ['confirm', true, null]],
    );
    const denied = assertProblem(await call(p.tenant, desk.token, 'POST', `/api/appointments/${id}/no-show`), 403, 'permission_denied');
    assert.match(String(denied.detail), /billing:write/);
    assertProblem(await take(p, 'appointment', id, 'no_show', undefined, desk.token), 403, 'permission_denied');
    assert.equal((await admin(p, 'GET', `/api/appointments/${id}`)).json().status, 'booked', 'nothing changed');

    assert.equal((await take(p, 'appointment', id, 'confirm', undefined, desk.token)).statusCode, 200);
    const checkedIn = await call(p.tenant, desk.token, 'POST', `/api/appointments/${id}/check-in`);
    assert.equal(checkedIn.statusCode, 200, checkedIn.body);
    assert.equal(checkedIn.json().status, 'checked_in');
  });

  test('a series cancellation is followed even when no transition allows it (history without a transition)', async () => {
    const p = await practice();
    const def = structuredClone(DEFAULT_DEFINITIONS.appointment) as Body;
    (def.transitions as Body[]).find((x) => x.key === 'cancel')!.guard = { '==': [1, 2] };
    await define(p, 'appointment', def);
    const series = await admin(p, 'POST', '/api/appointment-series', {
      patientId: p.patientId, typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, start: nextSlot(), rrule: 'FREQ=WEEKLY;COUNT=2',
    });
    assert.equal(series.statusCode, 201, series.body);
    const first = series.json().occurrences[0].appointmentId;
    assertProblem(await admin(p, 'POST', `/api/appointments/${first}/cancel`, {}), 409, 'transition_guard_failed');
    assert.equal((await admin(p, 'POST', `/api/appointment-series/${series.json().id}/cancel`, {})).statusCode, 200);
    const history = (await admin(p, 'GET', `${instanceUrl('appointment', first)}/history`)).json().items;
    assert.deepEqual(history.map((h: Body) => [h.transition, h.from, h.to, (h.cause as Body).type]), [[null, 'booked', 'cancelled', 'series_cancellation']]);
  });
});

describe('invoices, tasks and webhooks', () => {
  test('payments move the invoice workflow (system transitions with the payment as cause) and the paid action queues an email', async () => {
    const p = await practice();
    const def = structuredClone(DEFAULT_DEFINITIONS.invoice) as Body;
    (def.transitions as Body[]).find((x) => x.key === 'payment')!.actions = [{ type: 'send_email', message: 'invoice' }];
    await define(p, 'invoice', def);
    const patient = await admin(p, 'POST', '/api/patients', { firstName: 'Ada', lastName: 'Payer', dateOfBirth: '1980-02-03', email: 'ada@example.test' });
    const draft = await admin(p, 'POST', '/api/invoices', { patientId: patient.json().id, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 10000, quantity: '1' }] });
    assert.equal(draft.statusCode, 201, draft.body);
    const id = draft.json().id;
    assert.equal((await admin(p, 'GET', instanceUrl('invoice', id))).json().instanceId, null, 'a draft has no stored instance yet');

    const issued = await take(p, 'invoice', id, 'issue');
    assert.equal(issued.statusCode, 200, issued.body);
    const invoice = (await admin(p, 'GET', `/api/invoices/${id}`)).json();
    assert.equal(invoice.status, 'issued');
    assert.ok(invoice.number, 'issued for real: numbered');
    assertProblem(await take(p, 'invoice', id, 'payment'), 409, 'invalid_transition');

    const part = await admin(p, 'POST', `/api/invoices/${id}/payments`, { method: 'card', amount: 4000 });
    assert.equal(part.statusCode, 201, part.body);
    const rest = await admin(p, 'POST', `/api/invoices/${id}/payments`, { method: 'cash', amount: 6000 });
    assert.equal(rest.statusCode, 201, rest.body);
    assert.equal((await admin(p, 'GET', instanceUrl('invoice', id))).json().state.key, 'paid');

    const history = (await admin(p, 'GET', `${instanceUrl('invoice', id)}/history`)).json().items as Body[];
    assert.deepEqual(history.map((h) => [h.transition, h.from, h.to]), [['issue', 'draft', 'issued'], ['part_payment', 'issued', 'partially_paid'], ['payment', 'partially_paid', 'paid']]);
    assert.deepEqual(history[1]!.cause, { type: 'payment', id: part.json().id });
    assert.deepEqual(history[2]!.cause, { type: 'payment', id: rest.json().id });
    const outcome = (history[2]!.actions as Body[])[0]!;
    assert.equal(outcome.outcome, 'queued', JSON.stringify(outcome));
    const ref = (await t.services.tenants.bySlug(p.tenant.slug))!;
    const mail = await withTenant(t.services.db, ref, (tx) =>
      tx.query<{ to_address: string; subject: string; body_text: string }>('select to_address, subject, body_text from email_outbox where tenant_id = $1 and id = $2', [tx.tenantId, outcome.messageId]),
    );
    assert.equal(mail.rows[0]?.to_address, 'ada@example.test');
    assert.match(mail.rows[0]!.subject, new RegExp(invoice.number));
    assert.match(mail.rows[0]!.body_text, /\$0\.00/, 'the balance due after the settling payment');

    // A refund moves it back, along the default refund transition.
    assert.equal((await admin(p, 'POST', `/api/invoices/${id}/payments`, { kind: 'refund', method: 'cash', amount: 10000 })).statusCode, 201);
    assert.equal((await admin(p, 'GET', instanceUrl('invoice', id))).json().state.key, 'issued');
  });

  test('voiding through the workflow API needs a note and really voids', async () => {
    const p = await practice();
    const draft = await admin(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 500, quantity: '1' }] });
    const id = draft.json().id;
    assert.equal((await admin(p, 'POST', `/api/invoices/${id}/issue`)).statusCode, 200);
    assert.equal(fieldsOf(await take(p, 'invoice', id, 'void')).has('note'), true);
    assert.equal((await take(p, 'invoice', id, 'void', 'Billed twice')).json().state.key, 'void');
    const invoice = (await admin(p, 'GET', `/api/invoices/${id}`)).json();
    assert.equal(invoice.status, 'void');
    assert.equal(invoice.voidReason, 'Billed twice');
  });

  test('a create_task action gives the role a task; only the role sees and completes it; call_webhook queues the event', async () => {
    const p = await practice();
    const def = confirmingWorkflow();
    (def.transitions as Body[])[0]!.actions = [
      { type: 'create_task', role: 'front_desk', title: 'Prepare the file', dueInMinutes: 60 },
      { type: 'call_webhook' },
    ];
    await define(p, 'appointment', def);
    const ref = (await t.services.tenants.bySlug(p.tenant.slug))!;
    const endpointId = uuidv7();
    await withTenant(t.services.db, ref, (tx) =>
      tx.query(`insert into webhook_endpoints (tenant_id, id, url, events, secret_sealed) values ($1, $2, 'https://hooks.example.test/x', '{workflow.transition}', 'sealed')`, [tx.tenantId, endpointId]),
    );
    const desk = await staff(p, 'front_desk');
    const billing = await staff(p, 'billing');
    const id = await book(p);
    const res = await take(p, 'appointment', id, 'confirm');
    assert.equal(res.statusCode, 200, res.body);

    const tasks = (await call(p.tenant, desk.token, 'GET', '/api/tasks')).json().items as Body[];
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.kind, 'appointment');
    assert.equal(tasks[0]!.entityId, id);
    assert.equal(tasks[0]!.role, 'front_desk');
    assert.equal(tasks[0]!.title, 'Prepare the file');
    assert.ok(Math.abs(Date.parse(String(tasks[0]!.dueAt)) - Date.now() - 3_600_000) < 120_000);
    assert.deepEqual((await call(p.tenant, billing.token, 'GET', '/api/tasks')).json().items, []);
    assert.deepEqual((await call(p.tenant, desk.token, 'GET', '/api/tasks?role=billing')).json().items, []);
    assert.equal((await admin(p, 'GET', '/api/tasks')).json().items.length, 1, 'settings:manage sees every role');
    assertProblem(await call(p.tenant, billing.token, 'POST', `/api/tasks/${tasks[0]!.id}/complete`), 404, 'not_found');

    const completed = await call(p.tenant, desk.token, 'POST', `/api/tasks/${tasks[0]!.id}/complete`);
    assert.equal(completed.statusCode, 200, completed.body);
    assert.equal(completed.json().status, 'done');
    assert.equal(completed.json().completedBy, desk.userId);
    assert.deepEqual((await call(p.tenant, desk.token, 'GET', '/api/tasks')).json().items, []);
    assert.equal((await call(p.tenant, desk.token, 'GET', '/api/tasks?status=done')).json().items.length, 1);

    const deliveries = await withTenant(t.services.db, ref, (tx) =>
      tx.query<{ endpoint_id: string; event_type: string; payload: Body }>('select endpoint_id, event_type, payload from webhook_deliveries where tenant_id = $1', [tx.tenantId]),
    );
    assert.equal(deliveries.rows.length, 1);
    assert.equal(deliveries.rows[0]!.event_type, 'workflow.transition');
    assert.equal(deliveries.rows[0]!.endpoint_id, endpointId);
    assert.deepEqual([deliveries.rows[0]!.payload.entityId, deliveries.rows[0]!.payload.transition, deliveries.rows[0]!.payload.to], [id, 'confirm', 'confirmed']);
  });
});

describe('versions and intake', () => {
  test('an instance on v1 takes its next transition under v2; one whose state v3 dropped stays on v1 until it reaches a state v3 has', async () => {
    const p = await practice();
    assert.equal((await define(p, 'appointment', confirmingWorkflow())).version, 1);
    const a = await book(p);
    const b = await book(p);
    assert.equal((await take(p, 'appointment', a, 'confirm')).statusCode, 200);

    const v2 = confirmingWorkflow();
    (v2.transitions as Body[])[0]!.actions = [{ type: 'set_field', field: 'confirmedUnder', value: 'v2' }];
    assert.equal((await define(p, 'appointment', v2)).version, 2);
    const before = (await admin(p, 'GET', instanceUrl('appointment', b))).json();
    assert.deepEqual([before.version, before.versionInForce], [1, 2]);
    const moved = (await take(p, 'appointment', b, 'confirm')).json();
    assert.deepEqual([moved.version, moved.data], [2, { confirmedUnder: 'v2' }]);

    // v3 drops "confirmed": A (confirmed, v1) keeps following v1 until it leaves that state.
    const v3 = structuredClone(DEFAULT_DEFINITIONS.appointment);
    assert.equal((await define(p, 'appointment', v3)).version, 3);
    const stuck = (await admin(p, 'GET', instanceUrl('appointment', a))).json();
    assert.deepEqual([stuck.state.key, stuck.version, stuck.transitions.map((x: Body) => x.key)], ['confirmed', 1, ['check_in', 'no_show', 'cancel']]);
    assert.equal((await take(p, 'appointment', a, 'check_in')).json().version, 1);
    assert.equal((await admin(p, 'POST', `/api/appointments/${a}/complete`)).statusCode, 200);
    const history = (await admin(p, 'GET', `${instanceUrl('appointment', a)}/history`)).json().items;
    assert.deepEqual(history.map((h: Body) => [h.transition, h.version]), [['confirm', 1], ['check_in', 1], ['complete', 3]]);

    const reset = await admin(p, 'DELETE', '/api/workflows/appointment');
    assert.deepEqual([reset.json().version, reset.json().isDefault], [4, true]);
    assert.equal((await admin(p, 'DELETE', '/api/workflows/appointment')).json().version, 4, 'already the default: nothing new saved');
    const versions = (await admin(p, 'GET', '/api/workflows/appointment/versions')).json().items;
    assert.deepEqual(versions.map((v: Body) => v.version), [4, 3, 2, 1, 0]);
    assert.equal(versions[3].createdBy, p.adminId);
  });

  test('patient intake: every patient has one, moved by staff who may write patients', async () => {
    const p = await practice();
    const billing = await staff(p, 'billing');
    const start = (await admin(p, 'GET', instanceUrl('patient_intake', p.patientId))).json();
    assert.deepEqual([start.state.key, start.instanceId, start.entityStatus], ['awaiting_forms', null, null]);
    assert.deepEqual(start.transitions.map((x: Body) => [x.key, x.available]), [['forms_received', true]]);
    assertProblem(await take(p, 'patient_intake', p.patientId, 'approve'), 409, 'invalid_transition');
    assertProblem(await take(p, 'patient_intake', p.patientId, 'forms_received', undefined, billing.token), 403, 'permission_denied');
    const billingView = (await call(p.tenant, billing.token, 'GET', instanceUrl('patient_intake', p.patientId))).json();
    assert.deepEqual(billingView.transitions.map((x: Body) => x.blockedBy), ['permission']);

    const moved = await take(p, 'patient_intake', p.patientId, 'forms_received', 'Paper forms scanned');
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().state.key, 'in_review');
    assert.ok(moved.json().instanceId);
    const history = (await admin(p, 'GET', `${instanceUrl('patient_intake', p.patientId)}/history`)).json().items;
    assert.deepEqual(history.map((h: Body) => [h.transition, h.note]), [['forms_received', 'Paper forms scanned']]);

    assertProblem(await admin(p, 'GET', instanceUrl('patient_intake', uuidv7())), 404, 'not_found');
    assertProblem(await admin(p, 'GET', instanceUrl('patient_intake', 'not-a-uuid')), 404, 'not_found');
    assertProblem(await admin(p, 'GET', instanceUrl('invoice', p.patientId)), 404, 'not_found');
  });
});
