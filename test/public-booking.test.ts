// Online booking without a login: the practice's online menu and slots by slug, booking (patient
// matched or registered, rules enforced, races refused), the manage link, and cancellation within
// the practice's policy. Another practice's slug or token never reaches this practice's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { setFeature } from './support/plan-fixtures.ts';
import { ONLINE_BOOKINGS_PER_EMAIL_DAY } from '../src/domain/online-booking/online-booking-service.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const ZONE = 'America/New_York';
/** A weekday at `hour` local time, `weeks` weeks ahead. */
const at = (weeks = 2, hour = 10, minute = 0) => DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour, minute });
const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true })!;

interface World {
  tenant: TestTenant;
  ref: TenantRef;
  locationId: string;
  providerId: string;
  typeId: string;
  hiddenTypeId: string;
}

async function world(tier: 'pooled' | 'schema' = 'pooled', rules: Record<string, unknown> = {}): Promise<World> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, ...rules });
  const locationId = await insertLocation(t, ref, { name: 'Riverside clinic', timeZone: ZONE });
  const providerId = await insertProvider(t, ref, { name: 'Dr Online', locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Check-up', durationMinutes: 30, providerIds: [providerId] });
  const hiddenTypeId = await insertAppointmentType(t, ref, { name: 'Surgery', durationMinutes: 60, providerIds: [providerId] });
  const patch = await t.api(tenant, tenant.adminToken, { method: 'PATCH', url: `/api/appointment-types/${typeId}`, payload: { onlineBooking: true } });
  assert.equal(patch.statusCode, 200, patch.body);
  assert.equal(patch.json().onlineBooking, true);
  return { tenant, ref, locationId, providerId, typeId, hiddenTypeId };
}

const person = (over: Record<string, unknown> = {}) => ({ firstName: 'Lena', lastName: 'Kraus', dateOfBirth: '1985-04-12', email: 'lena@example.test', ...over });

function book(w: { tenant: { slug: string } }, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: `/public/practices/${w.tenant.slug}/appointments`, payload });
}

async function bookOk(w: World, start: DateTime, patient = person()) {
  const res = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(start), patient });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { manageUrl: string; appointment: Record<string, unknown>; email: string };
}

const tokenOf = (manageUrl: string) => /\/p\/[^/]+\/appointments\/([^/?#]+)$/.exec(manageUrl)![1]!;

async function staffAppointments(w: World, day: DateTime) {
  const res = await t.api(w.tenant, w.tenant.adminToken, {
    method: 'GET',
    url: `/api/appointments?from=${encodeURIComponent(iso(day.startOf('day')))}&to=${encodeURIComponent(iso(day.endOf('day').plus({ seconds: 1 }).startOf('second')))}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as { id: string; patientId: string; status: string; lateCancel: boolean; start: string }[];
}

test('the booking menu lists only active types switched on for online booking, with names only', async () => {
  const w = await world();
  const res = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/booking` });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(body.types.map((x: { name: string }) => x.name), ['Check-up'], 'the type not switched on stays off the menu');
  assert.deepEqual(body.types[0].locationIds, [w.locationId]);
  assert.deepEqual(body.types[0].providerIds, [w.providerId]);
  assert.deepEqual(body.providers, [{ id: w.providerId, name: 'Dr Online' }]);
  assert.equal(body.locations[0].name, 'Riverside clinic');
  assert.equal(body.locations[0].timeZone, ZONE);

  await t.api(w.tenant, w.tenant.adminToken, { method: 'PATCH', url: `/api/appointment-types/${w.typeId}`, payload: { active: false } });
  const none = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/booking` });
  assert.deepEqual(none.json().types, [], 'an inactive type is not bookable online');

  for (const slug of ['no-such-practice-x', 'BAD slug!']) {
    const missing = await t.app.inject({ method: 'GET', url: `/public/practices/${encodeURIComponent(slug)}/booking` });
    assert.equal(missing.statusCode, 404, missing.body);
  }
});

test('a suspended practice answers 404 like an unknown one', async () => {
  const w = await world();
  const op = await t.operatorToken();
  const suspend = await t.app.inject({ method: 'POST', url: `/platform/tenants/${w.tenant.slug}/suspend`, headers: { authorization: `Bearer ${op}` }, payload: { reason: 'test' } });
  assert.ok(suspend.statusCode < 300, suspend.body);
  const res = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/booking` });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'not_found');
});

