/**
 * Invoices from appointments: the `autoInvoice` setting (off, draft, issue) acting when a visit is
 * completed, in the same transaction; the price in force on the visit's local date (location level
 * first); skipped visits leave an audit event and still complete; the manual route; one live invoice
 * per visit (racing completes and racing requests, the database backstop); a void invoice frees it.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DateTime } from 'luxon';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { WEEKDAYS_9_TO_5, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

// Far from UTC: a 09:30 visit here falls on the previous day in UTC, so the local date matters.
const ZONE = 'Pacific/Auckland';
const TYPE_NAME = 'Physiotherapy';
const ITEM_CODE = 'PHYSIO-45';

interface Practice {
  readonly tenant: TestTenant;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  itemId: string;
  patientId: string;
  slots: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

function call(p: Practice, method: Method, url: string, payload?: object, headers: Record<string, string> = {}, token = p.tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p.tenant, token, { method, url, headers, ...(payload ? { payload } : {}) });
}

async function ok(res: Promise<LightMyRequestResponse>, status = 200): Promise<Record<string, any>> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r.json();
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
  return res.json();
}

/** The Monday three weeks ahead in the location's zone, at 09:00 + 30 minutes per slot used. */
function nextSlot(p: Practice): string {
  const n = p.slots++;
  return DateTime.now().setZone(ZONE).startOf('week').plus({ weeks: 3, days: Math.floor(n / 14) }).set({ hour: 9 + Math.floor((n % 14) / 2), minute: (n % 2) * 30 })
    .toISO({ suppressMilliseconds: true })!;
}

const localDate = (start: string) => DateTime.fromISO(start, { setZone: true }).toISODate()!;
const dayAfter = (date: string) => DateTime.fromISO(date).plus({ days: 1 }).toISODate()!;

/**
 * A practice in Auckland with a physiotherapy type billed as PHYSIO-45: 9000 from 2020, 15000 from
 * the visit date of the first slot, 20000 from the day after (so only the visit date's price is 15000).
 */
async function practice(autoInvoice?: 'off' | 'draft' | 'issue', tier: 'pooled' | 'schema' = 'pooled'): Promise<Practice> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  await setPracticeRules(t, ref, { minNoticeMinutes: 0 });
  const locationId = await insertLocation(t, ref, { timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: TYPE_NAME, durationMinutes: 30, providerIds: [providerId] });
  const p: Practice = { tenant, locationId, providerId, typeId, itemId: '', patientId: '', slots: 0 };
  p.patientId = (await ok(call(p, 'POST', '/api/patients', { firstName: 'Vera', lastName: 'Visit', dateOfBirth: '1975-04-05' }), 201)).id;
  p.itemId = (await ok(call(p, 'POST', '/api/price-items', { code: ITEM_CODE, description: 'Physiotherapy session, 45 min', category: 'medical_service', kind: 'service' }), 201)).id;
  const visitDate = localDate(nextSlot({ ...p }));
  for (const [unitPrice, effectiveFrom] of [[9000, '2020-01-01'], [15000, visitDate], [20000, dayAfter(visitDate)]] as const) {
    await ok(call(p, 'POST', `/api/price-items/${p.itemId}/prices`, { unitPrice, effectiveFrom }), 201);
  }
  await ok(call(p, 'PATCH', `/api/appointment-types/${typeId}`, { priceItemCode: ITEM_CODE }));
  if (autoInvoice) await ok(call(p, 'PUT', '/api/billing/settings', { currency: 'USD', autoInvoice }));
  return p;
}

async function book(p: Practice, typeId = p.typeId): Promise<{ id: string; start: string }> {
  return ok(call(p, 'POST', '/api/appointments', { patientId: p.patientId, typeId, providerId: p.providerId, locationId: p.locationId, start: nextSlot(p) }), 201) as Promise<{ id: string; start: string }>;
}

async function checkedIn(p: Practice, typeId?: string): Promise<{ id: string; start: string }> {
  const a = await book(p, typeId);
  await ok(call(p, 'POST', `/api/appointments/${a.id}/check-in`));
  return a;
}

async function staffToken(p: Practice, role: string): Promise<string> {
  const email = `${role}-${p.slots}@${p.tenant.slug}.test`;
  await ok(call(p, 'POST', '/api/staff', { email, name: role, password: PASSWORD, roles: [role] }), 201);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken;
}

async function invoicesOf(p: Practice, appointmentId: string): Promise<Record<string, any>[]> {
  return (await ok(call(p, 'GET', `/api/invoices?appointmentId=${appointmentId}`))).items;
}

