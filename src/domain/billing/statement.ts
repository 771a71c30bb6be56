/**
 * Patient statements: what a patient was billed, credited and paid over a period, with an opening
 * balance, a running balance per entry, the closing balance, what is due today and the aging of the
 * patient's open invoices at the end of the period. Balances follow payment-service
 * (total − credited − paid + refunded); void invoices, and their credit notes and payments, never count.
 * `buildStatement` returns plain data (see statement-schemas.ts), so a PDF renderer can lay it out.
 */
import { notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { patientAging } from './ar-aging.ts';
import { toWireAmount } from './money.ts';
import { addDays, PRACTICE_CURRENCY_SQL, PRACTICE_TODAY_SQL, resolvePeriod } from './practice-date.ts';
import type { Statement, StatementEntry, StatementQuery } from './statement-schemas.ts';

export type { Statement, StatementEntry } from './statement-schemas.ts';

/** The default period starts this many days before `to` (91 calendar days, both ends included). */
export const DEFAULT_STATEMENT_DAYS = 90;

interface PatientRow {
  first_name: string;
  last_name: string;
  mrn: string;
  address: Statement['patient']['address'] | null;
  today: string;
  currency: string;
}

interface RawEntry {
  date: string;
  type: StatementEntry['type'];
  documentNumber: string | null;
  invoiceNumber: string;
  method: string | null;
  reference: string | null;
  amount: string;
}

/**
 * Every ledger entry of one patient in one currency: `$1` tenant, `$2` patient, `$3` currency.
 * Signs: an invoice or a refund raises what is owed, a credit note or a payment lowers it.
 */
const ENTRIES_CTE = `entries as (
  select i.issue_date as date, 0 as seq, 'invoice' as type, i.id, i.number as document_number, i.number as invoice_number,
         null::text as method, null::text as reference, i.total as amount, i.issued_at as at
    from invoices i
   where i.tenant_id = $1 and i.patient_id = $2 and i.kind = 'invoice' and i.status in ('issued', 'partially_paid', 'paid') and trim(i.currency) = $3
  union all
  select c.issue_date, 1, 'credit_note', c.id, c.number, i.number, null, null, c.total, c.issued_at
    from invoices c join invoices i on i.tenant_id = c.tenant_id and i.id = c.credits_invoice_id
   where c.tenant_id = $1 and c.patient_id = $2 and c.kind = 'credit_note' and c.status not in ('draft', 'void')
     and i.status in ('issued', 'partially_paid', 'paid') and trim(c.currency) = $3
  union all
  select m.received_on, case when m.kind = 'payment' then 2 else 3 end, m.kind, m.id, null, i.number, m.method, m.reference,
         case when m.kind = 'payment' then -m.amount else m.amount end, m.created_at
    from payments m join invoices i on i.tenant_id = m.tenant_id and i.id = m.invoice_id
   where m.tenant_id = $1 and m.patient_id = $2 and i.status in ('issued', 'partially_paid', 'paid') and trim(m.currency) = $3
)`;

/** How an entry reads on paper. */
export function describeEntry(e: Pick<StatementEntry, 'type' | 'documentNumber' | 'invoiceNumber' | 'method' | 'reference'>): string {
  const ref = e.reference ? `, ref ${e.reference}` : '';
  switch (e.type) {
    case 'invoice':
      return `Invoice ${e.invoiceNumber}`;
    case 'credit_note':
      return `Credit note ${e.documentNumber} for invoice ${e.invoiceNumber}`;
    case 'payment':
      return `Payment (${e.method}) for invoice ${e.invoiceNumber}${ref}`;
    case 'refund':
      return `Refund (${e.method}) for invoice ${e.invoiceNumber}${ref}`;
  }
}

/**
 * A patient's statement for an inclusive period (default: the 90 days before `to`, `to` today in the
 * practice's zone). Unknown patient (or another practice's): 404. Audited as `patient.statement`.
 */
export async function buildStatement(ctx: TenantContext, patientId: string, q: StatementQuery = {}): Promise<Statement> {
  if (!isUuid(patientId)) throw notFound('patient');
  return ctx.tx(async (tx) => {
    const statement = await statementIn(tx, patientId, q);
    await recordAudit(tx, ctx, { action: 'patient.statement', resourceType: 'patient', resourceId: patientId, details: { from: statement.from, to: statement.to, currency: statement.currency } });
    return statement;
  });
}

/**
 * The statement read inside the caller's transaction, not audited: for callers that audit their own
 * use of it (the statement PDF). Throws `not_found` for an unknown patient.
 */
export async function statementIn(tx: TenantTx, patientId: string, q: StatementQuery = {}): Promise<Statement> {
  if (!isUuid(patientId)) throw notFound('patient');
  const found = await tx.query<PatientRow>(
    `select first_name, last_name, mrn, address, ${PRACTICE_TODAY_SQL}::text as today, ${PRACTICE_CURRENCY_SQL} as currency
       from patients where tenant_id = $1 and id = $2`,
    [tx.tenantId, patientId],
  );
  const patient = found.rows[0];
  if (!patient) throw notFound('patient');
  const { from, to } = resolvePeriod(q, patient.today, (end) => addDays(end, -DEFAULT_STATEMENT_DAYS));
  const currency = q.currency ?? patient.currency;
  const ledger = await tx.query<{ opening: string; due: string; entries: RawEntry[] }>(
    `with ${ENTRIES_CTE}
     select (select coalesce(sum(amount), 0)::text from entries where date < $4::date) as opening,
            (select coalesce(sum(amount), 0)::text from entries) as due,
            (select coalesce(json_agg(json_build_object('date', date::text, 'type', type, 'documentNumber', document_number,
                      'invoiceNumber', invoice_number, 'method', method, 'reference', reference, 'amount', amount::text)
                      order by date, seq, at, id), '[]'::json)
               from entries where date between $4::date and $5::date) as entries`,
    [tx.tenantId, patientId, currency, from, to],
  );
  const row = ledger.rows[0]!;
  const raw: RawEntry[] = typeof row.entries === 'string' ? JSON.parse(row.entries) : row.entries;
  let balance = BigInt(row.opening);
  const totals = { invoiced: 0n, credited: 0n, paid: 0n, refunded: 0n };
  const entries: StatementEntry[] = raw.map((e) => {
    const amount = BigInt(e.amount);
    balance += amount;
    const bucket = ({ invoice: 'invoiced', credit_note: 'credited', payment: 'paid', refund: 'refunded' } as const)[e.type];
    totals[bucket] += amount < 0n ? -amount : amount;
    return { ...e, description: describeEntry(e), amount: toWireAmount(amount), balance: toWireAmount(balance) };
  });
  const aging = await patientAging(tx, patientId, to, currency);
  return {
    patient: {
      id: patientId,
      name: `${patient.first_name} ${patient.last_name}`,
      firstName: patient.first_name,
      lastName: patient.last_name,
      mrn: patient.mrn,
      address: patient.address ?? null,
    },
    currency,
    from,
    to,
    generatedOn: patient.today,
    openingBalance: toWireAmount(BigInt(row.opening)),
    entries,
    periodTotals: {
      invoiced: toWireAmount(totals.invoiced),
      credited: toWireAmount(totals.credited),
      paid: toWireAmount(totals.paid),
      refunded: toWireAmount(totals.refunded),
    },
    closingBalance: toWireAmount(balance),
    amountDue: toWireAmount(BigInt(row.due)),
    aging,
  };
}
