// Custom roles: CRUD from the permission catalogue, read-only built-ins, assignment by key, changes
// that apply on the holder's next request with the same token, and the lock-out guard (races too).
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

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const call = (tenant: TestTenant, token: string, method: Method, url: string, payload?: object) => t.api(tenant, token, { method, url, ...(payload ? { payload } : {}) });
const admin = (tenant: TestTenant, method: Method, url: string, payload?: object) => call(tenant, tenant.adminToken, method, url, payload);

/** Adds a staff member with `roles` (as the admin, or as `by`) and signs them in. */
async function member(tenant: TestTenant, name: string, roles: string[], by = tenant.adminToken) {
  const email = `${name}@${tenant.slug}.test`;
  const added = await call(tenant, by, 'POST', '/api/staff', { email, name, password: PASSWORD, roles });
  assert.equal(added.statusCode, 201, added.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return { id: added.json().userId as string, token: login.json().accessToken as string };
}

async function staffRoles(tenant: TestTenant, token = tenant.adminToken): Promise<Map<string, { roles: string[]; status: string }>> {
  const res = await call(tenant, token, 'GET', '/api/staff');
  assert.equal(res.statusCode, 200, res.body);
  const items = res.json().items as { userId: string; roles: string[]; status: string }[];
  return new Map(items.map((s) => [s.userId, { roles: s.roles, status: s.status }]));
}

test('custom roles: create, read, change and delete, from the permission catalogue', async () => {
  const a = await t.createTenant('pooled');
  const created = await admin(a, 'POST', '/api/roles', { key: 'nurse', name: 'Nurse', description: 'Triage', permissions: ['scheduling:read', 'patients:read'] });
  assert.equal(created.statusCode, 201, created.body);
  const role = created.json();
  assert.equal(created.headers.location, `/api/roles/${role.id}`);
  assert.deepEqual({ ...role, id: undefined }, { id: undefined, key: 'nurse', name: 'Nurse', description: 'Triage', builtIn: false, permissions: ['patients:read', 'scheduling:read'], members: 0 });
  assert.deepEqual((await admin(a, 'GET', `/api/roles/${role.id}`)).json(), role);
  const listed = (await admin(a, 'GET', '/api/roles')).json().items as { key: string; builtIn: boolean }[];
  assert.deepEqual(listed.map((r) => r.key), ['admin', 'billing', 'front_desk', 'provider', 'nurse'], 'built-ins first, then custom roles by name');

  const changed = await admin(a, 'PATCH', `/api/roles/${role.id}`, { name: 'Practice nurse', permissions: ['patients:read', 'patients:write'] });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json().name, 'Practice nurse');
  assert.equal(changed.json().description, 'Triage', 'fields not sent are kept');
  assert.deepEqual(changed.json().permissions, ['patients:read', 'patients:write']);

  assert.equal((await admin(a, 'DELETE', `/api/roles/${role.id}`)).statusCode, 204);
  assert.equal((await admin(a, 'GET', `/api/roles/${role.id}`)).json().code, 'not_found');
  assert.equal((await admin(a, 'DELETE', `/api/roles/${role.id}`)).statusCode, 404);
  assert.equal((await admin(a, 'GET', '/api/roles/not-a-uuid')).statusCode, 404);

  const audit = (await admin(a, 'GET', `/api/audit-events?resourceId=${role.id}`)).json().items as { action: string; details: Record<string, unknown> }[];
  assert.deepEqual(audit.map((e) => e.action).sort(), ['role.create', 'role.delete', 'role.update']);
  const update = audit.find((e) => e.action === 'role.update')!;
  assert.deepEqual(update.details.added, ['patients:write']);
  assert.deepEqual(update.details.removed, ['scheduling:read']);

  // The catalogue custom roles pick from.
  const catalogue = (await admin(a, 'GET', '/api/permissions')).json().items as { key: string; description: string }[];
  assert.ok(catalogue.some((p) => p.key === 'staff:manage' && p.description.length > 0));
});

