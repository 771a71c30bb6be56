// Cross-tenant cases for the workflow and task routes (see the meta test in test/cross-tenant.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { bookablePractice } from './support/scheduling-fixtures.ts';
import { setPlan } from './support/plan-fixtures.ts';
import { assertLikeMissing, NOWHERE } from './support/cross-tenant-kit.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { DEFAULT_DEFINITIONS } from '../src/domain/workflows/defaults.ts';

let t: TestApp;
interface Practice {
  tenant: TestTenant;
  patientId: string;
  appointmentId: string;
  invoiceId: string;
  taskId: string;
}
type Case = (attacker: Practice, victim: Practice) => Promise<void>;

function as(p: Practice, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return t.api(p.tenant, p.tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
}

/** The default appointment workflow with a labelled confirmation step that creates a task. */
function definitionOf(slug: string) {
  const def = structuredClone(DEFAULT_DEFINITIONS.appointment);
  def.states.push({ key: 'confirmed', label: `Confirmed at ${slug}`, systemStatus: 'booked' });
  def.transitions.find((x) => x.key === 'check_in')!.from.push('confirmed');
  def.transitions.find((x) => x.key === 'cancel')!.from.push('confirmed');
  def.transitions.push({ key: 'confirm', label: `Confirm ${slug}`, from: ['booked'], to: 'confirmed', actions: [{ type: 'create_task', role: 'front_desk', title: `Task of ${slug}` }] });
  return def;
}

async function practice(tier: 'pooled' | 'schema'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  await setPlan(t, tenant, 'professional');
  const b = await bookablePractice(t, tenant, 'Europe/Berlin');
  const p: Practice = { tenant, patientId: b.patientId, appointmentId: '', invoiceId: '', taskId: '' };
  assert.equal((await as(p, 'PUT', '/api/workflows/appointment', definitionOf(tenant.slug))).statusCode, 200);
  const start = DateTime.now().setZone('Europe/Berlin').startOf('week').plus({ weeks: 3 }).set({ hour: 10 }).toISO()!;
  const booked = await as(p, 'POST', '/api/appointments', { patientId: b.patientId, typeId: b.typeId, providerId: b.providerId, locationId: b.locationId, start });
  assert.equal(booked.statusCode, 201, booked.body);
  p.appointmentId = booked.json().id;
  assert.equal((await as(p, 'POST', `/api/workflows/appointment/instances/${p.appointmentId}/transitions`, { transition: 'confirm' })).statusCode, 200);
  p.taskId = (await as(p, 'GET', '/api/tasks')).json().items[0].id;
  const draft = await as(p, 'POST', '/api/invoices', { patientId: b.patientId, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 1000, quantity: '1' }] });
  p.invoiceId = draft.json().id;
  assert.equal((await as(p, 'POST', `/api/workflows/invoice/instances/${p.invoiceId}/transitions`, { transition: 'issue' })).statusCode, 200);
  assert.equal((await as(p, 'POST', `/api/workflows/patient_intake/instances/${p.patientId}/transitions`, { transition: 'forms_received' })).statusCode, 200);
  return p;
}

async function snapshot(p: Practice) {
  const ref = (await t.services.tenants.bySlug(p.tenant.slug))!;
  return withTenant(t.services.db, ref, async (tx) => {
    const all = async (table: string) => (await tx.query(`select * from ${table} where tenant_id = $1 order by id`, [tx.tenantId])).rows;
    return {
      definitions: await all('workflow_definitions'),
      instances: await all('workflow_instances'),
      history: await all('workflow_history'),
      tasks: await all('workflow_tasks'),
      appointments: (await tx.query('select id, status from appointments where tenant_id = $1 order by id', [tx.tenantId])).rows,
      invoices: (await tx.query('select id, status from invoices where tenant_id = $1 order by id', [tx.tenantId])).rows,
    };
  });
}

