/**
 * A hand-built week of appointments, invoices and payments for the report suite, with every row's
 * local time, status and amount chosen so the expected numbers can be worked out by hand (see
 * test/reports-api.test.ts). Inserted directly (past dates, exact statuses), through `withTenant`.
 */
import assert from 'node:assert/strict';
import type { TestApp, TestTenant } from './harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './scheduling-fixtures.ts';
import { withTenant } from '../../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../../src/db/uuid.ts';

export const ZONE = 'America/New_York'; // UTC−5 all of January
export const RANGE = 'from=2025-01-06&to=2025-01-12'; // Monday to Sunday

export interface Dataset {
  p1: string;
  p2: string;
  l1: string;
  l2: string;
  t1: string;
  t2: string;
  chk: string;
  lab: string;
}

/** A local wall time in the practice zone as an instant (January: UTC−5). */
const local = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00-05:00`).toISOString();

/**
 * The week (local times, providers P1/P2, locations L1/L2 "=North wing", types T1 "Checkup" priced by
 * item CHK and T2 "Consult" unpriced; patients A–D):
 *   2024-12-20 10:00 A P1 L1 T1 completed (before the range)
 *   2025-01-05 23:30 B P1 L1 T1 booked    (the day before; 04:30 UTC on the 6th)
 *   2025-01-06 09:00 A P1 L1 T1 completed
 *   2025-01-06 10:00 B P2 L1 T2 no-show
 *   2025-01-07 09:00 C P1 L2 T1 cancelled late
 *   2025-01-07 11:00 C P2 L2 T2 completed
 *   2025-01-08 09:00 D P1 L1 T2 cancelled (in time)
 *   2025-01-10 14:00 B P2 L1 T1 checked in
 *   2025-01-12 23:30 D P1 L1 T1 booked    (the last day; 04:30 UTC on the 13th)
 *   2025-01-13 00:30 A P2 L1 T1 booked    (the day after)
 */
export async function seed(t: TestApp, tenant: TestTenant): Promise<Dataset> {
  const ref = await tenantRef(t, tenant.slug);
  const l1 = await insertLocation(t, ref, { name: 'Main', timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
  const l2 = await insertLocation(t, ref, { name: '=North wing', timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
  const p1 = await insertProvider(t, ref, { name: 'Dr Ada', locationId: l1, hours: WEEKDAYS_9_TO_5 });
  const p2 = await insertProvider(t, ref, { name: 'Dr Ben', locationId: l1, hours: WEEKDAYS_9_TO_5 });
  const t1 = await insertAppointmentType(t, ref, { name: 'Checkup', durationMinutes: 30, providerIds: [p1, p2] });
  const t2 = await insertAppointmentType(t, ref, { name: 'Consult', durationMinutes: 30, providerIds: [p1, p2] });
  const chk = uuidv7();
  const lab = uuidv7();
  const patients: Record<string, string> = {};
  for (const name of ['A', 'B', 'C', 'D']) {
    const res = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: name, lastName: 'Report', dateOfBirth: '1980-01-01' } });
    assert.equal(res.statusCode, 201, res.body);
    patients[name] = res.json().id;
  }
  const appt: Record<string, string> = {};
  await withTenant(t.services.db, ref, async (tx) => {
    await tx.query(
      `insert into settings (tenant_id, time_zone) values ($1, $2) on conflict (tenant_id) do update set time_zone = excluded.time_zone`,
      [tx.tenantId, ZONE],
    );
    await tx.query('update appointment_types set price_item_code = $2 where tenant_id = $1 and id = $3', [tx.tenantId, 'CHK', t1]);
    for (const [id, code, description] of [[chk, 'CHK', 'Checkup'], [lab, 'LAB', 'Lab test']] as const) {
      await tx.query(`insert into price_items (tenant_id, id, code, description, category, kind) values ($1, $2, $3, $4, 'medical_service', 'service')`, [tx.tenantId, id, code, description]);
    }
    const rows: [string, string, string, string, string, string, string, boolean][] = [
      ['old', '2024-12-20 10:00', 'A', p1, l1, t1, 'completed', false],
      ['before', '2025-01-05 23:30', 'B', p1, l1, t1, 'booked', false],
      ['a6', '2025-01-06 09:00', 'A', p1, l1, t1, 'completed', false],
      ['b6', '2025-01-06 10:00', 'B', p2, l1, t2, 'no_show', false],
      ['c7', '2025-01-07 09:00', 'C', p1, l2, t1, 'cancelled', true],
      ['c7b', '2025-01-07 11:00', 'C', p2, l2, t2, 'completed', false],
      ['d8', '2025-01-08 09:00', 'D', p1, l1, t2, 'cancelled', false],
      ['b10', '2025-01-10 14:00', 'B', p2, l1, t1, 'checked_in', false],
      ['last', '2025-01-12 23:30', 'D', p1, l1, t1, 'booked', false],
      ['after', '2025-01-13 00:30', 'A', p2, l1, t1, 'booked', false],
    ];
    for (const [name, when, patient, provider, location, type, status, late] of rows) {
      const id = uuidv7();
      appt[name] = id;
      const starts = local(when.slice(0, 10), when.slice(11));
      const ends = new Date(Date.parse(starts) + 30 * 60_000).toISOString();
      await tx.query(
        `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, starts_at, ends_at, blocked, status, late_cancel)
         values ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7::timestamptz, $8::timestamptz), $9, $10)`,
        [tx.tenantId, id, patients[patient], provider, location, type, starts, ends, status, late],
      );
    }
    // Invoices: [name, number, status, kind, issue date, currency, appointment, credited invoice, inputs lines, line totals (minor units)]
    const invoices: [string, string, string, string, string, string, string | null, string | null, object[], number[]][] = [
      ['i1', 'R-1', 'paid', 'invoice', '2025-01-06', 'USD', appt.a6!, null, [{ description: 'Checkup visit', category: 'medical_service', quantity: '1', unitPrice: 10000 }], [10000]],
      ['i2', 'R-2', 'partially_paid', 'invoice', '2025-01-07', 'USD', appt.c7b!, null, [{ priceItemId: lab, quantity: '1' }, { description: 'Extra', category: 'medical_service', quantity: '1', unitPrice: 2500 }], [5000, 2500]],
      ['i3', 'R-3', 'void', 'invoice', '2025-01-10', 'USD', null, null, [{ priceItemId: chk, quantity: '1' }], [3000]],
      ['i4', 'R-4', 'paid', 'invoice', '2025-01-11', 'USD', null, null, [{ priceItemId: lab, quantity: '1' }], [4000]],
      ['i5', 'R-5', 'issued', 'invoice', '2025-01-13', 'USD', null, null, [{ priceItemId: chk, quantity: '1' }], [9999]],
      ['i6', 'R-6', 'paid', 'invoice', '2025-01-08', 'EUR', null, null, [{ priceItemId: chk, quantity: '1' }], [7777]],
      ['cn', 'R-7', 'issued', 'credit_note', '2025-01-12', 'USD', null, 'i2', [{ line: 0, quantity: '1' }], [-1000]],
    ];
    const inv: Record<string, string> = {};
    for (const [name, number, status, kind, date, currency, appointment, credits, lines, totals] of invoices) {
      const id = uuidv7();
      inv[name] = id;
      const total = totals.reduce((s, n) => s + n, 0);
      const computed = { lines: totals.map((n, i) => ({ total: n, ...(kind === 'credit_note' ? { creditsLine: i } : {}) })) };
      await tx.query(
        `insert into invoices (tenant_id, id, number, patient_id, status, kind, credits_invoice_id, currency, issue_date, computed, inputs, total, tax_total, appointment_id, issued_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, now())`,
        [tx.tenantId, id, number, patients.A, status, kind, credits ? inv[credits] : null, currency, date, JSON.stringify(computed), JSON.stringify({ lines }), total, appointment],
      );
    }
    const payments: [string, string, string, number, string, string][] = [
      ['i1', 'payment', 'card', 10000, '2025-01-06', 'USD'],
      ['i2', 'payment', 'cash', 3000, '2025-01-07', 'USD'],
      ['i4', 'payment', 'cheque', 4000, '2025-01-12', 'USD'],
      ['i2', 'refund', 'card', 1000, '2025-01-12', 'USD'],
      ['i1', 'payment', 'insurance', 500, '2025-01-13', 'USD'],
      ['i6', 'payment', 'card', 7777, '2025-01-08', 'EUR'],
      ['i5', 'payment', 'cash', 200, '2025-01-05', 'USD'],
    ];
    for (const [invoice, kind, method, amount, on, currency] of payments) {
      await tx.query(
        `insert into payments (tenant_id, id, invoice_id, patient_id, kind, method, amount, currency, received_on) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [tx.tenantId, uuidv7(), inv[invoice], patients.A, kind, method, amount, currency, on],
      );
    }
  });
  return { p1, p2, l1, l2, t1, t2, chk, lab };
}