test('slots follow the staff slot search with its rules; types not online are not revealed', async () => {
  const w = await world('pooled', { horizonDays: 30 });
  const day = at(2);
  const res = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.typeId}&date=${day.toISODate()}` });
  assert.equal(res.statusCode, 200, res.body);
  const items = res.json().items as { start: string; providerId: string; locationId: string; timeZone: string }[];
  assert.equal(items.length, 31, '09:00–16:30 starts of 30-minute visits at 15-minute steps');
  assert.equal(DateTime.fromISO(items[0]!.start).toMillis(), day.set({ hour: 9 }).toMillis());
  assert.equal(items[0]!.timeZone, ZONE);

  await bookOk(w, day.set({ hour: 9 }));
  const after = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.typeId}&date=${day.toISODate()}&locationId=${w.locationId}` });
  assert.ok(!after.json().items.some((s: { start: string }) => DateTime.fromISO(s.start).toMillis() < day.set({ hour: 9, minute: 30 }).toMillis()), 'the booked time is gone');

  const beyond = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.typeId}&date=${at(8).toISODate()}` });
  assert.deepEqual(beyond.json().items, [], 'past the booking horizon nothing is offered');

  const hidden = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.hiddenTypeId}&date=${day.toISODate()}` });
  assert.equal(hidden.statusCode, 404, 'a type not offered online answers like an unknown one');

  const bad = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.typeId}&date=tomorrow` });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().errors.some((e: { field: string }) => e.field === 'date'), bad.body);
});

test('minimum notice: no slot sooner than the practice allows, and booking one is refused', async () => {
  const w = await world('schema', { minNoticeMinutes: 60 * 24 * 30 });
  const day = at(1);
  const res = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots?typeId=${w.typeId}&date=${day.toISODate()}` });
  assert.deepEqual(res.json().items, []);
  const refused = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(day.set({ hour: 11 })), patient: person() });
  assert.equal(refused.statusCode, 409, refused.body);
  assert.equal(refused.json().code, 'scheduling_rule_violation');
  assert.equal(refused.json().rule, 'min_notice');
});

test('booking registers a new patient, matches a known one, and answers alike; the email carries the manage link', async () => {
  const w = await world();
  const first = await bookOk(w, at(2, 10));
  assert.match(first.manageUrl, new RegExp(`/p/${w.tenant.slug}/appointments/[A-Za-z0-9_-]{43}$`));
  assert.equal(first.email, 'queued');
  assert.equal(first.appointment.status, 'booked');
  assert.equal(first.appointment.appointmentType, 'Check-up');
  assert.ok(!('patientId' in first.appointment), 'no record ids in the answer');

  const patients = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: '/api/patients?q=Kraus' });
  assert.equal(patients.json().items.length, 1, patients.body);
  const lena = patients.json().items[0];
  assert.equal(lena.email, 'lena@example.test');
  assert.equal(lena.dateOfBirth, '1985-04-12');

  // Same email, birth date and first name (other case): the same patient; the record is not changed.
  const second = await bookOk(w, at(2, 11), person({ email: 'LENA@example.test', firstName: 'lena', lastName: 'Other', phone: '+1 555 0100 22' }));
  assert.deepEqual(Object.keys(second).sort(), Object.keys(first).sort());
  // Another first name with the same email and birth date (a twin, say) is another patient.
  await bookOk(w, at(2, 12), person({ firstName: 'Mia' }));
  const appts = await staffAppointments(w, at(2));
  assert.equal(appts.filter((a) => a.patientId === lena.id).length, 2);
  assert.equal(new Set(appts.map((a) => a.patientId)).size, 2);
  const again = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: `/api/patients/${lena.id}` });
  assert.equal(again.json().lastName, 'Kraus', 'an online booking never edits an existing record');
  assert.equal(again.json().phone, null);

  const mail = await withTenant(t.services.db, w.ref, (tx) =>
    tx.query<{ body_text: string; body_html: string }>(`select body_text, body_html from email_outbox where tenant_id = $1 and message_key like 'confirmation:%' order by created_at limit 1`, [tx.tenantId]),
  );
  assert.ok(mail.rows[0]!.body_text.includes(first.manageUrl), mail.rows[0]!.body_text);
  assert.ok(mail.rows[0]!.body_html.includes(first.manageUrl));
});

