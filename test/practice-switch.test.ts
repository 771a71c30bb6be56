// Switching practices: a person who is staff of two practices lists them and trades a session in
// one for a session in the other; a practice they are not in (or are disabled in) stays closed and
// looks like one that does not exist; the new tokens open only the practice switched to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const practices = (token: string) => t.app.inject({ method: 'GET', url: '/auth/practices', headers: { authorization: `Bearer ${token}` } });
/** The refresh token of each session the tests made, by its access token (a switch hands it over). */
const refreshOf = new Map<string, string>();
async function newTenant(tier?: 'pooled' | 'schema'): Promise<TestTenant> {
  const tenant = await t.createTenant(tier);
  refreshOf.set(tenant.adminToken, tenant.refreshToken);
  return tenant;
}
const switchTo = (token: string, tenant: string, refreshToken = refreshOf.get(token) ?? 'none') =>
  t.app.inject({ method: 'POST', url: '/auth/switch', headers: { authorization: `Bearer ${token}` }, payload: { tenant, refreshToken } });

/** Makes A's admin also a front-desk member of B (the same identity, linked by email). */
async function shareAdmin(a: TestTenant, b: TestTenant): Promise<string> {
  const added = await t.api(b, b.adminToken, { method: 'POST', url: '/api/staff', payload: { email: a.adminEmail, name: 'Shared Admin', roles: ['front_desk'] } });
  assert.equal(added.statusCode, 201, added.body);
  return added.json().userId;
}

test('a person in two practices lists both and switches; the new tokens open only the other practice', async () => {
  const a = await newTenant();
  const b = await newTenant('schema');
  await shareAdmin(a, b);

  const listed = await practices(a.adminToken);
  assert.equal(listed.statusCode, 200, listed.body);
  const items = listed.json().items as { slug: string; name: string; current: boolean }[];
  assert.deepEqual(items.map((p) => [p.slug, p.current]).sort(), [[a.slug, true], [b.slug, false]].sort());
  assert.equal(items.find((p) => p.slug === b.slug)!.name, `Practice ${b.slug}`);

  const switched = await switchTo(a.adminToken, b.slug.toUpperCase());
  assert.equal(switched.statusCode, 200, switched.body);
  const session = switched.json();
  assert.equal(session.tenant.slug, b.slug);
  assert.deepEqual(session.user.roles, ['front_desk'], "B's roles, not A's");

  const me = await t.api(b, session.accessToken, { method: 'GET', url: '/api/me' });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().tenant.slug, b.slug);
  const inA = await t.api(a, session.accessToken, { method: 'GET', url: '/api/me' });
  assert.equal(inA.statusCode, 401);
  assert.equal(inA.json().code, 'token_tenant_mismatch');
  const refreshed = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: session.refreshToken } });
  assert.equal(refreshed.statusCode, 200, 'the new refresh token works');

  // B's audit trail has the switch; it does not say where the person came from.
  const audit = (await t.api(b, b.adminToken, { method: 'GET', url: '/api/audit-events' })).json().items as { action: string; details: unknown }[];
  const entry = audit.find((e) => e.action === 'user.practice_switch');
  assert.ok(entry, 'audited in B');
  assert.doesNotMatch(JSON.stringify(entry), new RegExp(a.slug));
});

test('a practice the person is not in answers exactly like one that does not exist', async () => {
  const a = await newTenant();
  const c = await newTenant();
  const notMember = await switchTo(a.adminToken, c.slug);
  const missing = await switchTo(a.adminToken, 'no-such-practice-x');
  for (const res of [notMember, missing]) {
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().code, 'tenant_not_found');
  }
  assert.equal(notMember.json().detail.replace(c.slug, 'X'), missing.json().detail.replace('no-such-practice-x', 'X'));
  assert.deepEqual((await practices(a.adminToken)).json().items.map((p: { slug: string }) => p.slug), [a.slug], 'C is not listed');
});

