/**
 * CSV exports of invoices and payments for accountants. Rows are read in keyset batches (one short
 * statement each, `EXPORT_BATCH_SIZE` rows) and handed out as they come, so an export of any size
 * runs in constant memory and never holds a connection or a transaction while the client reads.
 * The period is therefore not limited. Every amount is an exact decimal string in major units of its
 * row's currency (money.ts digits: `123.45`, JPY `1235`), never a float.
 *
 * Consistency: the export's start time is taken once and every batch leaves out payments, refunds and
 * credit notes recorded after it, so the amounts of all rows describe one moment, however long the
 * download takes. (Voiding, which only flips a status, can still show in later batches.)
 */
import { DateTime } from 'luxon';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { CSV_BOM, csvRecord, type CsvValue } from './csv.ts';
import type { ExportQuery } from './export-schemas.ts';
import { minorToDecimalString } from './money.ts';
import { PRACTICE_TODAY_SQL, resolvePeriod, startOfMonth, type Period } from './practice-date.ts';

export const EXPORT_BATCH_SIZE = 1000;

/** A CSV download: its file name, the period it covers, and its text in chunks (BOM and header first). */
export interface CsvExport {
  readonly filename: string;
  readonly period: Period;
  readonly chunks: AsyncIterable<string>;
}

export interface ExportOptions {
  /** Rows per query; tests lower it to cross batch boundaries. */
  readonly batchSize?: number;
}

export const INVOICE_EXPORT_COLUMNS = [
  'Number', 'Kind', 'Status', 'Issue date', 'Patient name', 'MRN', 'Currency', 'Subtotal', 'Discounts', 'Tax', 'Total',
  'Credited', 'Paid', 'Refunded', 'Balance', 'Credited invoice number', 'Void reason',
] as const;

export const PAYMENT_EXPORT_COLUMNS = [
  'Received on', 'Kind', 'Method', 'Amount', 'Currency', 'Invoice number', 'Patient name', 'MRN', 'Reference', 'Recorded at',
] as const;

interface Start {
  readonly period: Period;
  /** The export's start (`now()` as PostgreSQL text, exact to the microsecond). */
  readonly cutoff: string;
  readonly zone: string;
}

/**
 * Resolves the period (default: the month to date, in the practice's zone) and records the export in
 * the audit trail before any row leaves, so an interrupted download is audited too. No PHI in details.
 */
async function startExport(ctx: TenantContext, what: 'invoices' | 'payments', q: ExportQuery): Promise<Start> {
  return ctx.tx(async (tx) => {
    const res = await tx.query<{ today: string; cutoff: string; zone: string }>(
      `select ${PRACTICE_TODAY_SQL}::text as today, now()::text as cutoff,
              coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York') as zone`,
      [tx.tenantId],
    );
    const { today, cutoff, zone } = res.rows[0]!;
    const period = resolvePeriod(q, today, startOfMonth);
    await recordAudit(tx, ctx, { action: 'billing.export', resourceType: what === 'invoices' ? 'invoice' : 'payment', details: { export: what, ...period } });
    return { period, cutoff, zone };
  });
}

/** Keyset batches of `sql` (params `$1` tenant, `$2` from, `$3` to, `$4`/`$5` the last key, `$6` cutoff, `$7` batch size). */
async function* batches<R extends { key_date: string; id: string }>(ctx: TenantContext, sql: string, start: Start, batchSize: number): AsyncGenerator<R[]> {
  let after: [string, string] | null = null;
  for (;;) {
    const res: { rows: R[] } = await ctx.statement<R>(sql, [ctx.tenant.id, start.period.from, start.period.to, after?.[0] ?? null, after?.[1] ?? null, start.cutoff, batchSize]);
    if (res.rows.length > 0) yield res.rows;
    if (res.rows.length < batchSize) return;
    const last: R = res.rows[res.rows.length - 1]!;
    after = [last.key_date, last.id];
  }
}

/**
 * The file's text: BOM and header, then one chunk per batch. The first batch is read before this
 * returns, so a failing query still answers a problem document instead of a truncated 200.
 */
async function csvChunks<R extends { key_date: string; id: string }>(
  ctx: TenantContext, header: readonly string[], sql: string, start: Start, batchSize: number, record: (r: R) => CsvValue[],
): Promise<AsyncIterable<string>> {
  const rows = batches<R>(ctx, sql, start, batchSize);
  const first = await rows.next();
  const text = (batch: R[]) => batch.map((r) => csvRecord(record(r))).join('');
  return (async function* () {
    yield CSV_BOM + csvRecord(header);
    if (first.done) return;
    yield text(first.value);
    for await (const batch of rows) yield text(batch);
  })();
}

interface InvoiceExportRow {
  id: string;
  key_date: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  status: string;
  last_name: string;
  first_name: string;
  mrn: string;
  currency: string;
  subtotal: string;
  discounts: string;
  tax: string;
  total: string;
  credited: string;
  paid: string;
  refunded: string;
  credited_number: string | null;
  void_reason: string | null;
}

