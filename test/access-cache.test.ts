/**
 * Reads served from the per-process access cache (one round trip, src/domain/access/access-check.ts)
 * must answer exactly as if access were loaded first: every test warms the cache with a read, changes
 * the member's access, and checks that the very next read sees the change and left no trace.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const MEMBER_PASSWORD = 'long-password-1';

/** Adds a member with `roles`, signs them in, and warms the cache with one read of `patientId`. */
async function member(a: TestTenant, roles: string[], patientId: string) {
  const email = `m-${Math.random().toString(36).slice(2, 8)}@${a.slug}.test`;
  const added = await t.api(a, a.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Member', password: MEMBER_PASSWORD, roles } });
  assert.equal(added.statusCode, 201, added.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: a.slug, email, password: MEMBER_PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  const token = login.json().accessToken as string;
  const warm = await t.api(a, token, { method: 'GET', url: `/api/patients/${patientId}` });
  assert.equal(warm.statusCode, 200, warm.body);
  return { id: added.json().userId as string, token };
}

async function patient(a: TestTenant): Promise<string> {
  const res = await t.api(a, a.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ada', lastName: 'Cache', dateOfBirth: '1980-01-01' } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

/** patient.read events of `userId` (the admin reads the trail). */
async function readsBy(a: TestTenant, userId: string): Promise<number> {
  const res = await t.api(a, a.adminToken, { method: 'GET', url: `/api/audit-events?resourceType=patient&actorId=${userId}&limit=100` });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as { action: string; actor: { id: string | null } }[]).filter((e) => e.action === 'patient.read' && e.actor.id === userId).length;
}

for (const tier of ['pooled', 'schema'] as const) {
  test(`${tier}: a member disabled after a cached read is refused on the very next read, which leaves no audit event`, async () => {
    const a = await t.createTenant(tier);
    const id = await patient(a);
    const m = await member(a, ['front_desk'], id);
    assert.equal(await readsBy(a, m.id), 1);
    assert.equal((await t.api(a, a.adminToken, { method: 'POST', url: `/api/staff/${m.id}/disable` })).statusCode, 200);

    const read = await t.api(a, m.token, { method: 'GET', url: `/api/patients/${id}` });
    assert.equal(read.statusCode, 403, read.body);
    assert.equal(read.json().code, 'membership_inactive');
    assert.equal(await readsBy(a, m.id), 1);
    // A handler that answers before touching tenant data, and a request refused by validation.
    assert.equal((await t.api(a, m.token, { method: 'GET', url: '/api/patients/not-a-uuid' })).json().code, 'membership_inactive');
    assert.equal((await t.api(a, m.token, { method: 'GET', url: '/api/me' })).json().code, 'membership_inactive');
    assert.equal((await t.api(a, m.token, { method: 'GET', url: '/api/patients?limit=not-a-number' })).json().code, 'membership_inactive');

    // Re-enabled: the next read works again (a refusal is never served from the cache).
    assert.equal((await t.api(a, a.adminToken, { method: 'POST', url: `/api/staff/${m.id}/enable` })).statusCode, 200);
    assert.equal((await t.api(a, m.token, { method: 'GET', url: `/api/patients/${id}` })).statusCode, 200);
    assert.equal(await readsBy(a, m.id), 2);
  });
}

test('a permission withdrawn after a cached read is refused on the very next read', async () => {
  const a = await t.createTenant('pooled');
  const id = await patient(a);
  const m = await member(a, ['front_desk', 'billing'], id);
  assert.equal((await t.api(a, a.adminToken, { method: 'PUT', url: `/api/staff/${m.id}/roles`, payload: { roles: ['billing'] } })).statusCode, 200);
  const calendar = await t.api(a, m.token, { method: 'GET', url: '/api/appointments?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z' });
  assert.equal(calendar.statusCode, 403, calendar.body);
  assert.equal(calendar.json().code, 'permission_denied');
  // Still allowed, but what the member may do changed: the answer shows the current permissions.
  const me = await t.api(a, m.token, { method: 'GET', url: '/api/me' });
  assert.equal(me.statusCode, 200, me.body);
  assert.ok(!me.json().permissions.includes('scheduling:read'));
  assert.ok(me.json().permissions.includes('billing:read'));
});

test('a permission granted after a cached read applies on the very next read', async () => {
  const a = await t.createTenant('schema');
  const id = await patient(a);
  const m = await member(a, ['billing'], id);
  const denied = await t.api(a, m.token, { method: 'GET', url: '/api/appointments?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z' });
  assert.equal(denied.json().code, 'permission_denied');
  assert.equal((await t.api(a, a.adminToken, { method: 'PUT', url: `/api/staff/${m.id}/roles`, payload: { roles: ['billing', 'front_desk'] } })).statusCode, 200);
  const allowed = await t.api(a, m.token, { method: 'GET', url: '/api/appointments?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z' });
  assert.equal(allowed.statusCode, 200, allowed.body);
});

test('a custom role edited after a cached read: the holder reads with the new permissions, once', async () => {
  const a = await t.createTenant('pooled');
  const id = await patient(a);
  const role = await t.api(a, a.adminToken, { method: 'POST', url: '/api/roles', payload: { key: 'reader', name: 'Reader', permissions: ['patients:read', 'scheduling:read'] } });
  assert.equal(role.statusCode, 201, role.body);
  const m = await member(a, ['reader'], id);
  const edit = await t.api(a, a.adminToken, { method: 'PATCH', url: `/api/roles/${role.json().id}`, payload: { permissions: ['patients:read'] } });
  assert.equal(edit.statusCode, 200, edit.body);
  // The read still succeeds (the route needs patients:read) and is audited exactly once.
  const read = await t.api(a, m.token, { method: 'GET', url: `/api/patients/${id}` });
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(await readsBy(a, m.id), 2);
  assert.equal((await t.api(a, m.token, { method: 'GET', url: '/api/appointments?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z' })).json().code, 'permission_denied');
});

for (const tier of ['pooled', 'schema'] as const) {
  test(`${tier}: the access version moves with every change of status, roles or role permissions, and with nothing else`, async () => {
    const a = await t.createTenant(tier);
    const id = await patient(a);
    const role = await t.api(a, a.adminToken, { method: 'POST', url: '/api/roles', payload: { key: 'viewer', name: 'Viewer', permissions: ['patients:read'] } });
    assert.equal(role.statusCode, 201, role.body);
    const m = await member(a, ['viewer'], id);
    const other = await member(a, ['viewer'], id);
    const tenant = (await t.services.tenants.bySlug(a.slug))!;
    const version = async () =>
      Number(
        (await withTenant(t.services.db, tenant, (tx) => tx.query<{ v: number }>('select access_version as v from staff_members where tenant_id = $1 and user_id = $2', [tenant.id, m.id]))).rows[0]!.v,
      );
    const steps: [string, () => Promise<number>, boolean][] = [
      ['role renamed (permissions unchanged)', () => api('PATCH', `/api/roles/${role.json().id}`, { name: 'Viewer (renamed)' }), false],
      ['role permissions changed', () => api('PATCH', `/api/roles/${role.json().id}`, { permissions: ['patients:read', 'scheduling:read'] }), true],
      ['role given', () => api('PUT', `/api/staff/${m.id}/roles`, { roles: ['viewer', 'front_desk'] }), true],
      ['role taken away', () => api('PUT', `/api/staff/${m.id}/roles`, { roles: ['viewer'] }), true],
      ['disabled', () => api('POST', `/api/staff/${m.id}/disable`), true],
      ['enabled', () => api('POST', `/api/staff/${m.id}/enable`), true],
      ['another member given a role', () => api('PUT', `/api/staff/${other.id}/roles`, { roles: ['viewer', 'front_desk'] }), false],
    ];
    async function api(method: 'PATCH' | 'PUT' | 'POST', url: string, payload?: Record<string, unknown>): Promise<number> {
      const res = await t.api(a, a.adminToken, { method, url, ...(payload === undefined ? {} : { payload }) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
      return res.statusCode;
    }
    for (const [what, change, moves] of steps) {
      const before = await version();
      await change();
      const after = await version();
      // Replacing roles deletes and inserts memberships: the version may move more than once.
      assert.ok(moves ? after > before : after === before, `${what}: ${before} -> ${after}`);
    }
    // Cached access at the old version is refused by the guard and reloaded: still one audit event per read.
    const reads = await readsBy(a, m.id);
    assert.equal((await t.api(a, m.token, { method: 'GET', url: `/api/patients/${id}` })).statusCode, 200);
    assert.equal(await readsBy(a, m.id), reads + 1);
  });
}