test('role input is validated field by field, and keys are unique within the practice', async () => {
  const a = await t.createTenant('schema');
  const unknown = await admin(a, 'POST', '/api/roles', { key: 'odd', name: 'Odd', permissions: ['patients:read', 'patients:fly', 'billing:read', 'root'] });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.deepEqual(unknown.json().errors.map((e: { field: string }) => e.field), ['permissions[1]', 'permissions[3]']);
  assert.match(unknown.json().errors[0].message, /patients:fly/);

  for (const [payload, field] of [
    [{ key: 'Bad Key', name: 'X', permissions: [] }, 'key'],
    [{ key: 'x', name: 'X', permissions: [] }, 'key'],
    [{ key: 'okay', name: '', permissions: [] }, 'name'],
    [{ key: 'okay', name: 'X' }, 'permissions'],
    [{ key: 'okay', name: 'X', permissions: ['patients:read', 'patients:read'] }, 'permissions'],
    [{ key: 'okay', name: 'X', permissions: [], builtIn: true }, 'builtIn'],
  ] as const) {
    const res = await admin(a, 'POST', '/api/roles', payload);
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
    assert.equal(res.json().errors[0].field, field, JSON.stringify(payload));
  }

  for (const key of ['admin', 'front_desk']) {
    const taken = await admin(a, 'POST', '/api/roles', { key, name: 'Mine', permissions: [] });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal(taken.json().code, 'already_exists');
    assert.equal(taken.json().errors[0].field, 'key');
  }
  const role = (await admin(a, 'POST', '/api/roles', { key: 'reader', name: 'Reader', permissions: [] })).json();
  assert.deepEqual(role.permissions, [], 'a role may start empty');
  assert.equal((await admin(a, 'POST', '/api/roles', { key: 'reader', name: 'Again', permissions: [] })).json().code, 'already_exists');

  const empty = await admin(a, 'PATCH', `/api/roles/${role.id}`, {});
  assert.equal(empty.statusCode, 400);
  const rekey = await admin(a, 'PATCH', `/api/roles/${role.id}`, { key: 'renamed' });
  assert.equal(rekey.statusCode, 400, 'the key is fixed once created');
  assert.equal(rekey.json().errors[0].field, 'key');
  const badPatch = await admin(a, 'PATCH', `/api/roles/${role.id}`, { permissions: ['nope'] });
  assert.equal(badPatch.json().errors[0].field, 'permissions[0]');
  assert.deepEqual((await admin(a, 'GET', `/api/roles/${role.id}`)).json().permissions, [], 'nothing of a refused change is kept');
});

test('built-in roles cannot be renamed, edited or deleted', async () => {
  const a = await t.createTenant('pooled');
  const roles = (await admin(a, 'GET', '/api/roles')).json().items as { id: string; key: string; builtIn: boolean; permissions: string[] }[];
  const before = JSON.stringify(roles);
  for (const role of roles) {
    assert.ok(role.builtIn);
    for (const [method, payload] of [['PATCH', { name: 'Renamed' }], ['PATCH', { permissions: ['patients:read'] }], ['DELETE', undefined]] as const) {
      const res = await admin(a, method, `/api/roles/${role.id}`, payload);
      assert.equal(res.statusCode, 409, `${method} ${role.key}: ${res.body}`);
      assert.equal(res.json().code, 'built_in_role');
    }
  }
  assert.equal(JSON.stringify((await admin(a, 'GET', '/api/roles')).json().items), before);
});

test('role writes need staff:manage; reading a role needs staff:read', async () => {
  const a = await t.createTenant('pooled');
  const desk = await member(a, 'desk', ['front_desk']);
  const role = (await admin(a, 'POST', '/api/roles', { key: 'helper', name: 'Helper', permissions: ['patients:read'] })).json();
  assert.equal((await call(a, desk.token, 'GET', `/api/roles/${role.id}`)).statusCode, 200);
  for (const [method, url, payload] of [
    ['POST', '/api/roles', { key: 'sneaky', name: 'S', permissions: ['staff:manage'] }],
    ['PATCH', `/api/roles/${role.id}`, { permissions: ['staff:manage'] }],
    ['DELETE', `/api/roles/${role.id}`, undefined],
  ] as const) {
    const res = await call(a, desk.token, method, url, payload);
    assert.equal(res.statusCode, 403, `${method} ${url}`);
    assert.equal(res.json().code, 'permission_denied');
  }
});

