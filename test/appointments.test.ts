/**
 * Booking over the real HTTP stack and database: book, concurrent bookings of one slot (provider and
 * resource pool), idempotent retries (sequential and racing), buffers, cancellation (on time, late
 * flagged, late refused, overridden), rescheduling, status steps, permissions and other practices' ids.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import {
  WEEKDAYS_9_TO_5,
  insertAppointmentType,
  insertLocation,
  insertProvider,
  insertResource,
  setPracticeRules,
  tenantRef,
} from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Body = Record<string, unknown>;

const ZONE = 'Europe/Berlin';

/** 10:00 (or `hour:minute`) on the Monday three weeks ahead, in the location's zone: inside default horizons, outside default windows. */
function slot(hour = 10, minute = 0, weeks = 3): string {
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour, minute }).toISO({ suppressMilliseconds: true })!;
}

interface Practice {
  readonly tenant: TestTenant;
  readonly locationId: string;
  readonly providerId: string;
  readonly provider2Id: string;
  readonly typeId: string;
}

/** A fresh practice: one location (Berlin), two providers working 9–5 on weekdays, a 30-minute type offered by both. */
async function practice(
  opts: { rules?: Body; typeRules?: Body; bufferBefore?: number; bufferAfter?: number; rooms?: number; tier?: 'pooled' | 'schema' } = {},
): Promise<Practice & { roomIds: string[] }> {
  const tenant = await t.createTenant(opts.tier ?? 'pooled');
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, ...opts.rules });
  const locationId = await insertLocation(t, ref, { timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { name: 'Dr One', locationId, hours: WEEKDAYS_9_TO_5 });
  const provider2Id = await insertProvider(t, ref, { name: 'Dr Two', locationId, hours: WEEKDAYS_9_TO_5 });
  const roomIds: string[] = [];
  for (let i = 0; i < (opts.rooms ?? 0); i++) roomIds.push(await insertResource(t, ref, { locationId, name: `Room ${i + 1}` }));
  const typeId = await insertAppointmentType(t, ref, {
    durationMinutes: 30,
    bufferBefore: opts.bufferBefore ?? 0,
    bufferAfter: opts.bufferAfter ?? 0,
    providerIds: [providerId, provider2Id],
    resourceIds: roomIds,
    ...(opts.typeRules ? { rules: opts.typeRules } : {}),
  });
  return { tenant, locationId, providerId, provider2Id, typeId, roomIds };
}

