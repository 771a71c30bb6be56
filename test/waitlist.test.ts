// Waitlist: a cancellation offers the freed slot to the first match by email; the link books it
// without a staff login; an unanswered offer lapses and passes on; links are single-use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const ZONE = 'America/New_York';
const slotStart = (weeks = 2, hour = 11) => DateTime.now().setZone(ZONE).startOf('week').plus({ weeks }).set({ hour, minute: 0 });

interface World {
  tenant: TestTenant;
  ref: TenantRef;
  locationId: string;
  providerId: string;
  typeId: string;
}

async function world(tier: 'pooled' | 'schema' = 'pooled'): Promise<World> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, cancelWindowMinutes: 0, rescheduleWindowMinutes: 0, waitlistOfferMinutes: 60 });
  const locationId = await insertLocation(t, ref, { timeZone: ZONE });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Consult', durationMinutes: 30, providerIds: [providerId] });
  return { tenant, ref, locationId, providerId, typeId };
}

async function patient(w: World, name: string): Promise<string> {
  const res = await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: name, lastName: 'Wait', dateOfBirth: '1980-02-02', email: `${name.toLowerCase()}@example.test` } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function book(w: World, patientId: string, start: DateTime): Promise<string> {
  const res = await t.api(w.tenant, w.tenant.adminToken, {
    method: 'POST',
    url: '/api/appointments',
    payload: { patientId, typeId: w.typeId, providerId: w.providerId, locationId: w.locationId, start: start.toISO({ suppressMilliseconds: true }) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function wait(w: World, patientId: string, start: DateTime) {
  const res = await t.api(w.tenant, w.tenant.adminToken, {
    method: 'POST',
    url: '/api/waitlist',
    payload: { patientId, typeId: w.typeId, earliest: start.minus({ days: 3 }).toISODate(), latest: start.plus({ days: 3 }).toISODate() },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

async function offerLinks(w: World, to: string): Promise<string[]> {
  const res = await withTenant(t.services.db, w.ref, (tx) =>
    tx.query<{ body_text: string }>(`select body_text from email_outbox where tenant_id = $1 and to_address = $2 and message_key like 'waitlist-offer:%' order by created_at`, [tx.tenantId, to]),
  );
  // The email links the web app's offer page; the page answers through the public offer API.
  return res.rows.map((r) => {
    const [, slug, token] = /\/p\/([^/\s]+)\/waitlist\/([^\s/]+)/.exec(r.body_text)!;
    return `/waitlist/offers/${slug}/${token}`;
  });
}

async function entry(w: World, id: string) {
  const list = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: '/api/waitlist' });
  return list.json().items.find((e: { id: string }) => e.id === id);
}

test('a cancellation offers the slot to the first waiting patient, whose link books it once', async () => {
  const w = await world('schema');
  const start = slotStart();
  const [ann, bob, cat] = [await patient(w, 'Ann'), await patient(w, 'Bob'), await patient(w, 'Cat')];
  const appt = await book(w, ann, start);
  const bobEntry = await wait(w, bob, start);
  await wait(w, cat, start);

  const cancel = await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: `/api/appointments/${appt}/cancel`, payload: { reason: 'travel' } });
  assert.equal(cancel.statusCode, 200, cancel.body);
  await t.services.jobs.runDue(new Date());
  await t.services.jobs.runDue(new Date());
  const offered = await entry(w, bobEntry);
  assert.equal(offered.status, 'offered');
  assert.equal(new Date(offered.offer.start).getTime(), start.toJSDate().getTime());
  const [link] = await offerLinks(w, 'bob@example.test');
  assert.ok(link, 'Bob was emailed a link');
  assert.deepEqual(await offerLinks(w, 'cat@example.test'), [], 'only the first in line is offered');

  const page = await t.app.inject({ method: 'GET', url: link! });
  assert.equal(page.statusCode, 200, page.body);
  assert.equal(page.json().status, 'offered');
  assert.equal(page.json().appointmentType, 'Consult');
  assert.equal(DateTime.fromISO(page.json().start).toMillis(), start.toMillis());

  const accepted = await t.app.inject({ method: 'POST', url: `${link}/accept` });
  assert.equal(accepted.statusCode, 201, accepted.body);
  const booked = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: `/api/appointments/${accepted.json().appointmentId}` });
  assert.equal(booked.json().patientId, bob);
  assert.equal((await entry(w, bobEntry)).status, 'booked');
  const again = await t.app.inject({ method: 'POST', url: `${link}/accept` });
  assert.equal(again.statusCode, 404, 'a used link is gone');
  const audit = await t.api(w.tenant, w.tenant.adminToken, { method: 'GET', url: `/api/audit-events?resourceId=${accepted.json().appointmentId}` });
  assert.ok(audit.json().items.some((e: { action: string; actor: { type: string } }) => e.action === 'appointment.book' && e.actor.type === 'patient'));
});

test('an unanswered offer lapses: its link answers 410 and the next patient is offered the slot', async () => {
  const w = await world();
  const start = slotStart(3, 14);
  const [ann, bob, cat] = [await patient(w, 'Ann'), await patient(w, 'Bob'), await patient(w, 'Cat')];
  const appt = await book(w, ann, start);
  const bobEntry = await wait(w, bob, start);
  const catEntry = await wait(w, cat, start);
  await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: `/api/appointments/${appt}/cancel`, payload: {} });
  await t.services.jobs.runDue(new Date());
  const [bobLink] = await offerLinks(w, 'bob@example.test');
  assert.equal((await entry(w, bobEntry)).status, 'offered');

  const later = new Date(Date.now() + 61 * 60_000);
  await t.services.jobs.runDue(later);
  await t.services.jobs.runDue(later);
  assert.equal((await entry(w, bobEntry)).status, 'waiting', 'Bob stays on the list for other openings');
  assert.equal((await entry(w, catEntry)).status, 'offered');
  assert.equal((await offerLinks(w, 'cat@example.test')).length, 1);
  const late = await t.app.inject({ method: 'POST', url: `${bobLink}/accept` });
  assert.equal(late.statusCode, 404, 'the lapsed link no longer exists');

  // Cat's link, opened after its own expiry time (before the job ran), is refused as expired.
  const [catLink] = await offerLinks(w, 'cat@example.test');
  await withTenant(t.services.db, w.ref, (tx) => tx.query(`update waitlist_entries set offer_expires_at = now() - interval '1 minute' where tenant_id = $1 and id = $2`, [tx.tenantId, catEntry]));
  const expired = await t.app.inject({ method: 'POST', url: `${catLink}/accept` });
  assert.equal(expired.statusCode, 410, expired.body);
  assert.equal(expired.json().code, 'offer_expired');
});

test('waitlist validation and staff-side cancel', async () => {
  const w = await world();
  const p = await patient(w, 'Dee');
  const bad = await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: '/api/waitlist', payload: { patientId: p, typeId: w.typeId, earliest: '2030-02-10', latest: '2030-02-01' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors[0].field, 'latest');
  const id = await wait(w, p, slotStart());
  const cancelled = await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: `/api/waitlist/${id}/cancel` });
  assert.equal(cancelled.json().status, 'cancelled');
  const twice = await t.api(w.tenant, w.tenant.adminToken, { method: 'POST', url: `/api/waitlist/${id}/cancel` });
  assert.equal(twice.statusCode, 409);
});
