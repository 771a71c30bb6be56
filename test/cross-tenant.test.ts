/**
 * Tenant B gets nothing of tenant A's, on every /api route, within and across tiers. The coverage
 * table is checked against the OpenAPI document: a new /api route without a case here fails.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';

let t: TestApp;

/** A practice plus the distinctive patient and staff member an attacker must never see. */
interface Practice {
  readonly tenant: TestTenant;
  readonly adminId: string;
  /** A second staff member (front desk), so disable/enable have a target. */
  readonly staffId: string;
  readonly patient: { id: string; lastName: string; dateOfBirth: string; phone: string };
  readonly roleIds: string[];
}

const practices: Record<'A' | 'B' | 'C' | 'D', Practice> = {} as never;

function letters(n: number): string {
  return [...randomBytes(n)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

async function makePractice(tier: 'pooled' | 'schema', index: number): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const me = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
  assert.equal(me.statusCode, 200, me.body);
  const lastName = `Zq${letters(10)}`;
  const dateOfBirth = `19${30 + index}-0${index + 1}-1${index}`;
  const phone = `(555) 31${index}-90${index}${index}`;
  const created = await t.api(tenant, tenant.adminToken, {
    method: 'POST',
    url: '/api/patients',
    payload: { firstName: 'Secret', lastName, dateOfBirth, phone, email: `secret@${tenant.slug}.test` },
  });
  assert.equal(created.statusCode, 201, created.body);
  const roles = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/roles' });
  const staff = await t.api(tenant, tenant.adminToken, {
    method: 'POST',
    url: '/api/staff',
    payload: { email: `desk@${tenant.slug}.test`, name: 'Desk', password: 'correct-horse-battery', roles: ['front_desk'] },
  });
  assert.equal(staff.statusCode, 201, staff.body);
  return {
    tenant,
    adminId: me.json().userId,
    staffId: staff.json().userId,
    patient: { id: created.json().id, lastName, dateOfBirth, phone },
    roleIds: roles.json().items.map((r: { id: string }) => r.id),
  };
}

before(async () => {
  t = await startTestApp();
  practices.A = await makePractice('pooled', 0);
  practices.B = await makePractice('pooled', 1);
  practices.C = await makePractice('schema', 2);
  practices.D = await makePractice('schema', 3);
});
after(async () => {
  await t.close();
});

/** Everything a practice holds, read straight from its tables (no audit side effects). */
async function snapshot(p: Practice): Promise<unknown> {
  const ref = await t.services.tenants.bySlug(p.tenant.slug);
  assert.ok(ref);
  return withTenant(t.services.db, ref, async (tx) => {
    const out: Record<string, unknown> = {};
    for (const [name, sql] of [
      ['patients', 'select * from patients where tenant_id = $1 order by id'],
      ['audit_events', 'select * from audit_events where tenant_id = $1 order by id'],
      ['roles', 'select * from roles where tenant_id = $1 order by id'],
      ['counters', 'select * from counters where tenant_id = $1 order by name'],
      ['staff_members', 'select * from staff_members where tenant_id = $1 order by user_id'],
      ['member_roles', 'select * from member_roles where tenant_id = $1 order by user_id, role_id'],
      ['memberships', 'select * from platform.memberships where tenant_id = $1 order by user_id'],
    ] as const) {
      out[name] = (await tx.query(sql, [tx.tenantId])).rows;
    }
    return out;
  });
}

function as(attacker: Practice, options: Parameters<TestApp['api']>[2]): Promise<LightMyRequestResponse> {
  return t.api(attacker.tenant, attacker.tenant.adminToken, options);
}

function assertNotFound(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().code, 'not_found');
}

/** A patient id that exists nowhere: the answer for another practice's id must look the same. */
const NOWHERE = '01900000-0000-7000-8000-000000000000';

