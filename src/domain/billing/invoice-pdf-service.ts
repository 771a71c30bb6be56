/**
 * The invoice PDF use case: loads the invoice (a draft computed live), its patient, payments, refunds
 * and credit notes, the branding, logo and tax ids in one transaction, then renders outside it.
 */
import { isUuid } from '../../db/sql-literal.ts';
import { notFound, validationError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { brandingIn, logoIn } from '../branding/branding-service.ts';
import { documentFromWire, type Wire } from './document-json.ts';
import { renderInvoicePdf, type DocumentStatus, type InvoicePdfView, type LedgerEntry } from './invoice-pdf.ts';
import type { BillingDocument } from './invoice-schemas.ts';
import { getInvoice } from './invoice-service.ts';

export interface RenderedPdf {
  readonly bytes: Uint8Array;
  /** Safe for a Content-Disposition header: the invoice number, or `draft-<id>`. */
  readonly filename: string;
}

/** `ctx` with its data door bound to the already open `tx`, so an existing use case joins this transaction. */
function joined(ctx: TenantContext, tx: TenantTx): TenantContext {
  return { ...ctx, tx: (fn) => fn(tx), statement: (sql, params) => tx.query(sql, params) };
}

interface FactsRow {
  tax_ids: { label: string; value: string }[] | null;
  locale: string | null;
  first_name: string;
  last_name: string;
  mrn: string;
  address: InvoicePdfView['patient']['address'];
  credits_number: string | null;
}

interface LedgerRow {
  kind: LedgerEntry['kind'];
  date: string;
  amount: string;
  detail: string | null;
}

/** Payments and refunds of the invoice and its issued credit notes, oldest first, signed as they move the balance. */
async function ledgerOf(tx: TenantTx, invoiceId: string): Promise<LedgerEntry[]> {
  const res = await tx.query<LedgerRow>(
    `select kind, date, amount, detail from (
       select kind, received_on::text as date, (case when kind = 'payment' then -amount else amount end)::text as amount,
              concat_ws(', ', method, reference) as detail, created_at as at
         from payments where tenant_id = $1 and invoice_id = $2
       union all
       select 'credit_note', issue_date::text, total::text, number, issued_at
         from invoices where tenant_id = $1 and credits_invoice_id = $2 and kind = 'credit_note' and status not in ('draft', 'void')
     ) entries order by date, at`,
    [tx.tenantId, invoiceId],
  );
  return res.rows.map((r) => ({ kind: r.kind, date: r.date, amount: BigInt(r.amount), detail: r.detail ?? '' }));
}

/**
 * Everything the PDF of `id` shows, read in the caller's transaction and not audited: the caller
 * audits its own use (the PDF route below, sending the invoice by email).
 */
export async function loadView(ctx: TenantContext, tx: TenantTx, id: string, practiceName: string): Promise<InvoicePdfView> {
  const invoice = await getInvoice(joined(ctx, tx), id);
  if (invoice.document === null) {
    // Only a draft whose price list entry has lapsed since it was written; issuing it says the same.
    throw validationError([{ field: 'lines', message: 'the draft cannot be computed with today’s prices; update it first' }], 'The draft cannot be printed');
  }
  const facts = await tx.query<FactsRow>(
    `select (select tax_ids from billing_settings where tenant_id = $1) as tax_ids,
            (select locale from settings where tenant_id = $1) as locale,
            p.first_name, p.last_name, p.mrn, p.address,
            (select number from invoices where tenant_id = $1 and id = $3) as credits_number
       from patients p where p.tenant_id = $1 and p.id = $2`,
    [tx.tenantId, invoice.patientId, invoice.creditsInvoiceId],
  );
  const f = facts.rows[0]!;
  const document = documentFromWire(invoice.document as Wire<BillingDocument>);
  let ledger: InvoicePdfView['ledger'] = null;
  if (invoice.kind === 'invoice') {
    const entries = invoice.status === 'draft' ? [] : await ledgerOf(tx, invoice.id);
    ledger = { entries, balance: entries.reduce((sum, e) => sum + e.amount, document.total) };
  }
  const logo = await logoIn(tx);
  return {
    branding: await brandingIn(tx, practiceName),
    logo: logo === null ? null : { bytes: logo.bytes, contentType: logo.contentType },
    taxIds: f.tax_ids ?? [],
    locale: f.locale ?? 'en-US',
    invoice: {
      id: invoice.id,
      number: invoice.number,
      kind: invoice.kind === 'credit_note' ? 'credit_note' : 'invoice',
      status: invoice.status as DocumentStatus,
      voidReason: invoice.voidReason,
      creditsInvoiceNumber: f.credits_number,
      document,
    },
    patient: { name: `${f.first_name} ${f.last_name}`, mrn: f.mrn, address: f.address },
    ledger,
  };
}

/**
 * The invoice or credit note `id` as a PDF in the practice's branding. Another practice's id is
 * `not_found`, like a missing one. Audited (`invoice.pdf`): the document carries the patient's name.
 * @example const { bytes, filename } = await invoicePdf(ctx, invoiceId, tenant.name)
 */
export async function invoicePdf(ctx: TenantContext, id: string, practiceName: string): Promise<RenderedPdf> {
  if (!isUuid(id)) throw notFound('invoice');
  const view = await ctx.tx(async (tx) => {
    const v = await loadView(ctx, tx, id, practiceName);
    await recordAudit(tx, ctx, { action: 'invoice.pdf', resourceType: 'invoice', resourceId: id, details: { number: v.invoice.number, status: v.invoice.status } });
    return v;
  });
  return { bytes: await renderInvoicePdf(view), filename: pdfFilename(view) };
}

/** `<number>.pdf` with anything unsafe in a header replaced, or `draft-<id>.pdf`. */
export function pdfFilename(view: Pick<InvoicePdfView, 'invoice'>): string {
  const name = view.invoice.number === null ? `draft-${view.invoice.id}` : view.invoice.number.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${name}.pdf`;
}