let patientSeq = 0;
async function patient(tenant: TestTenant): Promise<string> {
  patientSeq++;
  const res = await t.api(tenant, tenant.adminToken, {
    method: 'POST',
    url: '/api/patients',
    payload: { firstName: 'Pat', lastName: `Booking${patientSeq}`, dateOfBirth: '1980-05-0' + ((patientSeq % 9) + 1) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

function book(p: Practice, body: Body, headers: Record<string, string> = {}, token = p.tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, token, {
    method: 'POST',
    url: '/api/appointments',
    headers,
    payload: { typeId: p.typeId, providerId: p.providerId, locationId: p.locationId, start: slot(), ...body },
  });
}

async function bookOk(p: Practice, body: Body): Promise<Body & { id: string }> {
  const res = await book(p, body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

function step(p: Practice, id: string, action: string, payload?: Body): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/appointments/${id}/${action}`, ...(payload ? { payload } : {}) });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string, rule?: string): Body {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  if (rule !== undefined) assert.equal(body.rule, rule, res.body);
  return body;
}

/** Rows in the practice's appointments table, read straight through the tenancy door. */
async function rows(p: Practice, where = 'true', params: unknown[] = []): Promise<Body[]> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => (await tx.query<Body>(`select * from appointments where tenant_id = $1 and ${where}`, [tx.tenantId, ...params])).rows);
}

async function auditActions(p: Practice, resourceId: string): Promise<string[]> {
  const res = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { resourceId, limit: '200' } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((e: { action: string }) => e.action);
}

async function staffToken(tenant: TestTenant, role: string): Promise<string> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@${tenant.slug}.test`;
  const created = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: role, password: PASSWORD, roles: [role] } });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken;
}

describe('booking', () => {
  test('books an appointment: 201 with times in the location zone, readable and listed', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    const res = await book(p, { patientId, notes: 'first visit' });
    assert.equal(res.statusCode, 201, res.body);
    const a = res.json();
    assert.equal(res.headers.location, `/api/appointments/${a.id}`);
    const expectedStart = DateTime.fromISO(slot(), { setZone: true });
    assert.equal(a.start, slot());
    assert.match(a.start, /[+-]0[12]:00$/, 'Berlin offset');
    assert.equal(DateTime.fromISO(a.end).toMillis() - expectedStart.toMillis(), 30 * 60_000);
    assert.deepEqual(
      { patientId: a.patientId, providerId: a.providerId, locationId: a.locationId, typeId: a.typeId, resourceId: a.resourceId, status: a.status },
      { patientId, providerId: p.providerId, locationId: p.locationId, typeId: p.typeId, resourceId: null, status: 'booked' },
    );
    assert.equal(a.lateCancel, false);
    assert.equal(a.overrideReason, null);
    assert.equal(a.notes, 'first visit');
    assert.equal(a.version, 1);

    const read = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: `/api/appointments/${a.id}` });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(read.json(), a);

    const from = expectedStart.startOf('day').toISO()!;
    const to = expectedStart.plus({ days: 1 }).startOf('day').toISO()!;
    const list = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, providerId: p.providerId } });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json().items.map((x: { id: string }) => x.id), [a.id]);
    const other = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, providerId: p.provider2Id } });
    assert.deepEqual(other.json().items, []);
    assert.deepEqual((await auditActions(p, a.id)).sort(), ['appointment.book', 'appointment.read']);
  });

  test('50 concurrent bookings of one slot for 50 patients: exactly one wins, 49 answer slot_taken', async () => {
    const p = await practice();
    const patients: string[] = [];
    for (let i = 0; i < 50; i++) patients.push(await patient(p.tenant));
    const results = await Promise.all(patients.map((patientId) => book(p, { patientId })));
    const created = results.filter((r) => r.statusCode === 201);
    const taken = results.filter((r) => r.statusCode === 409);
    assert.equal(created.length, 1, results.map((r) => r.statusCode).join(','));
    assert.equal(taken.length, 49);
    for (const r of taken) assertProblem(r, 409, 'slot_taken', 'conflict');
    const stored = await rows(p, "provider_id = $2 and status = 'booked'", [p.providerId]);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.id, created[0]!.json().id);
  });

  test('a resource pool with one room: the second provider at the same time finds no room, also when racing', async () => {
    const p = await practice({ rooms: 1 });
    const [p1, p2, p3, p4] = [await patient(p.tenant), await patient(p.tenant), await patient(p.tenant), await patient(p.tenant)];
    const first = await bookOk(p, { patientId: p1 });
    assert.equal(first.resourceId, p.roomIds[0]);
    assertProblem(await book(p, { patientId: p2, providerId: p.provider2Id }), 409, 'slot_taken', 'resource_unavailable');

    const raced = await Promise.all([book(p, { patientId: p3, start: slot(11) }), book(p, { patientId: p4, start: slot(11), providerId: p.provider2Id })]);
    assert.deepEqual(raced.map((r) => r.statusCode).sort(), [201, 409], raced.map((r) => r.body).join('\n'));
    assertProblem(raced.find((r) => r.statusCode === 409)!, 409, 'slot_taken', 'resource_unavailable');
    assert.equal((await rows(p, "resource_id = $2 and status = 'booked'", [p.roomIds[0]])).length, 2);
  });

  test('buffers make adjacent bookings conflict', async () => {
    const p = await practice({ bufferAfter: 15 });
    const [a, b, c] = [await patient(p.tenant), await patient(p.tenant), await patient(p.tenant)];
    await bookOk(p, { patientId: a, start: slot(10, 0) });
    // 10:00–10:30 plus 15 minutes after: 10:30 is still blocked, 10:45 is free.
    const adjacent = await book(p, { patientId: b, start: slot(10, 30) });
    assertProblem(adjacent, 409, 'slot_taken', 'conflict');
    await bookOk(p, { patientId: c, start: slot(10, 45) });
  });

  test('a broken rule answers scheduling_rule_violation with the rule; an override with a reason books it and is audited', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    const evening = slot(19, 0);
    assertProblem(await book(p, { patientId, start: evening }), 409, 'scheduling_rule_violation', 'outside_hours');
    const overridden = await bookOk(p, { patientId, start: evening, override: { reason: 'Urgent follow-up agreed by Dr One' } });
    assert.equal(overridden.overrideReason, 'Urgent follow-up agreed by Dr One');
    assert.deepEqual((await auditActions(p, overridden.id)).sort(), ['appointment.book', 'appointment.override']);
    // Overrides never allow a double booking.
    const other = await patient(p.tenant);
    assertProblem(await book(p, { patientId: other, start: evening, override: { reason: 'Try to squeeze in' } }), 409, 'slot_taken', 'conflict');
  });

  test('overrides are refused when the practice does not allow them', async () => {
    const p = await practice({ rules: { frontDeskOverride: false } });
    const patientId = await patient(p.tenant);
    const res = await book(p, { patientId, start: slot(19, 0), override: { reason: 'Please' } });
    const body = assertProblem(res, 409, 'scheduling_rule_violation', 'outside_hours');
    assert.match(String(body.detail), /does not allow overrides/);
    assert.equal((await rows(p)).length, 0);
  });

  test('an archived patient, a missing type and another practice’s patient are refused', async () => {
    const p = await practice();
    const q = await practice();
    const theirs = await patient(q.tenant);
    assertProblem(await book(p, { patientId: theirs }), 404, 'not_found');
    const archived = await patient(p.tenant);
    const arch = await t.api(p.tenant, p.tenant.adminToken, { method: 'POST', url: `/api/patients/${archived}/archive` });
    assert.equal(arch.statusCode, 200, arch.body);
    assertProblem(await book(p, { patientId: archived }), 409, 'patient_archived');
    const mine = await patient(p.tenant);
    assertProblem(await book(p, { patientId: mine, typeId: q.typeId }), 404, 'not_found');
    assertProblem(await book(p, { patientId: mine, start: '2026-03-02T10:00:00' }), 400, 'validation_failed');
    assert.equal((await rows(p)).length, 0);
    assert.equal((await rows(q)).length, 0);
  });

  test('permissions: billing cannot book nor read the calendar; front desk can book', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    const billing = await staffToken(p.tenant, 'billing');
    const denied = await book(p, { patientId }, {}, billing);
    assertProblem(denied, 403, 'permission_denied');
    const list = await t.api(p.tenant, billing, { method: 'GET', url: '/api/appointments', query: { from: slot(0), to: slot(23) } });
    assertProblem(list, 403, 'permission_denied');
    assert.equal((await rows(p)).length, 0);
    const desk = await staffToken(p.tenant, 'front_desk');
    const ok = await book(p, { patientId }, {}, desk);
    assert.equal(ok.statusCode, 201, ok.body);
    assertProblem(await t.api(p.tenant, billing, { method: 'POST', url: `/api/appointments/${ok.json().id}/cancel`, payload: {} }), 403, 'permission_denied');
    assert.equal((await rows(p, "status = 'booked'")).length, 1);
  });
});

