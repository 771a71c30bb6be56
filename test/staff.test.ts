import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

async function login(tenant: TestTenant, email: string, password = PASSWORD) {
  const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { accessToken: string; refreshToken: string; user: { id: string } };
}

test('adding staff creates an identity, or links an existing one without touching its password', async () => {
  const a = await t.createTenant('pooled');
  const b = await t.createTenant('schema');
  const added = await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: 'Kim@Example.test', name: 'Dr Kim', password: 'first-password-1', roles: ['provider'] } });
  assert.equal(added.statusCode, 201, added.body);
  assert.deepEqual(added.json().roles, ['provider']);
  assert.equal(added.json().email, 'kim@example.test');

  // The same person joins practice B: no password needed, and the one they have keeps working.
  const linked = await t.api(b, b.adminToken, { method: 'POST', url: '/api/staff', payload: { email: 'kim@example.test', name: 'Dr Kim', roles: ['front_desk'] } });
  assert.equal(linked.statusCode, 201, linked.body);
  assert.equal(linked.json().userId, added.json().userId);
  const inA = await login(a, 'kim@example.test', 'first-password-1');
  const inB = await login(b, 'kim@example.test', 'first-password-1');
  assert.equal(inA.user.id, inB.user.id);
  // Each token works only with its own practice.
  assert.equal((await t.api(a, inB.accessToken, { method: 'GET', url: '/api/me' })).json().code, 'token_tenant_mismatch');
  assert.equal((await t.api(b, inB.accessToken, { method: 'GET', url: '/api/me' })).statusCode, 200);

  const dup = await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: 'kim@example.test', name: 'Again', roles: ['provider'] } });
  assert.equal(dup.statusCode, 400);
  assert.equal(dup.json().errors[0].field, 'email');
  const noPassword = await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: 'new@example.test', name: 'New', roles: ['provider'] } });
  assert.equal(noPassword.statusCode, 400);
  assert.equal(noPassword.json().errors[0].field, 'password');
  const badRole = await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: 'x@example.test', name: 'X', password: 'long-password-1', roles: ['wizard'] } });
  assert.equal(badRole.statusCode, 400);
  assert.equal(badRole.json().errors[0].field, 'roles');
  // Nothing of the refused request was kept.
  const staff = (await t.api(a, a.adminToken, { method: 'GET', url: '/api/staff' })).json().items.map((s: { email: string }) => s.email);
  assert.deepEqual(staff.sort(), [a.adminEmail, 'kim@example.test'].sort());
});

test('a role change applies on the next request with the same, still valid token', async () => {
  const a = await t.createTenant('pooled');
  await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: `bill@${a.slug}.test`, name: 'Bill', password: 'long-password-1', roles: ['billing'] } });
  const bill = await login(a, `bill@${a.slug}.test`, 'long-password-1');
  const create = () => t.api(a, bill.accessToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'R', lastName: 'Ole', dateOfBirth: '1990-01-01' } });
  assert.equal((await create()).json().code, 'permission_denied');
  const changed = await t.api(a, a.adminToken, { method: 'PUT', url: `/api/staff/${bill.user.id}/roles`, payload: { roles: ['billing', 'front_desk'] } });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal((await create()).statusCode, 201);
  await t.api(a, a.adminToken, { method: 'PUT', url: `/api/staff/${bill.user.id}/roles`, payload: { roles: ['billing'] } });
  assert.equal((await create()).json().code, 'permission_denied');
});

test('disabling a member ends their access at once; the last admin cannot be removed', async () => {
  const a = await t.createTenant('schema');
  await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email: `d@${a.slug}.test`, name: 'Desk', password: 'long-password-1', roles: ['front_desk'] } });
  const desk = await login(a, `d@${a.slug}.test`, 'long-password-1');
  const disabled = await t.api(a, a.adminToken, { method: 'POST', url: `/api/staff/${desk.user.id}/disable` });
  assert.equal(disabled.json().status, 'disabled');
  const denied = await t.api(a, desk.accessToken, { method: 'GET', url: '/api/patients' });
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().code, 'membership_inactive');
  const refresh = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: desk.refreshToken } });
  assert.equal(refresh.statusCode, 401);
  const relogin = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.slug, email: `d@${a.slug}.test`, password: 'long-password-1' } });
  assert.equal(relogin.json().code, 'membership_inactive');
  await t.api(a, a.adminToken, { method: 'POST', url: `/api/staff/${desk.user.id}/enable` });
  assert.equal((await t.api(a, desk.accessToken, { method: 'GET', url: '/api/patients' })).statusCode, 200);

  const me = (await t.api(a, a.adminToken, { method: 'GET', url: '/api/me' })).json();
  const demote = await t.api(a, a.adminToken, { method: 'PUT', url: `/api/staff/${me.userId}/roles`, payload: { roles: ['provider'] } });
  assert.equal(demote.statusCode, 409);
  assert.equal(demote.json().code, 'last_admin');
  const self = await t.api(a, a.adminToken, { method: 'POST', url: `/api/staff/${me.userId}/disable` });
  assert.equal(self.statusCode, 400);
  assert.ok((await t.api(a, a.adminToken, { method: 'GET', url: '/api/audit-events?resourceType=staff' })).json().items.some((e: { action: string }) => e.action === 'staff.disable'));
});

test("another practice's staff answer 404 on every staff route, and are not listed", async () => {
  const a = await t.createTenant('pooled');
  const b = await t.createTenant('schema');
  const bAdmin = (await t.api(b, b.adminToken, { method: 'GET', url: '/api/me' })).json().userId as string;
  for (const [method, url, payload] of [
    ['PUT', `/api/staff/${bAdmin}/roles`, { roles: ['provider'] }],
    ['POST', `/api/staff/${bAdmin}/disable`, undefined],
    ['POST', `/api/staff/${bAdmin}/enable`, undefined],
  ] as const) {
    const res = await t.api(a, a.adminToken, { method, url, ...(payload ? { payload } : {}) });
    assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().code, 'not_found');
  }
  const listed = (await t.api(a, a.adminToken, { method: 'GET', url: '/api/staff' })).json().items;
  assert.ok(listed.every((s: { userId: string }) => s.userId !== bAdmin));
  const stillAdmin = (await t.api(b, b.adminToken, { method: 'GET', url: '/api/staff' })).json().items.find((s: { userId: string }) => s.userId === bAdmin);
  assert.deepEqual(stillAdmin.roles, ['admin']);
  assert.equal(stillAdmin.status, 'active');
});