const INVOICE_BATCH_SQL = `
select i.id, i.issue_date::text as key_date, i.number, i.kind, i.status, p.last_name, p.first_name, p.mrn, trim(i.currency) as currency,
       (i.computed->>'subtotal') as subtotal, (i.computed->>'discountTotal') as discounts, i.tax_total::text as tax, i.total::text as total,
       coalesce(c.credited, 0)::text as credited, coalesce(m.paid, 0)::text as paid, coalesce(m.refunded, 0)::text as refunded,
       orig.number as credited_number, i.void_reason
  from invoices i
  join patients p on p.tenant_id = i.tenant_id and p.id = i.patient_id
  left join invoices orig on orig.tenant_id = i.tenant_id and orig.id = i.credits_invoice_id
  left join lateral (
    select -sum(cn.total) as credited from invoices cn
     where cn.tenant_id = $1 and cn.credits_invoice_id = i.id and cn.kind = 'credit_note' and cn.status not in ('draft', 'void') and cn.issued_at <= $6::timestamptz
  ) c on true
  left join lateral (
    select sum(amount) filter (where kind = 'payment') as paid, sum(amount) filter (where kind = 'refund') as refunded from payments
     where tenant_id = $1 and invoice_id = i.id and created_at <= $6::timestamptz
  ) m on true
 where i.tenant_id = $1 and i.status <> 'draft' and i.issue_date between $2::date and $3::date and i.issued_at <= $6::timestamptz
   and ($4::date is null or (i.issue_date, i.id) > ($4::date, $5::uuid))
 order by i.issue_date, i.id
 limit $7::int`;

function invoiceRecord(r: InvoiceExportRow): CsvValue[] {
  const money = (minor: string | bigint) => minorToDecimalString(BigInt(minor), r.currency);
  const invoice = r.kind === 'invoice';
  // A credit note is not a receivable of its own (it shows as `Credited` on its invoice); a void
  // invoice is owed by nobody, whatever its total.
  const balance = !invoice ? null : r.status === 'void' ? 0n : BigInt(r.total) - BigInt(r.credited) - BigInt(r.paid) + BigInt(r.refunded);
  return [
    r.number, r.kind, r.status, r.key_date, `${r.last_name}, ${r.first_name}`, r.mrn, r.currency,
    money(r.subtotal), money(r.discounts), money(r.tax), money(r.total),
    invoice ? money(r.credited) : null, invoice ? money(r.paid) : null, invoice ? money(r.refunded) : null,
    balance === null ? null : money(balance), r.credited_number, r.void_reason,
  ];
}

/** Invoices and credit notes issued from `from` to `to` (inclusive), oldest first, with their settlement. */
export async function exportInvoicesCsv(ctx: TenantContext, q: ExportQuery, options: ExportOptions = {}): Promise<CsvExport> {
  const start = await startExport(ctx, 'invoices', q);
  return {
    filename: `invoices-${start.period.from}-${start.period.to}.csv`,
    period: start.period,
    chunks: await csvChunks(ctx, INVOICE_EXPORT_COLUMNS, INVOICE_BATCH_SQL, start, options.batchSize ?? EXPORT_BATCH_SIZE, invoiceRecord),
  };
}

interface PaymentExportRow {
  id: string;
  key_date: string;
  kind: 'payment' | 'refund';
  method: string;
  amount: string;
  currency: string;
  invoice_number: string | null;
  last_name: string;
  first_name: string;
  mrn: string;
  reference: string | null;
  created_at: Date | string;
}

const PAYMENT_BATCH_SQL = `
select m.id, m.received_on::text as key_date, m.kind, m.method, m.amount::text as amount, trim(m.currency) as currency,
       i.number as invoice_number, p.last_name, p.first_name, p.mrn, m.reference, m.created_at
  from payments m
  join invoices i on i.tenant_id = m.tenant_id and i.id = m.invoice_id
  join patients p on p.tenant_id = m.tenant_id and p.id = m.patient_id
 where m.tenant_id = $1 and m.received_on between $2::date and $3::date and m.created_at <= $6::timestamptz
   and ($4::date is null or (m.received_on, m.id) > ($4::date, $5::uuid))
 order by m.received_on, m.id
 limit $7::int`;

/** Payments and refunds received from `from` to `to` (inclusive), oldest first; refunds are negative. */
export async function exportPaymentsCsv(ctx: TenantContext, q: ExportQuery, options: ExportOptions = {}): Promise<CsvExport> {
  const start = await startExport(ctx, 'payments', q);
  const record = (r: PaymentExportRow): CsvValue[] => {
    const minor = BigInt(r.amount) * (r.kind === 'refund' ? -1n : 1n);
    const recordedAt = DateTime.fromJSDate(new Date(r.created_at), { zone: start.zone }).startOf('second').toISO({ suppressMilliseconds: true });
    return [r.key_date, r.kind, r.method, minorToDecimalString(minor, r.currency), r.currency, r.invoice_number, `${r.last_name}, ${r.first_name}`, r.mrn, r.reference, recordedAt];
  };
  return {
    filename: `payments-${start.period.from}-${start.period.to}.csv`,
    period: start.period,
    chunks: await csvChunks(ctx, PAYMENT_EXPORT_COLUMNS, PAYMENT_BATCH_SQL, start, options.batchSize ?? EXPORT_BATCH_SIZE, record),
  };
}