describe('idempotency', () => {
  test('a retried booking with the same key returns the first appointment (201 both times) and creates one row', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    const headers = { 'idempotency-key': 'book-7f3a' };
    const first = await book(p, { patientId }, headers);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await book(p, { patientId }, headers);
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal((await rows(p)).length, 1);
    // Key order in the body does not matter (canonical JSON).
    const reordered = await t.api(p.tenant, p.tenant.adminToken, {
      method: 'POST',
      url: '/api/appointments',
      headers,
      payload: { start: slot(), locationId: p.locationId, providerId: p.providerId, typeId: p.typeId, patientId },
    });
    assert.equal(reordered.statusCode, 201, reordered.body);
    assert.equal(reordered.json().id, first.json().id);
  });

  test('racing retries with one key create one appointment and all get its id', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    const results = await Promise.all(Array.from({ length: 6 }, () => book(p, { patientId }, { 'idempotency-key': 'race-1' })));
    for (const r of results) assert.equal(r.statusCode, 201, r.body);
    assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
    assert.equal(results.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 5);
    assert.equal((await rows(p)).length, 1);
  });

  test('the same key with another body answers 422; a malformed key 400 naming the header', async () => {
    const p = await practice();
    const patientId = await patient(p.tenant);
    assert.equal((await book(p, { patientId }, { 'idempotency-key': 'k-1' })).statusCode, 201);
    assertProblem(await book(p, { patientId, start: slot(11) }, { 'idempotency-key': 'k-1' }), 422, 'idempotency_key_reused');
    const bad = assertProblem(await book(p, { patientId, start: slot(12) }, { 'idempotency-key': 'x'.repeat(201) }), 400, 'validation_failed');
    assert.deepEqual((bad.errors as { field: string }[]).map((e) => e.field), ['Idempotency-Key']);
    assert.equal((await rows(p)).length, 1);
    // Keys belong to one practice: another practice may use the same key for its own booking.
    const q = await practice();
    const qPatient = await patient(q.tenant);
    const theirs = await book(q, { patientId: qPatient }, { 'idempotency-key': 'k-1' });
    assert.equal(theirs.statusCode, 201, theirs.body);
    assert.equal(theirs.headers['idempotent-replayed'], undefined);
  });

  test('a failed booking is not stored: the same key runs again once the slot is free', async () => {
    const p = await practice();
    const [a, b] = [await patient(p.tenant), await patient(p.tenant)];
    const taken = await bookOk(p, { patientId: a });
    assertProblem(await book(p, { patientId: b }, { 'idempotency-key': 'retry-later' }), 409, 'slot_taken');
    assert.equal((await step(p, taken.id, 'cancel', {})).statusCode, 200);
    const retried = await book(p, { patientId: b }, { 'idempotency-key': 'retry-later' });
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
  });
});