/** Each entity of the victim, by kind, answers like an id no practice owns. */
async function eachEntityLikeMissing(attacker: Practice, victim: Practice, suffix: string, method: 'GET' | 'POST', payload?: (kind: string) => object) {
  for (const [kind, id] of [['appointment', victim.appointmentId], ['invoice', victim.invoiceId], ['patient_intake', victim.patientId]] as const) {
    const url = (entity: string) => `/api/workflows/${kind}/instances/${entity}${suffix}`;
    assertLikeMissing(await as(attacker, method, url(id), payload?.(kind)), await as(attacker, method, url(NOWHERE), payload?.(kind)));
  }
}

const TRANSITION_OF: Record<string, string> = { appointment: 'cancel', invoice: 'void', patient_intake: 'approve' };

const COVERAGE: Record<string, Case> = {
  'GET /api/workflows': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/workflows');
    assert.equal(res.statusCode, 200, res.body);
    const own = (await snapshot(attacker)).definitions.filter((d) => d.kind === 'appointment').length;
    assert.equal(res.json().items.find((i: { kind: string }) => i.kind === 'appointment').version, own);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'GET /api/workflows/{kind}': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/workflows/appointment');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'PUT /api/workflows/{kind}': async (attacker, victim) => {
    // A definition naming the victim's slug is just text; it lands in the attacker's practice only.
    const res = await as(attacker, 'PUT', '/api/workflows/appointment', definitionOf(attacker.tenant.slug));
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'DELETE /api/workflows/{kind}': async (attacker) => {
    const res = await as(attacker, 'DELETE', '/api/workflows/invoice');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().isDefault, true);
  },
  'GET /api/workflows/{kind}/versions': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/workflows/appointment/versions');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().items.length >= 2);
    assert.ok(!res.body.includes(victim.tenant.slug));
  },
  'POST /api/workflows/{kind}/validate': async (attacker, victim) => {
    const res = await as(attacker, 'POST', '/api/workflows/appointment/validate', definitionOf(victim.tenant.slug));
    assert.deepEqual(res.json(), { valid: true, problems: [] });
  },
  'GET /api/workflows/{kind}/instances/{entityId}': async (attacker, victim) => {
    await eachEntityLikeMissing(attacker, victim, '', 'GET');
    const own = await as(attacker, 'GET', `/api/workflows/appointment/instances/${attacker.appointmentId}`);
    assert.equal(own.statusCode, 200, own.body);
    assert.ok(!own.body.includes(victim.tenant.slug));
  },
  'GET /api/workflows/{kind}/instances/{entityId}/history': async (attacker, victim) => {
    await eachEntityLikeMissing(attacker, victim, '/history', 'GET');
    const own = await as(attacker, 'GET', `/api/workflows/appointment/instances/${attacker.appointmentId}/history`);
    assert.equal(own.json().items.length, 1);
  },
  'POST /api/workflows/{kind}/instances/{entityId}/transitions': async (attacker, victim) => {
    await eachEntityLikeMissing(attacker, victim, '/transitions', 'POST', (kind) => ({ transition: TRANSITION_OF[kind]!, note: 'attack' }));
  },
  'GET /api/tasks': async (attacker, victim) => {
    const res = await as(attacker, 'GET', '/api/tasks?status=open');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(victim.taskId) && !res.body.includes(victim.tenant.slug));
    assert.ok(res.body.includes(attacker.taskId));
  },
  'POST /api/tasks/{id}/complete': async (attacker, victim) => {
    assertLikeMissing(await as(attacker, 'POST', `/api/tasks/${victim.taskId}/complete`), await as(attacker, 'POST', `/api/tasks/${NOWHERE}/complete`));
  },
};

before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

for (const [from, to] of [['pooled', 'pooled'], ['pooled', 'schema'], ['schema', 'pooled']] as const) {
  test(`${from} → ${to}: workflow and task routes reveal and change nothing of the other practice`, async () => {
    const attacker = await practice(from);
    const victim = await practice(to);
    for (const [route, check] of Object.entries(COVERAGE)) {
      const before = await snapshot(victim);
      assert.equal(before.tasks.length, 1);
      await check(attacker, victim);
      assert.deepEqual(await snapshot(victim), before, `${route} changed the victim's workflows`);
    }
    const own = await as(victim, 'GET', `/api/workflows/appointment/instances/${victim.appointmentId}`);
    assert.equal(own.json().state.key, 'confirmed');
  });
}