test('bad input answers 400 naming the field', async () => {
  const w = await world();
  const cases: [Record<string, unknown>, string][] = [
    [{ patient: person({ email: 'not-an-email' }) }, 'patient.email'],
    [{ patient: person({ dateOfBirth: '2999-01-01' }) }, 'patient.dateOfBirth'],
    [{ patient: person({ firstName: '   ' }) }, 'patient.firstName'],
    [{ patient: person({ phone: '12' }) }, 'patient.phone'],
    [{ start: '2030-01-01T10:00:00' }, 'start'],
    [{ typeId: 'nope' }, 'typeId'],
  ];
  for (const [over, field] of cases) {
    const res = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2)), patient: person(), ...over });
    assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
    assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${field}: ${res.body}`);
  }
  assert.equal((await staffAppointments(w, at(2))).length, 0);
});

test('two patients racing for one slot: one is booked, the other told it is taken', async () => {
  const w = await world('schema');
  const start = iso(at(3, 14));
  const [a, b] = await Promise.all([
    book(w, { typeId: w.typeId, start, patient: person({ email: 'a@example.test' }) }),
    book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start, patient: person({ email: 'b@example.test' }) }),
  ]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409], `${a.body} ${b.body}`);
  assert.equal([a, b].find((r) => r.statusCode === 409)!.json().code, 'slot_taken');
  assert.equal((await staffAppointments(w, at(3))).length, 1);
  const patients = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: '/api/patients?q=Kraus' });
  assert.equal(patients.json().items.length, 1, 'the refused booking registered no one');
});

test('without provider and location the first free slot at that time is taken; a type not online is 404', async () => {
  const w = await world();
  const ok = await book(w, { typeId: w.typeId, start: iso(at(2, 15)), patient: person() });
  assert.equal(ok.statusCode, 201, ok.body);
  const gone = await book(w, { typeId: w.typeId, start: iso(at(2, 15)), patient: person({ email: 'x@example.test' }) });
  assert.equal(gone.statusCode, 409);
  const hidden = await book(w, { typeId: w.hiddenTypeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 16)), patient: person() });
  assert.equal(hidden.statusCode, 404, hidden.body);
});

test('the manage link shows the appointment and cancels it outside the window; a second cancel is refused', async () => {
  const w = await world('pooled', { cancelWindowMinutes: 60 * 24, lateCancel: 'flag' });
  const booked = await bookOk(w, at(2, 10));
  const token = tokenOf(booked.manageUrl);
  const view = await t.app.inject({ method: 'GET', url: `/public/appointments/${w.tenant.slug}/${token}` });
  assert.equal(view.statusCode, 200, view.body);
  const v = view.json();
  assert.equal(v.provider, 'Dr Online');
  assert.equal(v.location.name, 'Riverside clinic');
  assert.equal(v.canCancel, true);
  assert.equal(v.cancelIsLate, false);
  assert.match(v.policy.text, /24 hours/);

  const cancel = await t.app.inject({ method: 'POST', url: `/public/appointments/${w.tenant.slug}/${token}/cancel` });
  assert.equal(cancel.statusCode, 200, cancel.body);
  assert.equal(cancel.json().status, 'cancelled');
  assert.equal(cancel.json().canCancel, false);
  const [staff] = await staffAppointments(w, at(2));
  assert.equal(staff!.status, 'cancelled');
  assert.equal(staff!.lateCancel, false);
  const twice = await t.app.inject({ method: 'POST', url: `/public/appointments/${w.tenant.slug}/${token}/cancel`, payload: {} });
  assert.equal(twice.statusCode, 409);
  assert.equal(twice.json().code, 'invalid_transition');
});

test('a late cancellation is recorded as late where the practice flags them, refused where it refuses them', async () => {
  const flag = await world('pooled', { cancelWindowMinutes: 60 * 24 * 60, lateCancel: 'flag' });
  const f = tokenOf((await bookOk(flag, at(2, 10))).manageUrl);
  const fv = (await t.app.inject({ method: 'GET', url: `/public/appointments/${flag.tenant.slug}/${f}` })).json();
  assert.equal(fv.canCancel, true);
  assert.equal(fv.cancelIsLate, true);
  assert.match(fv.policy.text, /late cancellation/);
  const fc = await t.app.inject({ method: 'POST', url: `/public/appointments/${flag.tenant.slug}/${f}/cancel`, payload: { reason: 'ill' } });
  assert.equal(fc.statusCode, 200, fc.body);
  assert.equal(fc.json().lateCancel, true);
  assert.equal((await staffAppointments(flag, at(2)))[0]!.lateCancel, true);

  const refuse = await world('schema', { cancelWindowMinutes: 60 * 24 * 60, lateCancel: 'refuse' });
  const r = tokenOf((await bookOk(refuse, at(2, 10))).manageUrl);
  const rv = (await t.app.inject({ method: 'GET', url: `/public/appointments/${refuse.tenant.slug}/${r}` })).json();
  assert.equal(rv.canCancel, false);
  assert.match(rv.policy.text, /call the practice/);
  const rc = await t.app.inject({ method: 'POST', url: `/public/appointments/${refuse.tenant.slug}/${r}/cancel` });
  assert.equal(rc.statusCode, 409, rc.body);
  assert.equal(rc.json().code, 'scheduling_rule_violation');
  assert.equal(rc.json().rule, 'cancel_window');
  assert.equal((await staffAppointments(refuse, at(2)))[0]!.status, 'booked');
});

test('wrong tokens answer 404 and a link past its appointment 410', async () => {
  const w = await world();
  const booked = await bookOk(w, at(2, 10));
  const token = tokenOf(booked.manageUrl);
  const wrong = await t.app.inject({ method: 'GET', url: `/public/appointments/${w.tenant.slug}/${'x'.repeat(43)}` });
  assert.equal(wrong.statusCode, 404);
  const short = await t.app.inject({ method: 'GET', url: `/public/appointments/${w.tenant.slug}/abc` });
  assert.equal(short.statusCode, 400);

  const [appt] = await staffAppointments(w, at(2));
  await withTenant(t.services.db, w.ref, (tx) =>
    tx.query(
      `update appointments set starts_at = now() - interval '2 hours', ends_at = now() - interval '90 minutes',
              blocked = tstzrange(now() - interval '2 hours', now() - interval '90 minutes', '[)') where tenant_id = $1 and id = $2`,
      [tx.tenantId, appt!.id],
    ),
  );
  await withTenant(t.services.db, w.ref, (tx) => tx.query(`update appointment_manage_links set expires_at = now() - interval '90 minutes' where tenant_id = $1`, [tx.tenantId]));
  for (const req of [{ method: 'GET' as const, url: `/public/appointments/${w.tenant.slug}/${token}` }, { method: 'POST' as const, url: `/public/appointments/${w.tenant.slug}/${token}/cancel` }]) {
    const res = await t.app.inject(req);
    assert.equal(res.statusCode, 410, res.body);
    assert.equal(res.json().code, 'appointment_link_expired');
  }
});

test("another practice's slug never reaches this practice's types, slots, patients or links", async () => {
  const a = await world('pooled');
  const b = await world('schema');
  const tokenA = tokenOf((await bookOk(a, at(2, 10))).manageUrl);

  const slots = await t.app.inject({ method: 'GET', url: `/public/practices/${b.tenant.slug}/slots?typeId=${a.typeId}&date=${at(2).toISODate()}` });
  assert.equal(slots.statusCode, 404);
  const mixed = await t.app.inject({ method: 'GET', url: `/public/practices/${b.tenant.slug}/slots?typeId=${b.typeId}&date=${at(2).toISODate()}&locationId=${a.locationId}` });
  assert.equal(mixed.statusCode, 404);
  const viaB = await book(b, { typeId: a.typeId, providerId: a.providerId, locationId: a.locationId, start: iso(at(2, 11)), patient: person() });
  assert.equal(viaB.statusCode, 404, viaB.body);
  const aProviderAtB = await book(b, { typeId: b.typeId, providerId: a.providerId, locationId: b.locationId, start: iso(at(2, 11)), patient: person() });
  assert.equal(aProviderAtB.statusCode, 409, aProviderAtB.body);
  assert.equal((await staffAppointments(a, at(2))).length, 1, 'nothing was booked at A');
  assert.equal((await staffAppointments(b, at(2))).length, 0, 'nothing was booked at B');

  for (const req of [{ method: 'GET' as const, url: `/public/appointments/${b.tenant.slug}/${tokenA}` }, { method: 'POST' as const, url: `/public/appointments/${b.tenant.slug}/${tokenA}/cancel` }]) {
    const res = await t.app.inject(req);
    assert.equal(res.statusCode, 404, res.body);
  }
  assert.equal((await staffAppointments(a, at(2)))[0]!.status, 'booked');
  // B's patient with the same details as A's is B's own: A's record is not matched across practices.
  const bPatients = await t.api(b.tenant, b.tenant.adminToken, { method: 'GET', url: '/api/patients?q=Kraus' });
  assert.equal(bPatients.json().items.length, 0);
});

test('with online booking out of the plan no new bookings are taken, but booked patients can still see and cancel', async () => {
  const w = await world();
  const booked = await bookOk(w, at(2, 11));
  await setFeature(t, w.tenant, 'online_booking', false);
  const refused = [
    await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/booking` }),
    await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots`, query: { typeId: w.typeId, date: at(2).toISODate()! } }),
    await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 14)), patient: person({ email: 'later@example.test' }) }),
  ];
  for (const res of refused) {
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().code, 'feature_not_in_plan');
  }
  const token = tokenOf(booked.manageUrl);
  assert.equal((await t.app.inject({ method: 'GET', url: `/public/appointments/${w.tenant.slug}/${token}` })).statusCode, 200);
  const cancel = await t.app.inject({ method: 'POST', url: `/public/appointments/${w.tenant.slug}/${token}/cancel` });
  assert.equal(cancel.statusCode, 200, cancel.body);
  assert.equal(cancel.json().status, 'cancelled');
});

test('online answers never depend on the stored record: a known patient at the open-appointment cap books like a stranger', async () => {
  const w = await world('pooled', { maxOpenPerPatient: 1 });
  // Lena is a patient with one open appointment: at the practice's cap.
  await bookOk(w, at(2, 9));
  // Booking again as Lena answers exactly as for someone new; a 409 naming her count would tell
  // anyone who knows her email and birthday that she is a patient here.
  const again = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 13)), patient: person() });
  const stranger = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 15)), patient: person({ email: 'new@example.test', firstName: 'Nora' }) });
  assert.equal(again.statusCode, 201, again.body);
  assert.equal(stranger.statusCode, 201, stranger.body);
  assert.deepEqual(Object.keys(again.json()).sort(), Object.keys(stranger.json()).sort());
  // Staff booking still applies the cap (Lena now has two, above it).
  const lena = (await staffAppointments(w, at(2))).find((a) => DateTime.fromISO(a.start).toMillis() === at(2, 9).toMillis())!;
  const staff = await t.api(w.tenant, w.tenant.adminToken, {
    method: 'POST',
    url: '/api/appointments',
    payload: { patientId: lena.patientId, typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(3, 10)) },
  });
  assert.equal(staff.statusCode, 409, staff.body);
  assert.equal(staff.json().rule, 'max_open_per_patient');
});

test('dates at the edges of the calendar answer 400 or an empty list, never a 500', async () => {
  const w = await world();
  for (const date of ['0001-01-01', '1000-06-15', '9999-12-31']) {
    const res = await t.app.inject({ method: 'GET', url: `/public/practices/${w.tenant.slug}/slots`, query: { typeId: w.typeId, date } });
    assert.ok(res.statusCode === 400 || (res.statusCode === 200 && res.json().items.length === 0), `${date}: ${res.statusCode} ${res.body}`);
  }
  for (const start of ['0001-01-01T09:00:00Z', '9999-12-31T09:00:00Z']) {
    const res = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start, patient: person() });
    assert.ok(res.statusCode === 400 || res.statusCode === 409, `${start}: ${res.statusCode} ${res.body}`);
  }
});

test('one email cannot book more than a few times a day online: 429 with Retry-After, nothing booked', async () => {
  const w = await world();
  for (let i = 0; i < ONLINE_BOOKINGS_PER_EMAIL_DAY; i++) {
    const res = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 9 + i)), patient: person({ email: 'busy@example.test' }) });
    assert.equal(res.statusCode, 201, res.body);
  }
  const before = (await staffAppointments(w, at(2))).length;
  const over = await book(w, { typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: iso(at(2, 15)), patient: person({ email: 'BUSY@example.test' }) });
  assert.equal(over.statusCode, 429, over.body);
  assert.equal(over.json().code, 'rate_limited');
  assert.ok(Number(over.headers['retry-after']) > 0);
  assert.equal((await staffAppointments(w, at(2))).length, before);
});
