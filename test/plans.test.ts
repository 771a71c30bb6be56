// Plans and feature flags: the operator sets a practice's plan and overrides, the next request obeys
// (staff routes and patient links alike), /api/me shows what is on, and staff seats are a limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { startTestApp, PASSWORD, uniqueSlug, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { setFeature, setPlan } from './support/plan-fixtures.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const admin = (tenant: TestTenant, method: Method, url: string, payload?: object) => t.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
async function operator(method: Method, url: string, payload?: object, token?: string) {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${token ?? (await t.operatorToken())}` }, ...(payload !== undefined ? { payload } : {}) });
}

function assertFeatureRefused(res: { statusCode: number; json(): { code: string; detail: string } }, feature: string, plan?: string) {
  assert.equal(res.statusCode, 403, JSON.stringify(res.json()));
  assert.equal(res.json().code, 'feature_not_in_plan');
  assert.match(res.json().detail, new RegExp(`"${feature}"`));
  if (plan) assert.match(res.json().detail, new RegExp(`"${plan}"`));
}

test('the operator reads the plan catalogue; a new practice is on standard, with each feature’s source', async () => {
  const catalogue = await operator('GET', '/platform/plans');
  assert.equal(catalogue.statusCode, 200, catalogue.body);
  const plans = catalogue.json().items as { key: string; features: string[]; limits: { staffSeats: number; requestsPerMinute: number } }[];
  assert.deepEqual(plans.map((p) => p.key), ['starter', 'standard', 'professional']);
  for (const [smaller, bigger] of [[plans[0]!, plans[1]!], [plans[1]!, plans[2]!]] as const) {
    assert.ok(smaller.features.every((f) => bigger.features.includes(f)), `${bigger.key} includes all of ${smaller.key}`);
    assert.ok(smaller.limits.staffSeats < bigger.limits.staffSeats && smaller.limits.requestsPerMinute < bigger.limits.requestsPerMinute);
  }
  const features = catalogue.json().features.map((f: { key: string }) => f.key);
  assert.ok(['waitlist', 'recurring_appointments', 'custom_roles', 'billing', 'workflows', 'webhooks'].every((f) => features.includes(f)));

  const a = await t.createTenant('pooled');
  const view = (await operator('GET', `/platform/tenants/${a.slug}/features`)).json();
  assert.equal(view.plan.key, 'standard');
  assert.equal(view.tenant.id, a.id);
  const waitlist = view.features.find((f: { feature: string }) => f.feature === 'waitlist');
  assert.deepEqual({ ...waitlist, description: undefined }, { feature: 'waitlist', description: undefined, enabled: true, inPlan: true, source: 'plan' });
  const me = (await admin(a, 'GET', '/api/me')).json();
  assert.equal(me.plan.key, 'standard');
  assert.equal(me.plan.limits.staffSeats, plans[1]!.limits.staffSeats);
  assert.deepEqual(me.features, view.features.filter((f: { enabled: boolean }) => f.enabled).map((f: { feature: string }) => f.feature));
  // By id as well as by slug.
  assert.equal((await operator('GET', `/platform/tenants/${a.id}/features`)).json().tenant.slug, a.slug);
});

test('a plan change applies on the next request; an override turns a feature back on; null returns to the plan', async () => {
  const a = await t.createTenant('schema');
  const desk = await admin(a, 'POST', '/api/staff', { email: `desk@${a.slug}.test`, name: 'Desk', password: PASSWORD, roles: ['front_desk'] });
  const deskToken = (await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.slug, email: desk.json().email, password: PASSWORD } })).json().accessToken as string;
  assert.equal((await admin(a, 'GET', '/api/waitlist')).statusCode, 200);

  const moved = await operator('PUT', `/platform/tenants/${a.slug}/plan`, { plan: 'starter' });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().plan.key, 'starter');
  // Same tokens, next request: every route of the missing features answers feature_not_in_plan.
  assertFeatureRefused(await admin(a, 'GET', '/api/waitlist'), 'waitlist', 'starter');
  assertFeatureRefused(await admin(a, 'POST', '/api/waitlist', { patientId: a.id, typeId: a.id, earliest: '2030-01-01', latest: '2030-01-02' }), 'waitlist');
  assertFeatureRefused(await admin(a, 'GET', `/api/appointment-series/${a.id}`), 'recurring_appointments', 'starter');
  assertFeatureRefused(await admin(a, 'POST', '/api/roles', { key: 'nurse', name: 'Nurse', permissions: [] }), 'custom_roles', 'starter');
  // The plan is checked before the permission: a member without staff:manage also hears "not in plan".
  assertFeatureRefused(await t.api(a, deskToken, { method: 'POST', url: '/api/roles', payload: { key: 'nurse', name: 'Nurse', permissions: [] } }), 'custom_roles');
  assert.equal((await t.api(a, deskToken, { method: 'GET', url: '/api/waitlist' })).json().code, 'feature_not_in_plan');
  // What the plan still includes keeps working, and reading roles is not a custom-roles feature.
  assert.equal((await admin(a, 'GET', '/api/roles')).statusCode, 200);
  assert.equal((await admin(a, 'GET', '/api/invoices')).statusCode, 200);
  const me = (await admin(a, 'GET', '/api/me')).json();
  assert.equal(me.plan.key, 'starter');
  assert.ok(!me.features.includes('waitlist') && me.features.includes('billing'));

  const on = await operator('PUT', `/platform/tenants/${a.slug}/features/waitlist`, { enabled: true });
  assert.equal(on.statusCode, 200, on.body);
  assert.deepEqual(
    on.json().features.find((f: { feature: string }) => f.feature === 'waitlist'),
    { feature: 'waitlist', description: on.json().features.find((f: { feature: string }) => f.feature === 'waitlist').description, enabled: true, inPlan: false, source: 'override' },
  );
  assert.equal((await admin(a, 'GET', '/api/waitlist')).statusCode, 200, 'the override enables it again');
  assert.ok((await admin(a, 'GET', '/api/me')).json().features.includes('waitlist'));
  assertFeatureRefused(await admin(a, 'GET', `/api/appointment-series/${a.id}`), 'recurring_appointments');

  const cleared = await operator('PUT', `/platform/tenants/${a.slug}/features/waitlist`, { enabled: null });
  assert.equal(cleared.json().features.find((f: { feature: string }) => f.feature === 'waitlist').source, 'plan');
  assertFeatureRefused(await admin(a, 'GET', '/api/waitlist'), 'waitlist', 'starter');

  // Back on standard, and an override can also switch off what the plan includes.
  await setPlan(t, a, 'standard');
  assert.equal((await admin(a, 'GET', '/api/waitlist')).statusCode, 200);
  await setFeature(t, a, 'custom_roles', false);
  assertFeatureRefused(await admin(a, 'POST', '/api/roles', { key: 'nurse', name: 'Nurse', permissions: [] }), 'custom_roles', 'standard');
  await setFeature(t, a, 'custom_roles', null);
  assert.equal((await admin(a, 'POST', '/api/roles', { key: 'nurse', name: 'Nurse', permissions: [] })).statusCode, 201);

  const log = await asPlatform(t.services.db, (tx) =>
    tx.query<{ action: string; details: Record<string, unknown> }>('select action, details from operator_audit where target = $1 order by occurred_at, id', [a.id]),
  );
  const actions = log.rows.map((r) => r.action);
  assert.equal(actions.filter((x) => x === 'tenant.plan').length, 2);
  assert.equal(actions.filter((x) => x === 'tenant.feature').length, 4);
  assert.deepEqual(log.rows.find((r) => r.action === 'tenant.plan')!.details, { from: 'standard', to: 'starter' });
});

test('unknown plan or feature, a malformed override and a missing practice are refused, naming the field', async () => {
  const a = await t.createTenant('pooled');
  const badPlan = await operator('PUT', `/platform/tenants/${a.slug}/plan`, { plan: 'platinum' });
  assert.equal(badPlan.statusCode, 400);
  assert.equal(badPlan.json().errors[0].field, 'plan');
  const badFeature = await operator('PUT', `/platform/tenants/${a.slug}/features/teleportation`, { enabled: true });
  assert.equal(badFeature.statusCode, 400);
  assert.equal(badFeature.json().errors[0].field, 'feature');
  for (const body of [{}, { enabled: 'maybe' }, { enabled: true, extra: 1 }]) {
    const res = await operator('PUT', `/platform/tenants/${a.slug}/features/waitlist`, body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.ok(['enabled', 'extra'].includes(res.json().errors[0].field), res.body);
  }
  for (const [method, url, body] of [
    ['PUT', '/platform/tenants/no-such-practice/plan', { plan: 'starter' }],
    ['GET', '/platform/tenants/no-such-practice/features', undefined],
    ['PUT', '/platform/tenants/no-such-practice/features/waitlist', { enabled: false }],
  ] as const) {
    const res = await operator(method, url, body);
    assert.equal(res.statusCode, 404, `${method} ${url}`);
    assert.equal(res.json().code, 'tenant_not_found');
  }
  const created = await operator('POST', '/platform/tenants', { slug: uniqueSlug('p'), name: 'P', tier: 'pooled', plan: 'gold', admin: { email: 'x@p.test', password: PASSWORD, name: 'X' } });
  assert.equal(created.statusCode, 400);
  assert.equal(created.json().errors[0].field, 'plan');
  assert.equal((await operator('GET', `/platform/tenants/${a.slug}/features`)).json().plan.key, 'standard', 'nothing changed');
});

test('only operators manage plans: staff tokens and no token are refused', async () => {
  const a = await t.createTenant('pooled');
  for (const [method, url, body] of [
    ['GET', '/platform/plans', undefined],
    ['GET', `/platform/tenants/${a.slug}/features`, undefined],
    ['PUT', `/platform/tenants/${a.slug}/plan`, { plan: 'professional' }],
    ['PUT', `/platform/tenants/${a.slug}/features/webhooks`, { enabled: true }],
  ] as const) {
    const staff = await operator(method, url, body, a.adminToken);
    assert.equal(staff.statusCode, 401, `${method} ${url}`);
    assert.equal(staff.json().code, 'token_invalid');
    const anonymous = await t.app.inject({ method, url, ...(body ? { payload: body } : {}) });
    assert.equal(anonymous.json().code, 'token_missing');
  }
  const view = (await operator('GET', `/platform/tenants/${a.slug}/features`)).json();
  assert.equal(view.plan.key, 'standard');
  assert.ok(view.features.every((f: { source: string }) => f.source === 'plan'));
});

test('patient waitlist links are refused while the practice has no waitlist, and no new offers are made', async () => {
  const zone = 'America/New_York';
  const a = await t.createTenant('pooled');
  const ref = await tenantRef(t, a.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0, cancelWindowMinutes: 0, rescheduleWindowMinutes: 0, waitlistOfferMinutes: 60 });
  const locationId = await insertLocation(t, ref, { timeZone: zone });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Consult', durationMinutes: 30, providerIds: [providerId] });
  const patient = async (name: string) =>
    (await admin(a, 'POST', '/api/patients', { firstName: name, lastName: 'Wait', dateOfBirth: '1980-02-02', email: `${name.toLowerCase()}@example.test` })).json().id as string;
  const [ann, bob, cid] = [await patient('Ann'), await patient('Bob'), await patient('Cid')];
  const book = async (start: DateTime) => {
    const res = await admin(a, 'POST', '/api/appointments', { patientId: ann, typeId, providerId, locationId, start: start.toISO({ suppressMilliseconds: true }) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const monday = DateTime.now().setZone(zone).startOf('week').plus({ weeks: 2 });
  const first = await book(monday.set({ hour: 10 }));
  const second = await book(monday.plus({ days: 1 }).set({ hour: 10 }));
  const wait = await admin(a, 'POST', '/api/waitlist', { patientId: bob, typeId, earliest: monday.toISODate(), latest: monday.plus({ days: 4 }).toISODate() });
  assert.equal(wait.statusCode, 201, wait.body);
  const cidWait = await admin(a, 'POST', '/api/waitlist', { patientId: cid, typeId, earliest: monday.toISODate(), latest: monday.plus({ days: 4 }).toISODate() });
  assert.equal(cidWait.statusCode, 201, cidWait.body);
  const links = async () =>
    (
      await withTenant(t.services.db, ref, (tx) =>
        tx.query<{ body_text: string }>(`select body_text from email_outbox where tenant_id = $1 and message_key like 'waitlist-offer:%' order by created_at`, [tx.tenantId]),
      )
    ).rows.map((r) => {
      // The email links to the patient page /p/{slug}/waitlist/{token}; its API is /waitlist/offers/{slug}/{token}.
      const [, slug, token] = /\/p\/([^/\s]+)\/waitlist\/([^\s]+)/.exec(r.body_text)!;
      return `/waitlist/offers/${slug}/${token}`;
    });

  await admin(a, 'POST', `/api/appointments/${first}/cancel`, {});
  await t.services.jobs.runDue(new Date());
  const [link] = await links();
  assert.ok(link, 'offered while the waitlist is on');
  assert.equal((await t.app.inject({ method: 'GET', url: link! })).statusCode, 200);

  await setFeature(t, a, 'waitlist', false);
  const page = await t.app.inject({ method: 'GET', url: link! });
  assertFeatureRefused(page, 'waitlist');
  assert.doesNotMatch(page.json().detail, /standard/, 'patients are not told the practice’s plan');
  assertFeatureRefused(await t.app.inject({ method: 'POST', url: `${link}/accept` }), 'waitlist');
  // A slot freed while the feature is off is offered to nobody.
  const offeredBeforeLapse = (await links()).length;
  await t.services.jobs.runDue(new Date(Date.now() + 61 * 60_000)); // Bob's first offer lapses meanwhile
  assert.equal((await links()).length, offeredBeforeLapse, 'the lapsed offer is passed to nobody (Cid waits) while the waitlist is off');
  const status = await withTenant(t.services.db, ref, (tx) => tx.query<{ status: string }>('select status from waitlist_entries where tenant_id = $1 and id = $2', [tx.tenantId, wait.json().id]));
  assert.equal(status.rows[0]!.status, 'waiting', 'Bob is waiting again, so a freed slot would be his');
  const offeredBefore = (await links()).length;
  await admin(a, 'POST', `/api/appointments/${second}/cancel`, {});
  await t.services.jobs.runDue(new Date());
  assert.equal((await links()).length, offeredBefore, 'no offer email while the waitlist is off');

  await setFeature(t, a, 'waitlist', null);
  const newest = (await links()).at(-1)!;
  assert.notEqual((await t.app.inject({ method: 'GET', url: newest })).json().code, 'feature_not_in_plan', 'links work again once it is back');
});

test('staff seats: the plan caps active members; a smaller plan keeps who is there but adds no one', async () => {
  const a = await t.createTenant('pooled');
  await setPlan(t, a, 'starter'); // 3 seats
  const add = (name: string) => admin(a, 'POST', '/api/staff', { email: `${name}@${a.slug}.test`, name, password: PASSWORD, roles: ['provider'] });
  const one = await add('one');
  assert.equal(one.statusCode, 201, one.body);
  const two = await add('two');
  assert.equal(two.statusCode, 201);
  const three = await add('three');
  assert.equal(three.statusCode, 409);
  assert.equal(three.json().code, 'plan_limit_reached');
  assert.match(three.json().detail, /3/);
  assert.ok(!(await admin(a, 'GET', '/api/staff')).json().items.some((s: { email: string }) => s.email.startsWith('three@')), 'nothing kept');

  assert.equal((await admin(a, 'POST', `/api/staff/${two.json().userId}/disable`)).statusCode, 200);
  assert.equal((await add('three')).statusCode, 201, 'a disabled member frees the seat');
  assert.equal((await admin(a, 'POST', `/api/staff/${two.json().userId}/enable`)).json().code, 'plan_limit_reached');
  await setPlan(t, a, 'standard');
  assert.equal((await admin(a, 'POST', `/api/staff/${two.json().userId}/enable`)).statusCode, 200);
  await setPlan(t, a, 'starter');
  assert.equal((await admin(a, 'GET', '/api/staff')).json().items.filter((s: { status: string }) => s.status === 'active').length, 4, 'members over the new limit stay');
  assert.equal((await add('five')).json().code, 'plan_limit_reached');
});

test('a practice can be created on a plan, and deleting it removes its overrides', async () => {
  const slug = uniqueSlug('p');
  const created = await operator('POST', '/platform/tenants', { slug, name: 'Pro', tier: 'schema', plan: 'professional', admin: { email: `a@${slug}.test`, password: PASSWORD, name: 'A' } });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().tenant.plan, 'professional');
  const view = (await operator('GET', `/platform/tenants/${slug}/features`)).json();
  assert.ok(view.features.filter((f: { feature: string; enabled: boolean }) => f.enabled).some((f: { feature: string }) => f.feature === 'workflows'));
  await setFeature(t, { slug }, 'webhooks', false);
  await setFeature(t, { slug }, 'waitlist', true);
  const deleted = await operator('DELETE', `/platform/tenants/${slug}`);
  assert.equal(deleted.statusCode, 200, deleted.body);
  assert.equal(deleted.json().verified, true);
  assert.equal(deleted.json().remaining.control_plane, 0);
  const left = await asPlatform(t.services.db, (tx) => tx.query('select 1 from tenant_features where tenant_id = $1', [created.json().tenant.id]));
  assert.equal(left.rowCount, 0);
});
