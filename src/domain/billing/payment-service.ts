/**
 * Payments and refunds against issued invoices. The ledger is append-only: a refund is a new row.
 * Each recording locks the invoice row (for update), so concurrent payments of one invoice serialise:
 * the balance checked is the balance written against, and no amount is ever taken twice or beyond
 * the balance. The invoice status follows the ledger in the same transaction
 * (issued → partially_paid → paid, and back on refunds).
 */
import { AppError, notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { followCore } from '../workflows/lifecycle.ts';
import { emitEvent } from '../webhooks/webhook-events.ts';
import { DEFAULT_CURRENCY } from './config/billing-settings-service.ts';
import { toWireAmount } from './money.ts';
import type { InvoicePayments, PatientBalance, Payment, PaymentCreate } from './payment-schemas.ts';

const PAY_SCOPE = 'payments.record';
const PAYABLE = ['issued', 'partially_paid', 'paid'];

interface PaymentRow {
  id: string;
  invoice_id: string;
  patient_id: string;
  kind: string;
  method: string;
  amount: string;
  currency: string;
  received_on: string;
  reference: string | null;
  note: string | null;
  created_by: string | null;
  created_at: Date;
}

const PAYMENT_COLUMNS = `id, invoice_id, patient_id, kind, method, amount::text as amount, currency, received_on::text as received_on,
  reference, note, created_by, created_at`;

function toPayment(r: PaymentRow): Payment {
  return {
    id: r.id,
    invoiceId: r.invoice_id,
    patientId: r.patient_id,
    kind: r.kind,
    method: r.method,
    amount: toWireAmount(BigInt(r.amount)),
    currency: r.currency.trim(),
    receivedOn: r.received_on,
    reference: r.reference,
    note: r.note,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

interface InvoiceRow {
  id: string;
  number: string | null;
  patient_id: string;
  status: string;
  kind: string;
  currency: string;
  issue_date: string | null;
  total: string | null;
}

const INVOICE_COLUMNS = 'id, number, patient_id, status, kind, currency, issue_date::text as issue_date, total::text as total';

interface Ledger {
  total: bigint;
  credited: bigint;
  paid: bigint;
  refunded: bigint;
}

const balanceOf = (l: Ledger) => l.total - l.credited - l.paid + l.refunded;

/** SQL for today in the practice's time zone, YYYY-MM-DD (`$1` is the tenant id). */
const TODAY_SQL = `(now() at time zone coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York'))::date::text`;

/**
 * The amounts of one invoice: its total, issued credit notes (as a positive amount), payments and
 * refunds; with `today`, also today in the practice's zone (same statement: one round trip).
 */
async function ledgerOf(tx: TenantTx, inv: InvoiceRow): Promise<Ledger>;
async function ledgerOf(tx: TenantTx, inv: InvoiceRow, today: true): Promise<Ledger & { today: string }>;
async function ledgerOf(tx: TenantTx, inv: InvoiceRow, today = false): Promise<Ledger & { today?: string }> {
  const res = await tx.query<{ credited: string; paid: string; refunded: string; today: string | null }>(
    `select ${today ? TODAY_SQL : 'null'} as today,
       (select coalesce(-sum(total), 0)::text from invoices
         where tenant_id = $1 and credits_invoice_id = $2 and kind = 'credit_note' and status not in ('draft', 'void')) as credited,
       (select coalesce(sum(amount), 0)::text from payments where tenant_id = $1 and invoice_id = $2 and kind = 'payment') as paid,
       (select coalesce(sum(amount), 0)::text from payments where tenant_id = $1 and invoice_id = $2 and kind = 'refund') as refunded`,
    [tx.tenantId, inv.id],
  );
  const r = res.rows[0]!;
  const ledger = { total: BigInt(inv.total ?? '0'), credited: BigInt(r.credited), paid: BigInt(r.paid), refunded: BigInt(r.refunded) };
  return r.today === null ? ledger : { ...ledger, today: r.today };
}

/** The status an invoice's ledger calls for. */
function statusFor(l: Ledger): 'issued' | 'partially_paid' | 'paid' {
  const net = l.paid - l.refunded;
  if (net <= 0n) return 'issued';
  return balanceOf(l) <= 0n ? 'paid' : 'partially_paid';
}

async function findInvoice(tx: TenantTx, id: string, lock: boolean): Promise<InvoiceRow> {
  if (!isUuid(id)) throw notFound('invoice');
  const res = await tx.query<InvoiceRow>(`select ${INVOICE_COLUMNS} from invoices where tenant_id = $1 and id = $2${lock ? ' for update' : ''}`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('invoice');
  return res.rows[0];
}

async function recordIn(tx: TenantTx, ctx: TenantContext, invoiceId: string, input: PaymentCreate): Promise<Payment> {
  // The row lock serialises every payment and refund of this invoice: the ledger read below is complete.
  const inv = await findInvoice(tx, invoiceId, true);
  if (inv.kind !== 'invoice' || !PAYABLE.includes(inv.status)) {
    throw new AppError(
      'invoice_not_payable',
      `${inv.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${inv.number ?? inv.id} is ${inv.status}; only an issued invoice takes payments and refunds`,
    );
  }
  const currency = inv.currency.trim();
  if (input.currency !== undefined && input.currency !== currency) {
    throw validationError([{ field: 'currency', message: `must be the invoice's currency ${currency}` }]);
  }
  const kind = input.kind ?? 'payment';
  const amount = BigInt(input.amount);
  const { today, ...ledger } = await ledgerOf(tx, inv, true);
  if (kind === 'payment') {
    const balance = balanceOf(ledger);
    if (amount > balance) throw validationError([{ field: 'amount', message: `exceeds the invoice balance of ${balance} minor units` }]);
    ledger.paid += amount;
  } else {
    const refundable = ledger.paid - ledger.refunded;
    if (amount > refundable) throw validationError([{ field: 'amount', message: `exceeds the ${refundable} minor units paid and not yet refunded` }]);
    ledger.refunded += amount;
  }
  const id = uuidv7();
  const receivedOn = input.receivedOn ?? today;
  const createdBy = ctx.actor.id !== null && isUuid(ctx.actor.id) ? ctx.actor.id : null;
  // Nothing changes a payment row after its insert, so the row it returns is the one to answer.
  const inserted = await tx.query<PaymentRow>(
    `insert into payments (tenant_id, id, invoice_id, patient_id, kind, method, amount, currency, received_on, reference, note, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${PAYMENT_COLUMNS}`,
    [tx.tenantId, id, inv.id, inv.patient_id, kind, input.method, amount.toString(), currency, receivedOn, input.reference ?? null, input.note ?? null, createdBy],
  );
  const status = statusFor(ledger);
  if (status !== inv.status) {
    // The ledger decided; the practice's workflow follows, with the payment as the cause (and runs its actions).
    await followCore(tx, ctx, { kind: 'invoice', entityId: inv.id, from: inv.status, to: status, mode: 'system', cause: { type: kind, id }, verb: 'record a payment' });
    await tx.query('update invoices set status = $3 where tenant_id = $1 and id = $2', [tx.tenantId, inv.id, status]);
  }
  await recordAudit(tx, ctx, {
    action: kind === 'payment' ? 'payment.record' : 'payment.refund',
    resourceType: 'payment',
    resourceId: id,
    details: { invoiceId: inv.id, number: inv.number, amount: toWireAmount(amount), method: input.method, status },
  });
  if (status === 'paid' && inv.status !== 'paid') {
    await emitEvent(tx, 'invoice.paid', { id: inv.id, patientId: inv.patient_id, number: inv.number, currency, total: toWireAmount(ledger.total), paymentId: id, paidOn: receivedOn });
  }
  return toPayment(inserted.rows[0]!);
}

/** Records a payment or refund; with an idempotency key a retry answers the first result and records nothing. */
export async function recordPayment(
  ctx: TenantContext,
  invoiceId: string,
  input: PaymentCreate,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<{ payment: Payment; replayed: boolean }> {
  if (options.idempotencyKey === undefined) return { payment: await ctx.tx((tx) => recordIn(tx, ctx, invoiceId, input)), replayed: false };
  const result = await withIdempotency<Payment>(
    ctx,
    { scope: PAY_SCOPE, key: options.idempotencyKey, requestHash: requestHash({ invoiceId, ...input }) },
    async (tx) => ({ statusCode: 201, body: await recordIn(tx, ctx, invoiceId, input) }),
  );
  return { payment: result.body, replayed: result.replayed };
}

export async function listPayments(ctx: TenantContext, invoiceId: string): Promise<InvoicePayments> {
  return ctx.tx(async (tx) => {
    const inv = await findInvoice(tx, invoiceId, false);
    const ledger = await ledgerOf(tx, inv);
    const res = await tx.query<PaymentRow>(
      `select ${PAYMENT_COLUMNS} from payments where tenant_id = $1 and invoice_id = $2 order by created_at, id`,
      [tx.tenantId, inv.id],
    );
    return {
      items: res.rows.map(toPayment),
      currency: inv.currency.trim(),
      total: toWireAmount(ledger.total),
      credited: toWireAmount(ledger.credited),
      paid: toWireAmount(ledger.paid),
      refunded: toWireAmount(ledger.refunded),
      balance: toWireAmount(balanceOf(ledger)),
      status: inv.status,
    };
  });
}

/** What a patient owes across their issued invoices (drafts and void invoices do not count). */
export async function patientBalance(ctx: TenantContext, patientId: string): Promise<PatientBalance> {
  if (!isUuid(patientId)) throw notFound('patient');
  return ctx.tx(async (tx) => {
    const patient = await tx.query('select 1 from patients where tenant_id = $1 and id = $2', [tx.tenantId, patientId]);
    if (!patient.rows[0]) throw notFound('patient');
    const settings = await tx.query<{ currency: string }>('select currency from billing_settings where tenant_id = $1', [tx.tenantId]);
    const invoices = await tx.query<InvoiceRow>(
      `select ${INVOICE_COLUMNS} from invoices where tenant_id = $1 and patient_id = $2 and kind = 'invoice' and status in ('issued', 'partially_paid', 'paid')
       order by issue_date, number`,
      [tx.tenantId, patientId],
    );
    const sum: Ledger = { total: 0n, credited: 0n, paid: 0n, refunded: 0n };
    const items: PatientBalance['invoices'] = [];
    for (const inv of invoices.rows) {
      const l = await ledgerOf(tx, inv);
      sum.total += l.total;
      sum.credited += l.credited;
      sum.paid += l.paid;
      sum.refunded += l.refunded;
      items.push({ id: inv.id, number: inv.number!, issueDate: inv.issue_date!, total: toWireAmount(l.total), balance: toWireAmount(balanceOf(l)), status: inv.status });
    }
    return {
      currency: (invoices.rows[0]?.currency ?? settings.rows[0]?.currency ?? DEFAULT_CURRENCY).trim(),
      invoiced: toWireAmount(sum.total),
      credited: toWireAmount(sum.credited),
      paid: toWireAmount(sum.paid),
      refunded: toWireAmount(sum.refunded),
      balance: toWireAmount(balanceOf(sum)),
      invoices: items,
    };
  });
}