async function auditOf(p: Practice, resourceId: string): Promise<{ action: string; details: Record<string, any> }[]> {
  return (await ok(call(p, 'GET', `/api/audit-events?resourceId=${resourceId}&limit=200`))).items;
}

describe('completing a visit with autoInvoice', () => {
  test('off (the default): no invoice and no audit noise', async () => {
    const p = await practice();
    assert.equal((await ok(call(p, 'GET', '/api/billing/settings'))).autoInvoice, 'off');
    const a = await checkedIn(p);
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
    assert.equal(done.status, 'completed');
    assert.equal(done.invoiceId, null);
    assert.deepEqual(await invoicesOf(p, a.id), []);
    assert.ok(!(await auditOf(p, a.id)).some((e) => e.action === 'appointment.invoice_skipped'));
  });

  test('draft: a draft linked to the visit, priced on the visit’s local date and described by type and date', async () => {
    const p = await practice('draft');
    const a = await checkedIn(p);
    const visitDate = localDate(a.start);
    assert.notEqual(visitDate, new Date(a.start).toISOString().slice(0, 10), 'the visit’s UTC date differs from its local one');
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
    assert.match(done.invoiceId, /^[0-9a-f-]{36}$/);
    assert.equal((await ok(call(p, 'GET', `/api/appointments/${a.id}`))).invoiceId, done.invoiceId);

    const invoice = await ok(call(p, 'GET', `/api/invoices/${done.invoiceId}`));
    assert.equal(invoice.status, 'draft');
    assert.equal(invoice.number, null);
    assert.equal(invoice.appointmentId, a.id);
    assert.equal(invoice.patientId, p.patientId);
    assert.equal(invoice.inputs.lines.length, 1);
    const line = invoice.inputs.lines[0];
    assert.equal(line.unitPrice, 15000, 'the price in force on the visit date, not today’s or the latest');
    assert.equal(line.quantity, '1');
    assert.equal(line.category, 'medical_service');
    assert.ok(line.description.includes(TYPE_NAME) && line.description.includes(visitDate), line.description);
    assert.equal(invoice.document.total, 15000);
    assert.deepEqual((await invoicesOf(p, a.id)).map((i) => i.id), [done.invoiceId]);
    const actions = (await auditOf(p, done.invoiceId)).map((e) => e.action);
    assert.deepEqual(actions, ['invoice.create']);
  });

  test('issue: issued at once with the visit’s price and the next number of the gapless sequence', async () => {
    const p = await practice('issue');
    const a = await checkedIn(p);
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
    const invoice = await ok(call(p, 'GET', `/api/invoices/${done.invoiceId}`));
    assert.equal(invoice.status, 'issued');
    assert.match(invoice.number, /^INV-\d{4}-00001$/);
    assert.equal(invoice.total, 15000);
    assert.equal(invoice.appointmentId, a.id);
    assert.ok(invoice.document.lines[0].description.includes(localDate(a.start)));
    assert.deepEqual((await auditOf(p, done.invoiceId)).map((e) => e.action).sort(), ['invoice.create', 'invoice.issue']);
    // The next one, made by hand and issued, takes number 2: one sequence, no gap.
    const b = await checkedIn(p);
    const manual = await ok(call(p, 'POST', `/api/appointments/${b.id}/invoice`), 201);
    assert.match((await ok(call(p, 'POST', `/api/invoices/${manual.id}/issue`))).number, /^INV-\d{4}-00002$/);
  });

  test('the front desk, without billing permissions, completes a visit and its invoice is issued all the same', async () => {
    const p = await practice('issue');
    const desk = await staffToken(p, 'front_desk');
    const a = await checkedIn(p);
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`, undefined, {}, desk));
    assert.equal(done.status, 'completed');
    assert.equal((await ok(call(p, 'GET', `/api/invoices/${done.invoiceId}`))).status, 'issued');
  });

  test('a location’s own price level wins over standard', async () => {
    const p = await practice('draft');
    await ok(call(p, 'POST', `/api/price-items/${p.itemId}/prices`, { priceLevel: p.locationId, unitPrice: 13300, effectiveFrom: '2020-01-01' }), 201);
    const a = await checkedIn(p);
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
    assert.equal((await ok(call(p, 'GET', `/api/invoices/${done.invoiceId}`))).inputs.lines[0].unitPrice, 13300);
  });

  test('no price code, an unknown or an inactive item: the visit completes, no invoice, an audit event says why', async () => {
    const p = await practice('issue');
    const ref = await tenantRef(t, p.tenant.slug);
    const bare = await insertAppointmentType(t, ref, { name: 'Chat', durationMinutes: 30, providerIds: [p.providerId] });
    const unknown = await insertAppointmentType(t, ref, { name: 'Ghost', durationMinutes: 30, providerIds: [p.providerId] });
    await ok(call(p, 'PATCH', `/api/appointment-types/${unknown}`, { priceItemCode: 'NO-SUCH' }));
    const cases: [string, string][] = [[bare, 'no_price_item_code'], [unknown, 'unknown_price_item']];
    for (const [typeId, reason] of cases) {
      const a = await checkedIn(p, typeId);
      const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
      assert.equal(done.status, 'completed');
      assert.equal(done.invoiceId, null);
      assert.deepEqual(await invoicesOf(p, a.id), []);
      const skipped = (await auditOf(p, a.id)).filter((e) => e.action === 'appointment.invoice_skipped');
      assert.equal(skipped.length, 1);
      assert.equal(skipped[0]!.details.reason, reason);
      assert.equal(typeof skipped[0]!.details.message, 'string');
      // By hand it is refused with the same reason.
      const manual = assertProblem(await call(p, 'POST', `/api/appointments/${a.id}/invoice`), 409, 'appointment_not_billable');
      assert.equal(manual.detail, skipped[0]!.details.message);
    }
    await ok(call(p, 'PATCH', `/api/price-items/${p.itemId}`, { active: false }));
    const a = await checkedIn(p);
    assert.equal((await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`))).invoiceId, null);
    assert.equal((await auditOf(p, a.id)).find((e) => e.action === 'appointment.invoice_skipped')?.details.reason, 'inactive_price_item');
    // Nothing was numbered.
    assert.deepEqual((await ok(call(p, 'GET', '/api/invoices'))).items, []);
  });

  test('ten racing completes of one visit: one completion, one invoice, one number', async () => {
    const p = await practice('issue');
    const a = await checkedIn(p);
    const results = await Promise.all(Array.from({ length: 10 }, () => call(p, 'POST', `/api/appointments/${a.id}/complete`)));
    const okOnes = results.filter((r) => r.statusCode === 200);
    assert.equal(okOnes.length, 1, results.map((r) => r.body).join('\n'));
    for (const r of results.filter((x) => x.statusCode !== 200)) assertProblem(r, 409, 'invalid_transition');
    const invoices = await invoicesOf(p, a.id);
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0]!.id, okOnes[0]!.json().invoiceId);
    assert.match(invoices[0]!.number, /^INV-\d{4}-00001$/);
  });
});

