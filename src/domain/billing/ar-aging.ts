/**
 * Accounts-receivable aging. An invoice's open balance as of a date is the balance of payment-service
 * (total − credited − paid + refunded) counting only what happened on or before that date: credit
 * notes issued, payments and refunds received. Invoices age from their issue date, not a due date:
 * practices bill on the day of service and expect payment from then, and HealthTrack keeps no payment
 * terms, so the billing date is the one date every invoice has. Void invoices never count (voiding says
 * the invoice was issued in error), nor do their credit notes and payments, as in `patientBalance`.
 */
import { AppError, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { AgingQuery, ArAging, BucketAmounts, OpenInvoice, PatientAging } from './ar-aging-schemas.ts';
import { toWireAmount } from './money.ts';
import { isReportDate, PRACTICE_CURRENCY_SQL, PRACTICE_TODAY_SQL } from './practice-date.ts';

export type BucketKey = keyof BucketAmounts;

/** The buckets, youngest first: an invoice falls in the first whose `maxDays` its age does not exceed. */
export const AGING_BUCKETS: readonly { readonly key: BucketKey; readonly maxDays: number | null }[] = [
  { key: 'days0to30', maxDays: 30 },
  { key: 'days31to60', maxDays: 60 },
  { key: 'days61to90', maxDays: 90 },
  { key: 'over90', maxDays: null },
];

/** The bucket of an invoice `ageDays` old: 30 → days0to30, 31 → days31to60, 91 → over90. */
export function bucketOf(ageDays: number): BucketKey {
  return AGING_BUCKETS.find((b) => b.maxDays === null || ageDays <= b.maxDays)!.key;
}

/** The same rule in SQL, as the bucket's index in AGING_BUCKETS. */
const BUCKET_SQL = `case ${AGING_BUCKETS.filter((b) => b.maxDays !== null)
  .map((b, i) => `when age_days <= ${b.maxDays} then ${i}`)
  .join(' ')} else ${AGING_BUCKETS.length - 1} end`;

/**
 * CTEs `params` (as_of, currency) and `open_items` (one row per invoice with a non-zero balance as of
 * `as_of`, any currency). Parameters: `$1` tenant, `$2` asOf or null (today), `$3` currency or null
 * (the practice's), `$4` patient id or null (every patient). Credits and payments are summed once per
 * invoice with hash aggregates, so the whole practice costs one pass over each table.
 */
const OPEN_ITEMS_CTES = `
params as (
  select coalesce($2::date, ${PRACTICE_TODAY_SQL}) as as_of, coalesce($3::text, ${PRACTICE_CURRENCY_SQL}) as currency
),
credited as (
  select c.credits_invoice_id as invoice_id, -sum(c.total) as amount
    from invoices c cross join params
   where c.tenant_id = $1 and c.kind = 'credit_note' and c.status not in ('draft', 'void') and c.issue_date <= params.as_of
     and ($4::uuid is null or c.patient_id = $4::uuid)
   group by c.credits_invoice_id
),
moved as (
  select m.invoice_id, sum(case when m.kind = 'payment' then m.amount else -m.amount end) as amount
    from payments m cross join params
   where m.tenant_id = $1 and m.received_on <= params.as_of and ($4::uuid is null or m.patient_id = $4::uuid)
   group by m.invoice_id
),
ledger as (
  select i.id, i.number, i.patient_id, i.issue_date, trim(i.currency) as currency, params.as_of - i.issue_date as age_days,
         i.total - coalesce(c.amount, 0) - coalesce(m.amount, 0) as balance
    from invoices i cross join params
    left join credited c on c.invoice_id = i.id
    left join moved m on m.invoice_id = i.id
   where i.tenant_id = $1 and i.kind = 'invoice' and i.status in ('issued', 'partially_paid', 'paid') and i.issue_date <= params.as_of
     and ($4::uuid is null or i.patient_id = $4::uuid)
),
open_items as (
  select ledger.*, ${BUCKET_SQL} as bucket from ledger where balance <> 0
)`;

interface ReportRow {
  as_of: string;
  currency: string;
  other_currencies: string | null;
  patient_count: number;
  total_amount: string;
  total_count: number;
  b0: string;
  b1: string;
  b2: string;
  b3: string;
  n0: number;
  n1: number;
  n2: number;
  n3: number;
  has_more: boolean;
  patient_id: string | null;
  first_name: string;
  last_name: string;
  mrn: string;
  p0: string;
  p1: string;
  p2: string;
  p3: string;
  p_total: string;
  p_count: number;
  oldest: string;
}

const amount = (text: string) => toWireAmount(BigInt(text));

/** `sum(balance) … as b0, …` per bucket (amounts as text: no driver turns numeric into a float). */
const sumsPerBucket = (prefix: string) =>
  AGING_BUCKETS.map((_, i) => `coalesce(sum(balance) filter (where bucket = ${i}), 0)::text as ${prefix}${i}`).join(', ');
const countsPerBucket = (prefix: string) => AGING_BUCKETS.map((_, i) => `count(*) filter (where bucket = ${i})::int as ${prefix}${i}`).join(', ');

const REPORT_SQL = `with ${OPEN_ITEMS_CTES},
aged as (select * from open_items where currency = (select currency from params)),
totals as (
  select count(distinct patient_id)::int as patient_count, coalesce(sum(balance), 0)::text as total_amount, count(*)::int as total_count,
         ${sumsPerBucket('b')}, ${countsPerBucket('n')}
    from aged
),
others as (select string_agg(distinct currency, ',') as other_currencies from open_items where currency <> (select currency from params)),
per_patient as (
  select patient_id, sum(balance) as total, count(*)::int as p_count, min(issue_date)::text as oldest, ${sumsPerBucket('p')}
    from aged group by patient_id
),
candidates as (
  select * from per_patient
   where $5::numeric is null or (total, patient_id) < ($5::numeric, $6::uuid)
   order by total desc, patient_id desc
   limit $7::int + 1
),
page as (
  select c.*, p.first_name, p.last_name, p.mrn
    from (select * from candidates order by total desc, patient_id desc limit $7::int) c
    join patients p on p.tenant_id = $1 and p.id = c.patient_id
),
audit as (
  insert into audit_events (tenant_id, id, actor_type, actor_id, action, resource_type, request_id, ip, details)
  select $1, $8, $9, $10, 'billing.ar_aging', 'report', $11, $12,
         jsonb_build_object('asOf', params.as_of::text, 'currency', params.currency, 'patientIds', coalesce((select jsonb_agg(patient_id) from page), '[]'::jsonb))
    from params
)
select params.as_of::text as as_of, params.currency, others.other_currencies, totals.*,
       (select count(*) from candidates) > $7::int as has_more,
       page.patient_id, page.first_name, page.last_name, page.mrn, page.p0, page.p1, page.p2, page.p3,
       page.total::text as p_total, page.p_count, page.oldest
  from params cross join totals cross join others left join page on true
 order by page.total desc, page.patient_id desc`;

/**
 * The practice's aging as of `asOf`: totals per bucket and one row per patient, largest total first,
 * keyset-paginated on (total, patient id). The cursor keeps the first page's asOf and currency, so a
 * report read across midnight stays one report. One statement, its audit event included.
 */
export async function getArAging(ctx: TenantContext, q: AgingQuery): Promise<ArAging> {
  let asOf = q.asOf ?? null;
  let currency = q.currency ?? null;
  let after: [string, string] | null = null;
  if (asOf !== null && !isReportDate(asOf)) throw validationError([{ field: 'asOf', message: 'must be a calendar date YYYY-MM-DD, in year 1 or later' }]);
  if (q.cursor !== undefined) {
    const [cAsOf, cCurrency, cTotal, cId] = decodeCursor(q.cursor, 4) as [string, string, string, string];
    if (!isReportDate(cAsOf) || !/^[A-Z]{3}$/.test(cCurrency) || !/^-?\d{1,19}$/.test(cTotal) || !isUuid(cId)) throw new AppError('invalid_cursor');
    if ((asOf !== null && asOf !== cAsOf) || (currency !== null && currency !== cCurrency)) {
      throw new AppError('invalid_cursor', 'The cursor belongs to a report with another asOf or currency');
    }
    asOf = cAsOf;
    currency = cCurrency;
    after = [cTotal, cId];
  }
  const limit = q.limit ?? 100;
  const res = await ctx.statement<ReportRow>(REPORT_SQL, [
    ctx.tenant.id, asOf, currency, null, after?.[0] ?? null, after?.[1] ?? null, limit,
    uuidv7(), ctx.actor.kind, ctx.actor.id, ctx.requestId, ctx.ip,
  ]);
  const head = res.rows[0]!;
  const page = res.rows.filter((r) => r.patient_id !== null);
  const last = page[page.length - 1];
  return {
    currency: head.currency,
    asOf: head.as_of,
    buckets: {
      days0to30: { amount: amount(head.b0), invoiceCount: head.n0 },
      days31to60: { amount: amount(head.b1), invoiceCount: head.n1 },
      days61to90: { amount: amount(head.b2), invoiceCount: head.n2 },
      over90: { amount: amount(head.b3), invoiceCount: head.n3 },
    },
    total: { amount: amount(head.total_amount), invoiceCount: head.total_count },
    patientCount: head.patient_count,
    otherCurrencies: head.other_currencies ? head.other_currencies.split(',').sort() : [],
    items: page.map((r) => ({
      patientId: r.patient_id!,
      name: `${r.last_name}, ${r.first_name}`,
      mrn: r.mrn,
      days0to30: amount(r.p0),
      days31to60: amount(r.p1),
      days61to90: amount(r.p2),
      over90: amount(r.p3),
      total: amount(r.p_total),
      invoiceCount: r.p_count,
      oldestInvoiceDate: r.oldest,
    })),
    nextCursor: head.has_more && last ? encodeCursor([head.as_of, head.currency, last.p_total, last.patient_id!]) : null,
  };
}

/** One patient's open invoices as of `asOf` in `currency`, bucketed (the statement's aging). */
export async function patientAging(tx: TenantTx, patientId: string, asOf: string, currency: string): Promise<PatientAging> {
  const res = await tx.query<{ id: string; number: string; issue_date: string; age_days: number; balance: string }>(
    `with ${OPEN_ITEMS_CTES}
     select id, number, issue_date::text as issue_date, age_days, balance::text as balance
       from open_items where currency = (select currency from params) order by issue_date, number`,
    [tx.tenantId, asOf, currency, patientId],
  );
  const buckets: BucketAmounts = { days0to30: 0, days31to60: 0, days61to90: 0, over90: 0 };
  let total = 0n;
  const openInvoices: OpenInvoice[] = res.rows.map((r) => {
    const balance = BigInt(r.balance);
    const bucket = bucketOf(Number(r.age_days));
    buckets[bucket] = toWireAmount(BigInt(buckets[bucket]) + balance);
    total += balance;
    return { invoiceId: r.id, number: r.number, issueDate: r.issue_date, ageDays: Number(r.age_days), bucket, balance: toWireAmount(balance) };
  });
  return { asOf, buckets, total: toWireAmount(total), openInvoices };
}
