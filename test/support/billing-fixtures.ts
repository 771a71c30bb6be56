/** Billing configuration rows written through the tenancy door, so "every table" tests cover billing. */
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';

/** Puts at least one row in every billing table of a practice (it must already have a patient). */
export async function fillBillingTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    const itemId = uuidv7();
    const jurisdictionId = uuidv7();
    await tx.query(`insert into billing_settings (tenant_id, currency) values ($1, 'USD')`, [tx.tenantId]);
    await tx.query(`insert into price_items (tenant_id, id, code, description, category, kind) values ($1, $2, 'FIX-1', 'Visit', 'medical_service', 'service')`, [tx.tenantId, itemId]);
    await tx.query(
      `insert into price_item_versions (tenant_id, id, item_id, unit_price, currency, effective_from) values ($1, $2, $3, 12500, 'USD', '2030-01-01')`,
      [tx.tenantId, uuidv7(), itemId],
    );
    await tx.query(
      `insert into tax_jurisdictions (tenant_id, id, code, name, exempt_categories, position) values ($1, $2, 'NY', 'New York', '{medical_service}', 0)`,
      [tx.tenantId, jurisdictionId],
    );
    await tx.query(`insert into tax_rates (tenant_id, id, jurisdiction_id, rate_percent, effective_from) values ($1, $2, $3, 4, '2030-01-01')`, [tx.tenantId, uuidv7(), jurisdictionId]);
    // A draft invoice for the practice's first patient (the callers add patients first).
    const patient = await tx.query<{ id: string }>('select id from patients where tenant_id = $1 order by id limit 1', [tx.tenantId]);
    if (!patient.rows[0]) throw new Error('fillBillingTables needs a patient for the invoices table');
    const invoiceId = uuidv7();
    // Linked to the practice's first appointment when there is one, so erase and tier moves cross that key too.
    const appointment = await tx.query<{ id: string }>('select id from appointments where tenant_id = $1 order by id limit 1', [tx.tenantId]);
    await tx.query(
      `insert into invoices (tenant_id, id, patient_id, currency, inputs, appointment_id) values ($1, $2, $3, 'USD', $4, $5)`,
      [tx.tenantId, invoiceId, patient.rows[0].id, JSON.stringify({ lines: [{ priceItemId: itemId, quantity: '1' }], invoiceDiscounts: [] }), appointment.rows[0]?.id ?? null],
    );
    // A payment row (the table has no status check of its own; the service refuses drafts).
    await tx.query(
      `insert into payments (tenant_id, id, invoice_id, patient_id, kind, method, amount, currency, received_on) values ($1, $2, $3, $4, 'payment', 'cash', 100, 'USD', '2030-01-01')`,
      [tx.tenantId, uuidv7(), invoiceId, patient.rows[0].id],
    );
  });
}