describe('POST /api/appointments/{id}/invoice', () => {
  test('a draft from a checked-in visit; a second is 409 naming the first; idempotent retries replay', async () => {
    const p = await practice();
    const booked = await book(p);
    assert.match(assertProblem(await call(p, 'POST', `/api/appointments/${booked.id}/invoice`), 409, 'appointment_not_billable').detail, /booked/);
    const a = await checkedIn(p);
    const created = await call(p, 'POST', `/api/appointments/${a.id}/invoice`, undefined, { 'idempotency-key': 'visit-1' });
    assert.equal(created.statusCode, 201, created.body);
    const invoice = created.json();
    assert.equal(created.headers.location, `/api/invoices/${invoice.id}`);
    assert.equal(invoice.status, 'draft');
    assert.equal(invoice.appointmentId, a.id);
    assert.equal(invoice.inputs.lines[0].unitPrice, 15000);
    const replay = await call(p, 'POST', `/api/appointments/${a.id}/invoice`, undefined, { 'idempotency-key': 'visit-1' });
    assert.equal(replay.statusCode, 201, replay.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().id, invoice.id);
    const again = assertProblem(await call(p, 'POST', `/api/appointments/${a.id}/invoice`), 409, 'appointment_already_invoiced');
    assert.ok(again.detail.includes(invoice.id), again.detail);
    assert.equal((await ok(call(p, 'GET', `/api/appointments/${a.id}`))).invoiceId, invoice.id);

    // Completing later with auto-invoicing on bills nothing twice and says so.
    await ok(call(p, 'PUT', '/api/billing/settings', { currency: 'USD', autoInvoice: 'issue' }));
    const done = await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`));
    assert.equal(done.invoiceId, invoice.id);
    assert.equal((await invoicesOf(p, a.id)).length, 1);
    const skipped = (await auditOf(p, a.id)).find((e) => e.action === 'appointment.invoice_skipped');
    assert.equal(skipped?.details.reason, 'already_invoiced');
    assert.equal(skipped?.details.invoiceId, invoice.id);
  });

  test('cancelled and no-show visits are not billable; unknown ids are 404; front desk lacks billing:write', async () => {
    const p = await practice();
    const cancelled = await book(p);
    await ok(call(p, 'POST', `/api/appointments/${cancelled.id}/cancel`, {}));
    assertProblem(await call(p, 'POST', `/api/appointments/${cancelled.id}/invoice`), 409, 'appointment_not_billable');
    const noShow = await book(p);
    await ok(call(p, 'POST', `/api/appointments/${noShow.id}/no-show`));
    assertProblem(await call(p, 'POST', `/api/appointments/${noShow.id}/invoice`), 409, 'appointment_not_billable');
    assertProblem(await call(p, 'POST', '/api/appointments/01900000-0000-7000-8000-000000000000/invoice'), 404, 'not_found');
    assertProblem(await call(p, 'POST', '/api/appointments/not-a-uuid/invoice'), 404, 'not_found');

    const desk = await staffToken(p, 'front_desk');
    const a = await checkedIn(p);
    assertProblem(await call(p, 'POST', `/api/appointments/${a.id}/invoice`, undefined, {}, desk), 403, 'permission_denied');
    assert.deepEqual((await ok(call(p, 'GET', '/api/invoices'))).items, []);
  });

  test('voiding the invoice frees the visit for a corrected one', async () => {
    const p = await practice('issue');
    const a = await checkedIn(p);
    const first = (await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`))).invoiceId;
    assertProblem(await call(p, 'POST', `/api/appointments/${a.id}/invoice`), 409, 'appointment_already_invoiced');
    await ok(call(p, 'POST', `/api/invoices/${first}/void`, { reason: 'Wrong visit type' }));
    assert.equal((await ok(call(p, 'GET', `/api/appointments/${a.id}`))).invoiceId, null);
    const second = await ok(call(p, 'POST', `/api/appointments/${a.id}/invoice`), 201);
    assert.notEqual(second.id, first);
    assert.equal((await ok(call(p, 'GET', `/api/appointments/${a.id}`))).invoiceId, second.id);
    const all = await invoicesOf(p, a.id);
    assert.deepEqual(all.map((i) => [i.id, i.status]).sort(), [[first, 'void'], [second.id, 'draft']].sort());
  });

  test('ten racing requests for one visit make one draft', async () => {
    const p = await practice();
    const a = await checkedIn(p);
    const results = await Promise.all(Array.from({ length: 10 }, () => call(p, 'POST', `/api/appointments/${a.id}/invoice`)));
    assert.equal(results.filter((r) => r.statusCode === 201).length, 1, results.map((r) => r.body).join('\n'));
    for (const r of results.filter((x) => x.statusCode !== 201)) assertProblem(r, 409, 'appointment_already_invoiced');
    assert.equal((await invoicesOf(p, a.id)).length, 1);
  });
});