test('a custom role is assigned by key, and every change reaches the holder on the next request with the same token', async () => {
  const a = await t.createTenant('schema');
  const role = (await admin(a, 'POST', '/api/roles', { key: 'auditor', name: 'Auditor', permissions: ['audit:read', 'staff:read'] })).json();
  const aud = await member(a, 'aud', ['auditor']);
  const readAudit = async () => (await call(a, aud.token, 'GET', '/api/audit-events')).statusCode;
  assert.equal(await readAudit(), 200, 'granted by the custom role');
  assert.deepEqual((await staffRoles(a)).get(aud.id)!.roles, ['auditor']);
  assert.equal((await admin(a, 'GET', `/api/roles/${role.id}`)).json().members, 1);

  // Revoked by editing the role: the very next request, same still-valid token, is refused.
  await admin(a, 'PATCH', `/api/roles/${role.id}`, { permissions: ['staff:read'] });
  const denied = await call(a, aud.token, 'GET', '/api/audit-events');
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().code, 'permission_denied');
  await admin(a, 'PATCH', `/api/roles/${role.id}`, { permissions: ['audit:read', 'staff:read'] });
  assert.equal(await readAudit(), 200, 'granted again');

  // Deleting a role someone holds is refused; reassigning them revokes at once; then it can go.
  const inUse = await admin(a, 'DELETE', `/api/roles/${role.id}`);
  assert.equal(inUse.statusCode, 409);
  assert.equal(inUse.json().code, 'role_in_use');
  assert.equal(await readAudit(), 200, 'the refused deletion changed nothing');
  assert.equal((await admin(a, 'PUT', `/api/staff/${aud.id}/roles`, { roles: ['provider'] })).statusCode, 200);
  assert.equal(await readAudit(), 403, 'unassigned: refused on the next request');
  assert.equal((await admin(a, 'PUT', `/api/staff/${aud.id}/roles`, { roles: ['provider', 'auditor'] })).statusCode, 200);
  assert.equal(await readAudit(), 200);
  assert.equal((await admin(a, 'PUT', `/api/staff/${aud.id}/roles`, { roles: ['provider'] })).statusCode, 200);
  assert.equal((await admin(a, 'DELETE', `/api/roles/${role.id}`)).statusCode, 204);
  assert.equal(await readAudit(), 403);
  const gone = await admin(a, 'PUT', `/api/staff/${aud.id}/roles`, { roles: ['auditor'] });
  assert.equal(gone.statusCode, 400, 'a deleted role cannot be assigned');
  assert.equal(gone.json().errors[0].field, 'roles');

  // A custom role can be given when adding a person, too.
  const second = (await admin(a, 'POST', '/api/roles', { key: 'scheduler', name: 'Scheduler', permissions: ['scheduling:read', 'scheduling:write'] })).json();
  const sch = await member(a, 'sch', ['scheduler', 'billing']);
  assert.deepEqual((await staffRoles(a)).get(sch.id)!.roles, ['billing', 'scheduler']);
  assert.equal((await admin(a, 'GET', `/api/roles/${second.id}`)).json().members, 1);
});