test('a disabled member cannot switch in, and a suspended practice is closed', async () => {
  const a = await newTenant();
  const b = await newTenant();
  const userId = await shareAdmin(a, b);
  const disabled = await t.api(b, b.adminToken, { method: 'POST', url: `/api/staff/${userId}/disable` });
  assert.equal(disabled.statusCode, 200, disabled.body);
  const refused = await switchTo(a.adminToken, b.slug);
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.json().code, 'membership_inactive');
  assert.deepEqual((await practices(a.adminToken)).json().items.map((p: { slug: string }) => p.slug), [a.slug], 'B is no longer offered');

  await t.api(b, b.adminToken, { method: 'POST', url: `/api/staff/${userId}/enable` });
  assert.equal((await switchTo(a.adminToken, b.slug)).statusCode, 200);
  const op = await t.operatorToken();
  await t.app.inject({ method: 'POST', url: `/platform/tenants/${b.slug}/suspend`, headers: { authorization: `Bearer ${op}` }, payload: { reason: 'Test' } });
  const suspended = await switchTo(a.adminToken, b.slug);
  assert.equal(suspended.statusCode, 403);
  assert.equal(suspended.json().code, 'tenant_suspended');
});

test("a session that no longer stands where it was issued cannot open another practice", async () => {
  const a = await newTenant();
  const b = await newTenant();
  await shareAdmin(b, a); // B's admin is also staff of A
  const bAdminInA = (await t.api(a, a.adminToken, { method: 'GET', url: '/api/staff' })).json().items.find((s: { email: string }) => s.email === b.adminEmail);
  // Disabled in B (by a second B admin: nobody disables themselves), B's token must not open A.
  const second = await t.api(b, b.adminToken, { method: 'POST', url: '/api/staff', payload: { email: `second@${b.slug}.test`, name: 'Second', password: 'second-password-1', roles: ['admin'] } });
  assert.equal(second.statusCode, 201, second.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: b.slug, email: `second@${b.slug}.test`, password: 'second-password-1' } });
  const bAdminId = (await t.api(b, b.adminToken, { method: 'GET', url: '/api/me' })).json().userId;
  assert.ok(bAdminInA);
  const off = await t.api(b, login.json().accessToken, { method: 'POST', url: `/api/staff/${bAdminId}/disable` });
  assert.equal(off.statusCode, 200, off.body);
  const res = await switchTo(b.adminToken, a.slug);
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().code, 'membership_inactive');
});

test('no token, an operator token or a bad body are refused', async () => {
  const a = await newTenant();
  const none = await t.app.inject({ method: 'GET', url: '/auth/practices' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().code, 'token_missing');
  const operator = await switchTo(await t.operatorToken(), a.slug);
  assert.equal(operator.statusCode, 401);
  assert.equal(operator.json().code, 'token_invalid');
  const bad = await t.app.inject({ method: 'POST', url: '/auth/switch', headers: { authorization: `Bearer ${a.adminToken}` }, payload: { tenant: '', refreshToken: a.refreshToken } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field), ['tenant']);
});

test('the session being left hands over its refresh token: an access token alone mints nothing, and the old session ends', async () => {
  const a = await newTenant();
  const b = await newTenant();
  await shareAdmin(a, b);
  const other = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.slug, email: a.adminEmail, password: 'correct-horse-battery' } });
  assert.equal(other.statusCode, 200, other.body);
  // Someone else's refresh token, or a made-up one, is refused, and nothing is spent.
  for (const refreshToken of [b.refreshToken, 'made-up-token']) {
    const res = await switchTo(a.adminToken, b.slug, refreshToken);
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(res.json().code, 'refresh_token_invalid');
  }
  // The practice one is signed in to is not a switch.
  const same = await switchTo(a.adminToken, a.slug);
  assert.equal(same.statusCode, 400, same.body);
  assert.equal(same.json().errors[0].field, 'tenant');
  // The real one works once; the session left behind is over (its refresh token is revoked).
  assert.equal((await switchTo(a.adminToken, b.slug)).statusCode, 200);
  const again = await switchTo(a.adminToken, b.slug);
  assert.equal(again.statusCode, 401);
  assert.equal(again.json().code, 'refresh_token_invalid');
  const oldRefresh = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: a.refreshToken } });
  assert.equal(oldRefresh.statusCode, 401);
  // The unrelated second session was not touched.
  const otherRefresh = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: other.json().refreshToken } });
  assert.equal(otherRefresh.statusCode, 200, otherRefresh.body);
});
