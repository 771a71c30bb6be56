// Provider iCalendar feeds: a private URL per provider, rotated on demand, minimal PHI, isolated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

async function practiceWithAppointment(tier: 'pooled' | 'schema') {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { name: 'Downtown', timeZone: 'America/New_York' });
  const providerId = await insertProvider(t, ref, { name: 'Dr Ruiz', locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Physical', durationMinutes: 45, providerIds: [providerId] });
  const p = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1950-12-09' } });
  const start = new Date(Date.now() + 7 * 86_400_000);
  start.setUTCHours(15, 0, 0, 0);
  await insertAppointment(ref, { patientId: p.json().id, providerId, locationId, typeId, start });
  return { tenant, ref, providerId, start };
}

async function insertAppointment(ref: TenantRef, a: { patientId: string; providerId: string; locationId: string; typeId: string; start: Date }) {
  const end = new Date(a.start.getTime() + 45 * 60_000);
  await withTenant(t.services.db, ref, (tx) =>
    tx.query(
      `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, starts_at, ends_at, blocked)
       values ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7, $8, '[)'))`,
      [tx.tenantId, uuidv7(), a.patientId, a.providerId, a.locationId, a.typeId, a.start.toISOString(), end.toISOString()],
    ),
  );
}

test('a feed URL serves the provider’s appointments with initials only; rotating revokes the old URL', async () => {
  const { tenant, providerId, start } = await practiceWithAppointment('schema');
  const issued = await t.api(tenant, tenant.adminToken, { method: 'POST', url: `/api/providers/${providerId}/calendar-feed` });
  assert.equal(issued.statusCode, 200, issued.body);
  const path = issued.json().path as string;
  assert.match(issued.json().url, /^http:\/\/.+\/feeds\//);
  const feed = await t.app.inject({ method: 'GET', url: path });
  assert.equal(feed.statusCode, 200, feed.body);
  assert.match(feed.headers['content-type'] as string, /^text\/calendar/);
  assert.match(feed.body, /BEGIN:VEVENT/);
  assert.match(feed.body, /SUMMARY:Physical: G\.H\./);
  assert.match(feed.body, new RegExp(`DTSTART:${start.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`));
  assert.ok(!feed.body.includes('Hopper') && !feed.body.includes('Grace'), 'no patient names in the feed');

  const again = await t.api(tenant, tenant.adminToken, { method: 'POST', url: `/api/providers/${providerId}/calendar-feed` });
  assert.notEqual(again.json().path, path);
  assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 404, 'the old URL is revoked');
  assert.equal((await t.app.inject({ method: 'GET', url: again.json().path })).statusCode, 200);
  const wrong = (again.json().path as string).replace(/[A-Za-z0-9_-]{5}\.ics$/, 'AAAAA.ics');
  assert.equal((await t.app.inject({ method: 'GET', url: wrong })).statusCode, 404);
});

test('a feed URL cannot be replayed against another practice, and front desk cannot issue one', async () => {
  const a = await practiceWithAppointment('pooled');
  const b = await practiceWithAppointment('pooled');
  const issued = await t.api(a.tenant, a.tenant.adminToken, { method: 'POST', url: `/api/providers/${a.providerId}/calendar-feed` });
  const path = issued.json().path as string;
  assert.equal((await t.app.inject({ method: 'GET', url: path.replace(`/feeds/${a.tenant.slug}/`, `/feeds/${b.tenant.slug}/`) })).statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: path.replace(a.providerId, b.providerId) })).statusCode, 404);
  await t.api(a.tenant, a.tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email: `fd@${a.tenant.slug}.test`, name: 'FD', password: 'long-password-1', roles: ['front_desk'] } });
  const fd = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.tenant.slug, email: `fd@${a.tenant.slug}.test`, password: 'long-password-1' } });
  const denied = await t.api(a.tenant, fd.json().accessToken, { method: 'POST', url: `/api/providers/${a.providerId}/calendar-feed` });
  assert.equal(denied.statusCode, 403);
  // Suspending the practice takes its feeds down too.
  const op = await t.operatorToken();
  await t.app.inject({ method: 'POST', url: `/platform/tenants/${a.tenant.slug}/suspend`, headers: { authorization: `Bearer ${op}` }, payload: { reason: 'test' } });
  assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 404);
});
