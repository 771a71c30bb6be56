// Cross-tenant cases for roles and the permission catalogue (see the meta test in test/cross-tenant.test.ts).
// Another practice's role id answers 404 exactly like a missing one; assigning another practice's
// role (by id or by a key only it has) is the same 400 as assigning a role that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  /** A custom role nobody holds (deletable by its own practice). */
  freeRole: { id: string; key: string };
  /** A custom role the front-desk member holds. */
  heldRole: { id: string; key: string };
  builtInId: string;
  deskId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const p = { tenant } as Practice;
  const tag = tenant.slug.replace(/-/g, '_');
  const free = await as(p, 'POST', '/api/roles', { key: `free_${tag}`, name: `Secret ${tenant.slug}`, permissions: ['patients:read'] });
  assert.equal(free.statusCode, 201, free.body);
  const held = await as(p, 'POST', '/api/roles', { key: `held_${tag}`, name: 'Held', permissions: ['scheduling:read', 'staff:manage'] });
  assert.equal(held.statusCode, 201, held.body);
  const desk = await as(p, 'POST', '/api/staff', { email: `desk@${tenant.slug}.test`, name: 'Desk', password: 'correct-horse-battery', roles: ['front_desk', held.json().key] });
  assert.equal(desk.statusCode, 201, desk.body);
  const roles = (await as(p, 'GET', '/api/roles')).json().items as { id: string; key: string }[];
  p.freeRole = { id: free.json().id, key: free.json().key };
  p.heldRole = { id: held.json().id, key: held.json().key };
  p.builtInId = roles.find((r) => r.key === 'admin')!.id;
  p.deskId = desk.json().userId;
  return p;
}

async function snapshot(p: Practice) {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) => ({
    roles: (await tx.query('select * from roles where tenant_id = $1 order by id', [tx.tenantId])).rows,
    memberRoles: (await tx.query('select * from member_roles where tenant_id = $1 order by user_id, role_id', [tx.tenantId])).rows,
  }));
}

const COVERAGE: Record<string, Case> = {
  'GET /api/permissions': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/permissions');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().items.some((p: { key: string }) => p.key === 'staff:manage'));
    assert.ok(!res.body.includes(victim.tenant.slug) && !res.body.includes(victim.freeRole.key));
  },
  'GET /api/roles': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/roles');
    const ids = res.json().items.map((r: { id: string }) => r.id) as string[];
    assert.ok(ids.includes(attacker.freeRole.id) && ids.includes(attacker.heldRole.id));
    for (const id of [victim.freeRole.id, victim.heldRole.id, victim.builtInId]) assert.ok(!ids.includes(id));
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'GET /api/roles/{id}': async (attacker, victim) => {
    for (const id of [victim.freeRole.id, victim.heldRole.id, victim.builtInId]) {
      assertLikeMissing(await as(attacker, 'GET', `/api/roles/${id}`), await as(attacker, 'GET', `/api/roles/${NOWHERE}`));
    }
    assert.equal((await as(attacker, 'GET', `/api/roles/${attacker.freeRole.id}`)).statusCode, 200);
  },
  'POST /api/roles': async (attacker, victim) => {
    // Keys are per practice: the victim's key is free in the attacker's practice, and stays the victim's.
    const res = await as(attacker, 'POST', '/api/roles', { key: victim.freeRole.key, name: 'Mine', permissions: ['billing:read'] });
    assert.equal(res.statusCode, 201, res.body);
    assert.notEqual(res.json().id, victim.freeRole.id);
    assert.equal((await as(attacker, 'DELETE', `/api/roles/${res.json().id}`)).statusCode, 204);
  },
  'PATCH /api/roles/{id}': async (attacker, victim) => {
    const body = { permissions: ['patients:read', 'staff:manage'] };
    // A built-in role of the victim is a 404 too, not `built_in_role`: nothing is confirmed.
    for (const id of [victim.freeRole.id, victim.heldRole.id, victim.builtInId]) {
      assertLikeMissing(await as(attacker, 'PATCH', `/api/roles/${id}`, body), await as(attacker, 'PATCH', `/api/roles/${NOWHERE}`, body));
    }
  },
  'DELETE /api/roles/{id}': async (attacker, victim) => {
    // Not `role_in_use` for the held role, not `built_in_role` for admin: the same 404 as a missing id.
    for (const id of [victim.freeRole.id, victim.heldRole.id, victim.builtInId]) {
      assertLikeMissing(await as(attacker, 'DELETE', `/api/roles/${id}`), await as(attacker, 'DELETE', `/api/roles/${NOWHERE}`));
    }
  },
  'PUT /api/staff/{userId}/roles': async (attacker, victim) => {
    // The victim's role, by id or by a key only the victim has, is unknown here, exactly like a made-up one.
    const unknown = await as(attacker, 'PUT', `/api/staff/${attacker.deskId}/roles`, { roles: ['no_such_role'] });
    assert.equal(unknown.statusCode, 400, unknown.body);
    for (const role of [victim.freeRole.id, victim.heldRole.key]) {
      const res = await as(attacker, 'PUT', `/api/staff/${attacker.deskId}/roles`, { roles: [role] });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'validation_failed');
      assert.equal(res.json().errors[0].field, 'roles');
    }
    const desk = (await as(attacker, 'GET', '/api/staff')).json().items.find((s: { userId: string }) => s.userId === attacker.deskId);
    assert.deepEqual(desk.roles, ['front_desk', attacker.heldRole.key].sort());
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: role routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's roles`);
    }
    // The victim still reads its own roles, unchanged.
    const own = await as(victim, 'GET', `/api/roles/${victim.heldRole.id}`);
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().permissions, ['staff:manage', 'scheduling:read']);
    assert.equal(own.json().members, 1);
  });
}