test('no escalation: a member with staff:manage grants only permissions they hold, by role or by assignment', async () => {
  const a = await t.createTenant('pooled');
  const manager = (await admin(a, 'POST', '/api/roles', { key: 'manager', name: 'Office manager', permissions: ['staff:read', 'staff:manage', 'scheduling:read'] })).json();
  const helper = (await admin(a, 'POST', '/api/roles', { key: 'helper', name: 'Helper', permissions: ['scheduling:read'] })).json();
  const mgr = await member(a, 'mgr', ['manager']);
  const biller = await member(a, 'biller', ['billing']);
  const refused: [Method, string, object][] = [
    ['POST', '/api/roles', { key: 'everything', name: 'Everything', permissions: ['staff:manage', 'audit:read', 'billing:write'] }],
    ['PATCH', `/api/roles/${manager.id}`, { permissions: ['staff:read', 'staff:manage', 'scheduling:read', 'audit:read'] }],
    ['PATCH', `/api/roles/${helper.id}`, { permissions: ['scheduling:read', 'billing:write'] }],
    ['PUT', `/api/staff/${mgr.id}/roles`, { roles: ['manager', 'admin'] }],
    ['PUT', `/api/staff/${biller.id}/roles`, { roles: ['front_desk'] }],
    ['POST', '/api/staff', { email: `crony@${a.slug}.test`, name: 'Crony', password: PASSWORD, roles: ['admin'] }],
  ];
  for (const [method, url, payload] of refused) {
    const res = await call(a, mgr.token, method, url, payload);
    assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().code, 'permission_denied');
  }
  assert.deepEqual((await staffRoles(a)).get(mgr.id)!.roles, ['manager'], 'nothing was granted');
  assert.deepEqual((await admin(a, 'GET', `/api/roles/${manager.id}`)).json().permissions, ['staff:read', 'staff:manage', 'scheduling:read']);
  assert.equal((await admin(a, 'GET', '/api/roles')).json().items.some((r: { key: string }) => r.key === 'everything'), false);
  // Within their own permissions everything works; roles a member already holds may stay.
  assert.equal((await call(a, mgr.token, 'POST', '/api/roles', { key: 'reader', name: 'Reader', permissions: ['staff:read'] })).statusCode, 201);
  assert.equal((await call(a, mgr.token, 'PATCH', `/api/roles/${helper.id}`, { name: 'Calendar helper' })).statusCode, 200);
  assert.equal((await call(a, mgr.token, 'PUT', `/api/staff/${biller.id}/roles`, { roles: ['billing', 'helper'] })).statusCode, 200);
  const assistant = await member(a, 'assistant', ['helper', 'reader'], mgr.token);
  // Nor may they take away what they could not grant: not the biller's billing role, not the admin.
  const me = (await admin(a, 'GET', '/api/me')).json().userId as string;
  for (const [method, url, payload] of [
    ['PUT', `/api/staff/${biller.id}/roles`, { roles: ['helper'] }],
    ['PUT', `/api/staff/${me}/roles`, { roles: ['manager'] }],
    ['POST', `/api/staff/${me}/disable`, undefined],
    ['POST', `/api/staff/${biller.id}/disable`, undefined],
  ] as [Method, string, object | undefined][]) {
    const res = await call(a, mgr.token, method, url, payload);
    assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().code, 'permission_denied');
  }
  assert.deepEqual((await staffRoles(a)).get(biller.id)!.roles, ['billing', 'helper']);
  assert.equal((await admin(a, 'GET', '/api/me')).statusCode, 200, 'the administrator is still in');
  // Access within their own permissions they may take away.
  assert.equal((await call(a, mgr.token, 'POST', `/api/staff/${assistant.id}/disable`)).statusCode, 200);
  // The administrator holds every permission and may grant any of them.
  assert.equal((await admin(a, 'PUT', `/api/staff/${mgr.id}/roles`, { roles: ['manager', 'admin'] })).statusCode, 200);
});

