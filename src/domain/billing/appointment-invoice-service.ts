/**
 * Invoices made from appointments: automatically when a visit is completed (billing setting
 * `autoInvoice`), or by hand. The invoice has one line, the appointment type's price item at the
 * price in force on the visit's local date, so a visit billed weeks later still carries the price of
 * the day it happened. The price level is the location's id when the item has a price of that level
 * in force that day (a location-specific price), else `standard`.
 *
 * One appointment has at most one live invoice: the appointment row lock serialises completions and
 * manual requests, and a partial unique index (0014) is the backstop. A void invoice frees the visit.
 */
import { AppError, notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { practiceCurrency } from './config/billing-settings-service.ts';
import type { AutoInvoice } from './config/billing-settings-schemas.ts';
import type { Invoice } from './invoice-schemas-api.ts';
import { insertDraft, issueIn, type DraftInputs } from './invoice-service.ts';

const MANUAL_SCOPE = 'appointments.invoice';

/** The statuses a visit may be invoiced by hand from: the patient came. */
const BILLABLE_STATUSES: readonly string[] = ['checked_in', 'completed'];

/** Why a visit could not be priced; recorded on the appointment's `appointment.invoice_skipped` event. */
export type SkipReason = 'no_price_item_code' | 'unknown_price_item' | 'inactive_price_item' | 'no_price_in_force' | 'currency_mismatch' | 'already_invoiced';

interface Visit {
  id: string;
  patient_id: string;
  location_id: string;
  status: string;
  type_name: string;
  price_item_code: string | null;
  /** The start's calendar date in the location's time zone. */
  local_date: string;
}

type Priced = { ok: true; inputs: DraftInputs } | { ok: false; reason: SkipReason; message: string };

const MAX_DESCRIPTION = 500;

async function readVisit(tx: TenantTx, id: string): Promise<Visit | undefined> {
  const res = await tx.query<Visit>(
    `select a.id, a.patient_id, a.location_id, a.status, t.name as type_name, t.price_item_code,
            (a.starts_at at time zone l.time_zone)::date::text as local_date
       from appointments a
       join appointment_types t on t.tenant_id = a.tenant_id and t.id = a.type_id
       join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
      where a.tenant_id = $1 and a.id = $2
      for update of a`,
    [tx.tenantId, id],
  );
  return res.rows[0];
}

/** The live (not void) invoice of the appointment, if any. */
async function liveInvoice(tx: TenantTx, appointmentId: string): Promise<{ id: string; number: string | null; status: string } | undefined> {
  const res = await tx.query<{ id: string; number: string | null; status: string }>(
    `select id, number, status from invoices where tenant_id = $1 and appointment_id = $2 and kind = 'invoice' and status <> 'void'`,
    [tx.tenantId, appointmentId],
  );
  return res.rows[0];
}

/** "Physiotherapy, 2026-03-02" (plus the item's own description when it says something else). */
export function visitLineDescription(typeName: string, localDate: string, itemDescription: string): string {
  const base = `${typeName.trim()}, ${localDate}`;
  const text = itemDescription.trim() === typeName.trim() ? base : `${base} (${itemDescription.trim()})`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

/** The invoice line of `visit`, or why there is none. */
async function priceVisit(tx: TenantTx, visit: Visit): Promise<Priced> {
  const code = visit.price_item_code;
  if (code === null) return { ok: false, reason: 'no_price_item_code', message: `The visit type "${visit.type_name}" names no price item` };
  // The location's own price first, then the standard one (false sorts before true).
  const res = await tx.query<{ description: string; category: string; active: boolean; price_level: string | null; unit_price: string | null; currency: string | null }>(
    `select i.description, i.category, i.active, p.price_level, p.unit_price, p.currency
       from price_items i
       left join lateral (
         select v.price_level, v.unit_price::text as unit_price, v.currency from price_item_versions v
          where v.tenant_id = i.tenant_id and v.item_id = i.id and v.price_level in ($3, 'standard')
            and v.effective_from <= $4::date and (v.effective_to is null or v.effective_to >= $4::date)
          order by v.price_level = 'standard' limit 1) p on true
      where i.tenant_id = $1 and i.code = $2`,
    [tx.tenantId, code, visit.location_id, visit.local_date],
  );
  const item = res.rows[0];
  if (item === undefined) return { ok: false, reason: 'unknown_price_item', message: `The price item ${code} of the visit type does not exist` };
  if (!item.active) return { ok: false, reason: 'inactive_price_item', message: `The price item ${code} of the visit type is inactive` };
  if (item.unit_price === null || item.price_level === null) {
    return { ok: false, reason: 'no_price_in_force', message: `The price item ${code} has no price in force on ${visit.local_date}` };
  }
  const currency = await practiceCurrency(tx);
  if (item.currency?.trim() !== currency.trim()) {
    return { ok: false, reason: 'currency_mismatch', message: `The price item ${code} is priced in ${item.currency?.trim()}, not the practice currency ${currency.trim()}` };
  }
  const line = {
    description: visitLineDescription(visit.type_name, visit.local_date, item.description),
    category: item.category,
    unitPrice: Number(item.unit_price),
    quantity: '1',
  };
  return { ok: true, inputs: { lines: [line], invoiceDiscounts: [] } };
}

async function skip(tx: TenantTx, ctx: TenantContext, visit: Visit, reason: SkipReason, message: string, extra: Record<string, unknown> = {}): Promise<void> {
  await recordAudit(tx, ctx, {
    action: 'appointment.invoice_skipped',
    resourceType: 'appointment',
    resourceId: visit.id,
    details: { reason, message, priceItemCode: visit.price_item_code, ...extra },
  });
}

/**
 * Runs inside the transaction that completes appointment `appointmentId` (already locked by it):
 * with `autoInvoice` on, makes the visit's invoice (and issues it with `issue`), or records
 * `appointment.invoice_skipped` saying why not. Never refuses the completion.
 */
export async function invoiceCompletedVisit(tx: TenantTx, ctx: TenantContext, appointmentId: string): Promise<void> {
  const setting = await tx.query<{ auto_invoice: AutoInvoice }>('select auto_invoice from billing_settings where tenant_id = $1', [tx.tenantId]);
  const mode = setting.rows[0]?.auto_invoice ?? 'off';
  if (mode === 'off') return;
  const visit = await readVisit(tx, appointmentId);
  if (visit === undefined) return;
  const existing = await liveInvoice(tx, visit.id);
  if (existing) return skip(tx, ctx, visit, 'already_invoiced', `The visit is already billed by invoice ${existing.id}`, { invoiceId: existing.id });
  const priced = await priceVisit(tx, visit);
  if (!priced.ok) return skip(tx, ctx, visit, priced.reason, priced.message);
  const draft = await insertDraft(tx, ctx, visit.patient_id, priced.inputs, { appointmentId: visit.id });
  // A system move for the invoice's workflow: completing the visit must not hinge on billing permissions.
  if (mode === 'issue') await issueIn(tx, ctx, draft.id, undefined, { type: 'appointment', id: visit.id });
}

async function createIn(tx: TenantTx, ctx: TenantContext, appointmentId: string): Promise<Invoice> {
  const visit = await readVisit(tx, appointmentId);
  if (visit === undefined) throw notFound('appointment');
  if (!BILLABLE_STATUSES.includes(visit.status)) {
    throw new AppError('appointment_not_billable', `The appointment is ${visit.status.replace('_', ' ')}; only a checked-in or completed visit can be invoiced`);
  }
  const existing = await liveInvoice(tx, visit.id);
  if (existing) {
    throw new AppError(
      'appointment_already_invoiced',
      `The appointment is already billed by invoice ${existing.id} (${existing.number ?? existing.status}); void it to bill the visit again`,
    );
  }
  const priced = await priceVisit(tx, visit);
  if (!priced.ok) throw new AppError('appointment_not_billable', priced.message);
  return insertDraft(tx, ctx, visit.patient_id, priced.inputs, { appointmentId: visit.id });
}

/**
 * Makes the draft invoice of a checked-in or completed appointment by hand. With an idempotency key
 * a retry answers the first draft.
 * @example await createAppointmentInvoice(ctx, appointmentId, { idempotencyKey: 'k-1' })
 */
export async function createAppointmentInvoice(
  ctx: TenantContext,
  appointmentId: string,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<{ invoice: Invoice; replayed: boolean }> {
  if (!isUuid(appointmentId)) throw notFound('appointment');
  if (options.idempotencyKey === undefined) return { invoice: await ctx.tx((tx) => createIn(tx, ctx, appointmentId)), replayed: false };
  const result = await withIdempotency<Invoice>(ctx, { scope: MANUAL_SCOPE, key: options.idempotencyKey, requestHash: requestHash({ appointmentId }) }, async (tx) => ({
    statusCode: 201,
    body: await createIn(tx, ctx, appointmentId),
  }));
  return { invoice: result.body, replayed: result.replayed };
}