async function patientIdsOf(attacker: Practice, query: Record<string, string>): Promise<string[]> {
  const res = await as(attacker, { method: 'GET', url: '/api/patients', query: { status: 'all', limit: '100', ...query } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((p: { id: string }) => p.id);
}

type Case = (attacker: Practice, victim: Practice) => Promise<void>;

async function asVictim(victim: Practice, method: 'GET' | 'POST', url: string): Promise<void> {
  const res = await t.api(victim.tenant, victim.tenant.adminToken, { method, url });
  assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
}

/**
 * Run in the victim's own practice before its snapshot (they write its audit trail): they prove
 * that the attacker's probes would have found the rows had they been visible, or give an undo
 * route (restore, enable) something to undo, so an effect would show.
 */
const SETUP: Record<string, (victim: Practice) => Promise<void>> = {
  'POST /api/patients/{id}/restore': (victim) => asVictim(victim, 'POST', `/api/patients/${victim.patient.id}/archive`),
  'POST /api/staff/{userId}/enable': (victim) => asVictim(victim, 'POST', `/api/staff/${victim.staffId}/disable`),
  'GET /api/staff': async (victim) => {
    const own = await t.api(victim.tenant, victim.tenant.adminToken, { method: 'GET', url: '/api/staff' });
    const ids = own.json().items.map((m: { userId: string }) => m.userId) as string[];
    assert.ok(ids.includes(victim.adminId) && ids.includes(victim.staffId));
  },
  'GET /api/patients': async (victim) => {
    const v = victim.patient;
    for (const query of <Record<string, string>[]>[{ q: v.lastName }, { q: v.lastName.slice(0, 5) }, { dateOfBirth: v.dateOfBirth }, { phone: v.phone }, { phone: v.phone.slice(-4) }]) {
      const own = await t.api(victim.tenant, victim.tenant.adminToken, { method: 'GET', url: '/api/patients', query: { status: 'all', ...query } });
      assert.deepEqual(own.json().items.map((p: { id: string }) => p.id), [v.id], JSON.stringify(query));
    }
  },
  'GET /api/audit-events': async (victim) => {
    const own = await t.api(victim.tenant, victim.tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { resourceId: victim.patient.id } });
    assert.ok(own.json().items.length > 0);
  },
  'GET /api/patients/{id}': async (victim) => {
    const own = await t.api(victim.tenant, victim.tenant.adminToken, { method: 'GET', url: `/api/patients/${victim.patient.id}` });
    assert.equal(own.statusCode, 200);
  },
};

/** One cross-tenant case per /api route, keyed as "METHOD /openapi/path". */
const COVERAGE: Record<string, Case> = {
  'POST /api/patients': async (attacker, victim) => {
    const lastName = `Cx${letters(8)}`;
    const res = await as(attacker, { method: 'POST', url: '/api/patients', payload: { firstName: 'New', lastName, dateOfBirth: '1990-01-01' } });
    assert.equal(res.statusCode, 201, res.body);
    // It lands in the attacker's practice only.
    const own = await patientIdsOf(attacker, { q: lastName });
    assert.deepEqual(own, [res.json().id]);
    // Nothing reached the victim's tables: the runner compares their snapshots around this case.
    // A tenant cannot be smuggled in the body.
    const smuggled = await as(attacker, {
      method: 'POST',
      url: '/api/patients',
      payload: { firstName: 'New', lastName, dateOfBirth: '1990-01-01', tenantId: victim.tenant.id },
    });
    assert.equal(smuggled.statusCode, 400, smuggled.body);
    assert.equal(smuggled.json().code, 'validation_failed');
  },
  'GET /api/patients': async (attacker, victim) => {
    const v = victim.patient;
    assert.deepEqual(await patientIdsOf(attacker, { q: v.lastName }), []);
    assert.deepEqual(await patientIdsOf(attacker, { q: v.lastName.slice(0, 5) }), []);
    assert.deepEqual(await patientIdsOf(attacker, { dateOfBirth: v.dateOfBirth }), []);
    assert.deepEqual(await patientIdsOf(attacker, { phone: v.phone }), []);
    assert.deepEqual(await patientIdsOf(attacker, { phone: v.phone.slice(-4) }), []);
    // The unfiltered list holds the attacker's own patient and none of the victim's.
    const all = await patientIdsOf(attacker, {});
    assert.ok(all.includes(attacker.patient.id));
    assert.ok(!all.includes(v.id));
  },
  'GET /api/patients/{id}': async (attacker, victim) => {
    const theirs = await as(attacker, { method: 'GET', url: `/api/patients/${victim.patient.id}` });
    assertNotFound(theirs);
    const nowhere = await as(attacker, { method: 'GET', url: `/api/patients/${NOWHERE}` });
    assertNotFound(nowhere);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });
    assert.deepEqual(strip(theirs.json()), strip(nowhere.json()), 'another practice’s id is indistinguishable from a missing one');
  },
  'PATCH /api/patients/{id}': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'PATCH', url: `/api/patients/${victim.patient.id}`, payload: { firstName: 'Hacked' } }));
    assertNotFound(await as(attacker, { method: 'PATCH', url: `/api/patients/${victim.patient.id}`, payload: { phone: null }, headers: { 'if-match': '"1"' } }));
  },
  'POST /api/patients/{id}/archive': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'POST', url: `/api/patients/${victim.patient.id}/archive` }));
  },
  'POST /api/patients/{id}/restore': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'POST', url: `/api/patients/${victim.patient.id}/restore` }));
  },
  'GET /api/audit-events': async (attacker, victim) => {
    const byResource = await as(attacker, { method: 'GET', url: '/api/audit-events', query: { resourceId: victim.patient.id } });
    assert.equal(byResource.statusCode, 200, byResource.body);
    assert.deepEqual(byResource.json().items, []);
    const byActor = await as(attacker, { method: 'GET', url: '/api/audit-events', query: { actorId: victim.adminId } });
    assert.deepEqual(byActor.json().items, []);
    const all = await as(attacker, { method: 'GET', url: '/api/audit-events', query: { limit: '200' } });
    const items = all.json().items as { resourceId: string | null; actor: { id: string | null }; details: unknown }[];
    assert.ok(items.length > 0);
    for (const e of items) {
      assert.notEqual(e.resourceId, victim.patient.id);
      assert.notEqual(e.actor.id, victim.adminId);
      assert.ok(!JSON.stringify(e.details).includes(victim.patient.id));
    }
  },
  'GET /api/staff': async (attacker, victim) => {
    const res = await as(attacker, { method: 'GET', url: '/api/staff' });
    assert.equal(res.statusCode, 200, res.body);
    const ids = res.json().items.map((m: { userId: string }) => m.userId) as string[];
    assert.ok(ids.includes(attacker.adminId));
    assert.ok(!ids.includes(victim.adminId) && !ids.includes(victim.staffId));
    assert.ok(!res.body.includes(victim.tenant.slug), 'no victim emails');
  },
  'POST /api/staff': async (attacker, victim) => {
    const email = `new-${letters(6)}@${attacker.tenant.slug}.test`;
    const res = await as(attacker, { method: 'POST', url: '/api/staff', payload: { email, name: 'New', password: 'correct-horse-battery', roles: ['billing'] } });
    assert.equal(res.statusCode, 201, res.body);
    // The new person belongs to the attacker's practice only (the snapshot shows the victim untouched).
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: victim.tenant.slug, email, password: 'correct-horse-battery' } });
    assert.equal(login.statusCode, 401, login.body);
    // Roles are resolved in the attacker's practice: the victim's role ids mean nothing here.
    const byId = await as(attacker, { method: 'POST', url: '/api/staff', payload: { email: `x${email}`, name: 'X', password: 'correct-horse-battery', roles: [victim.roleIds[0]] } });
    assert.equal(byId.statusCode, 400, byId.body);
  },
  'PUT /api/staff/{userId}/roles': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'PUT', url: `/api/staff/${victim.adminId}/roles`, payload: { roles: ['billing'] } }));
    assertNotFound(await as(attacker, { method: 'PUT', url: `/api/staff/${victim.staffId}/roles`, payload: { roles: ['admin'] } }));
  },
  'POST /api/staff/{userId}/disable': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'POST', url: `/api/staff/${victim.staffId}/disable` }));
    assertNotFound(await as(attacker, { method: 'POST', url: `/api/staff/${victim.adminId}/disable` }));
    // The victim's admin still works.
    const me = await t.api(victim.tenant, victim.tenant.adminToken, { method: 'GET', url: '/api/me' });
    assert.equal(me.statusCode, 200);
  },
  'POST /api/staff/{userId}/enable': async (attacker, victim) => {
    assertNotFound(await as(attacker, { method: 'POST', url: `/api/staff/${victim.staffId}/enable` }));
  },
  'GET /api/me': async (attacker, victim) => {
    const me = await as(attacker, { method: 'GET', url: '/api/me' });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().tenant.id, attacker.tenant.id);
    assert.notEqual(me.json().tenant.id, victim.tenant.id);
  },
  'GET /api/roles': async (attacker, victim) => {
    const res = await as(attacker, { method: 'GET', url: '/api/roles' });
    assert.equal(res.statusCode, 200);
    const ids = res.json().items.map((r: { id: string }) => r.id) as string[];
    assert.deepEqual(ids.sort(), [...attacker.roleIds].sort());
    for (const id of victim.roleIds) assert.ok(!ids.includes(id));
  },
};