describe('the database backstop', () => {
  test('a second live invoice of a visit is refused; an issued invoice cannot change its visit', async () => {
    const p = await practice('issue', 'schema');
    const a = await checkedIn(p);
    const invoiceId = (await ok(call(p, 'POST', `/api/appointments/${a.id}/complete`))).invoiceId;
    const other = await checkedIn(p);
    const ref = await tenantRef(t, p.tenant.slug);
    const attempt = (sql: string, params: unknown[]) => withTenant(t.services.db, ref, (tx) => tx.query(sql, [tx.tenantId, ...params]));
    await assert.rejects(
      attempt(`insert into invoices (tenant_id, id, patient_id, currency, inputs, appointment_id) values ($1, $2, $3, 'USD', '{}', $4)`, [uuidv7(), p.patientId, a.id]),
      /invoices_one_live_per_appointment|duplicate key/,
    );
    await assert.rejects(attempt('update invoices set appointment_id = $3 where tenant_id = $1 and id = $2', [invoiceId, other.id]), /immutable/);
    await assert.rejects(attempt('update invoices set appointment_id = null where tenant_id = $1 and id = $2', [invoiceId]), /immutable/);
  });

  test('the setting only takes off, draft or issue', async () => {
    const p = await practice();
    const res = await call(p, 'PUT', '/api/billing/settings', { currency: 'USD', autoInvoice: 'always' });
    assert.equal(res.statusCode, 400, res.body);
    assert.ok(res.json().errors.some((e: { field: string }) => e.field === 'autoInvoice'), res.body);
  });
});