describe('cancel and reschedule', () => {
  test('a cancelled appointment frees its slot', async () => {
    const p = await practice();
    const [a, b] = [await patient(p.tenant), await patient(p.tenant)];
    const first = await bookOk(p, { patientId: a });
    assertProblem(await book(p, { patientId: b }), 409, 'slot_taken');
    const cancelled = await step(p, first.id, 'cancel', { reason: 'Patient called' });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json().status, 'cancelled');
    assert.equal(cancelled.json().lateCancel, false);
    assert.equal(cancelled.json().cancelReason, 'Patient called');
    assert.equal(cancelled.json().version, 2);
    await bookOk(p, { patientId: b });
    assertProblem(await step(p, first.id, 'cancel', {}), 409, 'invalid_transition');
  });

  test('late cancellation with lateCancel "flag": allowed and flagged', async () => {
    const p = await practice({ rules: { cancelWindowMinutes: 60 * 24 * 30, lateCancel: 'flag' } });
    const a = await bookOk(p, { patientId: await patient(p.tenant) });
    const res = await step(p, a.id, 'cancel'); // no body at all: reason and override are optional
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().lateCancel, true);
    assert.equal(res.json().overrideReason, null);
  });

  test('late cancellation with lateCancel "refuse": refused, then allowed with an override reason and audited', async () => {
    const p = await practice({ typeRules: { cancelWindowMinutes: 60 * 24 * 30, lateCancel: 'refuse' } });
    const a = await bookOk(p, { patientId: await patient(p.tenant) });
    assertProblem(await step(p, a.id, 'cancel', {}), 409, 'scheduling_rule_violation', 'cancel_window');
    assert.equal((await rows(p, "status = 'booked'")).length, 1);
    const res = await step(p, a.id, 'cancel', { reason: 'ill', override: { reason: 'Hospital admission, fee waived' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'cancelled');
    assert.equal(res.json().lateCancel, true);
    assert.equal(res.json().overrideReason, 'Hospital admission, fee waived');
    const actions = await auditActions(p, a.id);
    assert.ok(actions.includes('appointment.cancel') && actions.includes('appointment.override'), actions.join(','));
  });

  test('reschedule inside the window is refused unless overridden; outside it moves and frees the old slot', async () => {
    const p = await practice({ rules: { rescheduleWindowMinutes: 60 * 24 * 30 } });
    const a = await bookOk(p, { patientId: await patient(p.tenant) });
    assertProblem(await step(p, a.id, 'reschedule', { start: slot(14) }), 409, 'scheduling_rule_violation', 'reschedule_window');
    const moved = await step(p, a.id, 'reschedule', { start: slot(14), override: { reason: 'Provider asked' } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().start, slot(14));
    assert.equal(moved.json().version, 2);
    assert.equal(moved.json().overrideReason, 'Provider asked');
    assert.ok((await auditActions(p, a.id)).includes('appointment.override'));

    const q = await practice({ rules: { rescheduleWindowMinutes: 0 } });
    const [x, y] = [await patient(q.tenant), await patient(q.tenant)];
    const b = await bookOk(q, { patientId: x, start: slot(9) });
    await bookOk(q, { patientId: y, start: slot(15) });
    assertProblem(await step(q, b.id, 'reschedule', { start: slot(15) }), 409, 'slot_taken', 'conflict');
    // Moving to the other provider at the same time is fine, and frees the old 9:00.
    const toOther = await step(q, b.id, 'reschedule', { start: slot(15), providerId: q.provider2Id });
    assert.equal(toOther.statusCode, 200, toOther.body);
    assert.equal(toOther.json().providerId, q.provider2Id);
    assert.equal(toOther.json().overrideReason, null);
    await bookOk(q, { patientId: await patient(q.tenant), start: slot(9) });
    // Moving onto part of its own old time does not conflict with itself.
    const nudged = await step(q, b.id, 'reschedule', { start: slot(15, 15) });
    assert.equal(nudged.statusCode, 200, nudged.body);
    assert.equal(nudged.json().start, slot(15, 15));
    assert.equal((await rows(q, "status = 'booked'")).length, 3);
  });
});

describe('status steps', () => {
  test('check-in then complete; no-show only from booked; anything else is invalid_transition', async () => {
    const p = await practice();
    const a = await bookOk(p, { patientId: await patient(p.tenant), start: slot(9) });
    assertProblem(await step(p, a.id, 'complete'), 409, 'invalid_transition');
    const checkedIn = await step(p, a.id, 'check-in');
    assert.equal(checkedIn.statusCode, 200, checkedIn.body);
    assert.equal(checkedIn.json().status, 'checked_in');
    assertProblem(await step(p, a.id, 'no-show'), 409, 'invalid_transition');
    assertProblem(await step(p, a.id, 'check-in'), 409, 'invalid_transition');
    assertProblem(await step(p, a.id, 'cancel', {}), 409, 'invalid_transition');
    assertProblem(await step(p, a.id, 'reschedule', { start: slot(11) }), 409, 'invalid_transition');
    const completed = await step(p, a.id, 'complete');
    assert.equal(completed.statusCode, 200, completed.body);
    assert.equal(completed.json().status, 'completed');
    assert.equal(completed.json().version, 3);
    assertProblem(await step(p, a.id, 'complete'), 409, 'invalid_transition');

    const b = await bookOk(p, { patientId: await patient(p.tenant), start: slot(10) });
    const noShow = await step(p, b.id, 'no-show');
    assert.equal(noShow.statusCode, 200, noShow.body);
    assert.equal(noShow.json().status, 'no_show');
    assertProblem(await step(p, b.id, 'check-in'), 409, 'invalid_transition');
    // A no-show frees the time; a completed visit keeps it.
    await bookOk(p, { patientId: await patient(p.tenant), start: slot(10) });
    assertProblem(await book(p, { patientId: await patient(p.tenant), start: slot(9) }), 409, 'slot_taken');
    assert.deepEqual((await auditActions(p, a.id)).filter((x) => x !== 'appointment.book').sort(), ['appointment.check_in', 'appointment.complete']);
    assertProblem(await step(p, '01900000-0000-7000-8000-000000000000', 'check-in'), 404, 'not_found');
  });
});

describe('listing', () => {
  test('filters, orders by start and pages with a cursor; ranges over 62 days are refused', async () => {
    const p = await practice();
    const pat = await patient(p.tenant);
    const other = await patient(p.tenant);
    const ids = [];
    for (const h of [13, 9, 11]) ids.push((await bookOk(p, { patientId: pat, start: slot(h) })).id);
    const cancelled = await bookOk(p, { patientId: other, start: slot(15) });
    assert.equal((await step(p, cancelled.id, 'cancel', {})).statusCode, 200);
    const from = slot(0);
    const to = slot(23, 59);
    const page1 = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, limit: '2' } });
    assert.equal(page1.statusCode, 200, page1.body);
    assert.deepEqual(page1.json().items.map((a: { start: string }) => a.start), [slot(9), slot(11)]);
    const page2 = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, limit: '2', cursor: page1.json().nextCursor } });
    assert.deepEqual(page2.json().items.map((a: { start: string }) => a.start), [slot(13), slot(15)]);
    assert.equal(page2.json().nextCursor, null);
    const byPatient = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, patientId: pat } });
    assert.deepEqual(byPatient.json().items.map((a: { id: string }) => a.id), [ids[1], ids[2], ids[0]]);
    const byStatus = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, status: 'cancelled' } });
    assert.deepEqual(byStatus.json().items.map((a: { id: string }) => a.id), [cancelled.id]);
    const tooLong = await t.api(p.tenant, p.tenant.adminToken, {
      method: 'GET',
      url: '/api/appointments',
      query: { from, to: DateTime.fromISO(from).plus({ days: 63 }).toISO()! },
    });
    assertProblem(tooLong, 400, 'validation_failed');
    assertProblem(await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: '/api/appointments', query: { from, to, cursor: 'garbage' } }), 400, 'invalid_cursor');
  });
});