/** Puts the victim back as it was after SETUP. */
const TEARDOWN: Record<string, (victim: Practice) => Promise<void>> = {
  'POST /api/patients/{id}/restore': (victim) => asVictim(victim, 'POST', `/api/patients/${victim.patient.id}/restore`),
  'POST /api/staff/{userId}/enable': (victim) => asVictim(victim, 'POST', `/api/staff/${victim.staffId}/enable`),
};

/** A concrete URL for an OpenAPI path, with the victim's ids filled in. */
function concreteUrl(path: string, victim: Practice): string {
  return path.replace('{id}', victim.patient.id).replace('{userId}', victim.staffId);
}

/** A body that would pass validation on each writing route. */
function plausibleBody(route: string): object | undefined {
  if (route.startsWith('GET ')) return undefined;
  if (route === 'PATCH /api/patients/{id}') return { firstName: 'Hacked' };
  if (route === 'POST /api/patients') return { firstName: 'Hacked', lastName: 'Hacked', dateOfBirth: '1990-01-01' };
  if (route === 'POST /api/staff') return { email: 'mallory@evil.test', name: 'Mallory', password: 'correct-horse-battery', roles: ['admin'] };
  if (route === 'PUT /api/staff/{userId}/roles') return { roles: ['admin'] };
  return {};
}