test('the lock-out guard: no change leaves the practice without an active member holding staff:manage', async () => {
  const a = await t.createTenant('pooled');
  const me = (await admin(a, 'GET', '/api/me')).json().userId as string;
  const manager = (await admin(a, 'POST', '/api/roles', { key: 'manager', name: 'Practice manager', permissions: ['staff:read', 'staff:manage'] })).json();
  const mgr = await member(a, 'mgr', ['manager']);
  // What the managers step down to: a role within their own permissions (they cannot grant more).
  assert.equal((await admin(a, 'POST', '/api/roles', { key: 'viewer', name: 'Staff viewer', permissions: ['staff:read'] })).statusCode, 201);
  // The custom role counts: the founding admin may step down now.
  assert.equal((await admin(a, 'PUT', `/api/staff/${me}/roles`, { roles: ['provider'] })).statusCode, 200);
  assert.equal((await call(a, a.adminToken, 'GET', '/api/roles')).statusCode, 200, 'provider keeps staff:read');

  const refusals: [Method, string, object | undefined][] = [
    ['PATCH', `/api/roles/${manager.id}`, { permissions: ['staff:read'] }], // role edit
    ['PUT', `/api/staff/${mgr.id}/roles`, { roles: ['viewer'] }], // assignment (self-demotion)
  ];
  for (const [method, url, payload] of refusals) {
    const res = await call(a, mgr.token, method, url, payload);
    assert.equal(res.statusCode, 409, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().code, 'last_admin');
  }
  assert.equal((await call(a, mgr.token, 'DELETE', `/api/roles/${manager.id}`)).json().code, 'role_in_use', 'deletion: refused while held');
  assert.deepEqual((await staffRoles(a)).get(mgr.id)!.roles, ['manager']);
  assert.deepEqual((await admin(a, 'GET', `/api/roles/${manager.id}`)).json().permissions, ['staff:read', 'staff:manage']);

  // Disabling: with a second holder, one may go; the last one may not, even by someone else.
  const mgr2 = await member(a, 'mgr2', ['manager'], mgr.token);
  assert.equal((await call(a, mgr.token, 'POST', `/api/staff/${mgr2.id}/disable`)).statusCode, 200);
  // The role edit is now the last holder's too: removing staff:manage from it would lock everyone out.
  assert.equal((await call(a, mgr.token, 'PATCH', `/api/roles/${manager.id}`, { permissions: [] })).json().code, 'last_admin');
  // A disabled holder does not count: re-enable and only then may the other step down.
  assert.equal((await call(a, mgr.token, 'POST', `/api/staff/${mgr2.id}/enable`)).statusCode, 200);
  assert.equal((await call(a, mgr.token, 'PUT', `/api/staff/${mgr.id}/roles`, { roles: ['viewer'] })).statusCode, 200);
  const last = await call(a, mgr2.token, 'PUT', `/api/staff/${mgr2.id}/roles`, { roles: ['viewer'] });
  assert.equal(last.json().code, 'last_admin');
  // The remaining manager cannot hand out administration, which carries permissions they lack.
  assert.equal((await call(a, mgr2.token, 'PUT', `/api/staff/${me}/roles`, { roles: ['admin'] })).json().code, 'permission_denied');
  assert.deepEqual((await staffRoles(a, mgr2.token)).get(me)!.roles, ['provider']);
});

for (const tier of ['pooled', 'schema'] as const) {
  test(`${tier}: two admins demoting or disabling each other at once cannot both succeed`, async () => {
    const a = await t.createTenant(tier);
    const first = { id: (await admin(a, 'GET', '/api/me')).json().userId as string, token: a.adminToken };
    for (const action of ['demote', 'disable'] as const) {
      const second = await member(a, `second-${action}`, ['admin']);
      const hit = (actor: { token: string }, target: { id: string }) =>
        action === 'demote'
          ? call(a, actor.token, 'PUT', `/api/staff/${target.id}/roles`, { roles: ['provider'] })
          : call(a, actor.token, 'POST', `/api/staff/${target.id}/disable`);
      const results = await Promise.all([hit(first, second), hit(second, first)]);
      const codes = results.map((r) => r.statusCode).sort();
      assert.equal(codes.filter((c) => c === 200).length, 1, `exactly one wins: ${results.map((r) => r.body).join(' | ')}`);
      const loser = results.find((r) => r.statusCode !== 200)!;
      // The loser is refused by the guard (or, if it started after the winner's commit, by its lost access).
      assert.ok(['last_admin', 'permission_denied', 'membership_inactive'].includes(loser.json().code), loser.body);
      // Read as whichever of the two is still active (the loser of a disable race is not).
      const reader = (await call(a, first.token, 'GET', '/api/staff')).statusCode === 200 ? first : second;
      const staff = await staffRoles(a, reader.token);
      const managers = [...staff.values()].filter((s) => s.status === 'active' && s.roles.includes('admin'));
      assert.equal(managers.length, 1, 'one active administrator remains');
      // Put the winner's victim back so the next round starts from two admins again.
      const survivor = staff.get(first.id)!.status === 'active' && staff.get(first.id)!.roles.includes('admin') ? first : second;
      const victim = survivor === first ? second : first;
      if (action === 'demote') await call(a, survivor.token, 'PUT', `/api/staff/${victim.id}/roles`, { roles: ['admin'] });
      else await call(a, survivor.token, 'POST', `/api/staff/${victim.id}/enable`);
      if (survivor !== first) {
        // Keep `first` as the admin for the next round: its token stays valid, its roles are restored.
        assert.equal((await call(a, survivor.token, 'PUT', `/api/staff/${first.id}/roles`, { roles: ['admin'] })).statusCode, 200);
      }
      await call(a, first.token, 'POST', `/api/staff/${second.id}/disable`);
    }
  });
}