const PAIRS: [keyof typeof practices, keyof typeof practices, string][] = [
  ['A', 'B', 'pooled → pooled'],
  ['C', 'D', 'schema → schema'],
  ['A', 'C', 'pooled → schema'],
  ['C', 'A', 'schema → pooled'],
];

for (const [a, b, label] of PAIRS) {
  describe(`${label}: practice ${a} against practice ${b}`, () => {
    for (const [route, check] of Object.entries(COVERAGE)) {
      test(`${route} reveals and changes nothing of ${b}`, async () => {
        const attacker = practices[a];
        const victim = practices[b];
        await SETUP[route]?.(victim);
        const before = await snapshot(victim);
        await check(attacker, victim);
        assert.deepEqual(await snapshot(victim), before, `${b}'s data changed`);
        await TEARDOWN[route]?.(victim);
      });
    }

    test(`${a}'s token naming ${b} in X-Tenant is refused on every route`, async () => {
      const attacker = practices[a];
      const victim = practices[b];
      const before = await snapshot(victim);
      for (const route of Object.keys(COVERAGE)) {
        const [method, path] = route.split(' ') as [string, string];
        const body = plausibleBody(route);
        const res = await t.api(victim.tenant, attacker.tenant.adminToken, {
          method: method as 'GET',
          url: concreteUrl(path, victim),
          ...(body ? { payload: body } : {}),
        });
        assert.equal(res.statusCode, 401, `${route}: ${res.body}`);
        assert.equal(res.json().code, 'token_tenant_mismatch', route);
      }
      assert.deepEqual(await snapshot(victim), before);
    });
  });
}

test('the victim patients are intact and readable by their own practices', async () => {
  for (const p of Object.values(practices)) {
    const res = await t.api(p.tenant, p.tenant.adminToken, { method: 'GET', url: `/api/patients/${p.patient.id}` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().firstName, 'Secret');
    assert.equal(res.json().lastName, p.patient.lastName);
    assert.equal(res.json().status, 'active');
    assert.equal(res.json().version, 1 + 2 * PAIRS.filter(([, victim]) => practices[victim] === p).length, 'only its own archive/restore changed it');
  }
});

test('meta: every /api route in the OpenAPI document has a cross-tenant case, and every case a route', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const paths = res.json().paths as Record<string, Record<string, unknown>>;
  const documented: string[] = [];
  for (const [path, ops] of Object.entries(paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of Object.keys(ops)) {
      if (['get', 'put', 'post', 'patch', 'delete'].includes(method)) documented.push(`${method.toUpperCase()} ${path}`);
    }
  }
  assert.ok(documented.length >= 9, `expected the /api routes in the OpenAPI document, got ${documented.join(', ')}`);
  // Other modules keep their cases in test/cross-tenant-*.test.ts, in a `COVERAGE` table keyed the same way.
  const covered = new Set(Object.keys(COVERAGE));
  for (const file of readdirSync('test').filter((f) => /^cross-tenant-.+\.test\.ts$/.test(f))) {
    const text = readFileSync(path.join('test', file), 'utf8');
    for (const m of text.matchAll(/^\s+'((?:GET|POST|PUT|PATCH|DELETE) \/api\/[^']*)': async/gm)) covered.add(m[1]!);
  }
  const missing = documented.filter((r) => !covered.has(r));
  assert.deepEqual(missing, [], `routes without a cross-tenant case: ${missing.join(', ')}`);
  const stale = [...covered].filter((r) => !documented.includes(r));
  assert.deepEqual(stale, [], `cases for routes that no longer exist: ${stale.join(', ')}`);
  // And the server really has each of them (the document is not hiding a route from us).
  for (const route of documented) {
    const [method, path] = route.split(' ') as [string, string];
    assert.ok(t.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), route);
  }
});
