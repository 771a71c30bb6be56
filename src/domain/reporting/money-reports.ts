/**
 * Money reports, in the practice currency only (amounts in another currency are left out, as in the
 * overview): revenue by period, service or provider, and payments by period and method.
 *
 * Two views of revenue, side by side: *billed* is what issued invoices charged (totals with tax, less
 * issued credit notes; void invoices never count), dated by issue date; *collected* is payments
 * received less refunds, dated by the day received (the overview's revenue). A provider or location
 * is that of the appointment an invoice bills (a credit note takes its invoice's), so invoices not
 * made from an appointment count under "No appointment" and drop out under a provider/location filter.
 * A service is the price item of the line (price-list lines), else the visit type's price item (an
 * invoice made from an appointment); a credit-note line counts against the line it credits.
 */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { APPOINTMENT_FILTER_SQL, isPeriodGroup, periodKeys, periodKeySql, periodLabel, resolveScope, type ReportScope } from './report-context.ts';
import { PAYMENT_METHODS, type PaymentReport, type PaymentTotals, type ReportQuery, type RevenueReport } from './report-schemas.ts';

/** Joins from invoice `i` to the appointment `a` it bills (through the credited invoice `s` for a credit note). */
const INVOICE_APPOINTMENT_SQL = `left join invoices s on s.tenant_id = i.tenant_id and s.id = i.credits_invoice_id
  left join appointments a on a.tenant_id = i.tenant_id and a.id = coalesce(i.appointment_id, s.appointment_id)`;

/** Issued documents of the range in the currency: `$1` tenant, `$2`/`$3` dates, `$4` currency. */
const BILLED_WHERE_SQL = `i.tenant_id = $1 and i.issue_date >= $2::date and i.issue_date <= $3::date
  and i.status not in ('draft', 'void') and trim(i.currency) = $4 and ${APPOINTMENT_FILTER_SQL}`;

const PAID_WHERE_SQL = `m.tenant_id = $1 and m.received_on >= $2::date and m.received_on <= $3::date
  and trim(m.currency) = $4 and ${APPOINTMENT_FILTER_SQL}`;

const SIGNED_PAYMENT_SQL = `case when m.kind = 'payment' then m.amount else -m.amount end`;

const NO_APPOINTMENT = 'No appointment';
const NO_SERVICE = 'Other lines (not from the price list)';

interface MoneyRow {
  key: string;
  label: string | null;
  billed: string;
  collected: string | null;
}

function params(ctx: TenantContext, scope: ReportScope): unknown[] {
  return [ctx.tenant.id, scope.from, scope.to, scope.currency, scope.providerId, scope.locationId];
}

/** Billed and collected per period or provider: one statement over both tables. */
function billedAndCollectedSql(keyOf: (date: string) => string, byProvider: boolean): string {
  const key = byProvider ? () => `coalesce(a.provider_id::text, 'none')` : keyOf;
  const label = byProvider ? `, (select display_name from providers p where p.tenant_id = $1 and p.id = nullif(x.key, 'none')::uuid) as label` : `, null as label`;
  return `
select x.key${label}, sum(x.billed)::text as billed, sum(x.collected)::text as collected
  from (
    select ${key('i.issue_date')} as key, i.total as billed, 0::bigint as collected
      from invoices i ${INVOICE_APPOINTMENT_SQL}
     where ${BILLED_WHERE_SQL}
    union all
    select ${key('m.received_on')} as key, 0::bigint, ${SIGNED_PAYMENT_SQL}
      from payments m join invoices i on i.tenant_id = m.tenant_id and i.id = m.invoice_id ${INVOICE_APPOINTMENT_SQL}
     where ${PAID_WHERE_SQL}
  ) x
 group by x.key
 order by sum(x.billed) desc, 1`;
}

/** The price item of each document line (see the module comment), billed per item. */
const BY_SERVICE_SQL = `
select coalesce(pi.id::text, 'none') as key, pi.code || ' ' || pi.description as label,
       sum((l.line ->> 'total')::bigint)::text as billed, null as collected
  from invoices i ${INVOICE_APPOINTMENT_SQL}
  left join appointment_types t on t.tenant_id = i.tenant_id and t.id = a.type_id
  cross join lateral jsonb_array_elements(i.computed -> 'lines') with ordinality as l(line, n)
  left join price_items pi on pi.tenant_id = i.tenant_id and pi.id = coalesce(
    (coalesce(s.inputs, i.inputs) -> 'lines' -> (case when i.kind = 'credit_note' then (l.line ->> 'creditsLine')::int else (l.n - 1)::int end) ->> 'priceItemId')::uuid,
    (select t_pi.id from price_items t_pi where t_pi.tenant_id = i.tenant_id and t_pi.code = t.price_item_code))
 where ${BILLED_WHERE_SQL}
 group by 1, 2
 order by sum((l.line ->> 'total')::bigint) desc, 2`;

/** Revenue of `from`–`to` per day, week or month (every one), per service or per provider. */
export async function revenueReport(ctx: TenantContext, q: ReportQuery): Promise<RevenueReport> {
  const group = q.groupBy ?? 'month';
  const scope = await resolveScope(ctx, q);
  let rows: RevenueReport['rows'];
  if (isPeriodGroup(group)) {
    const res = await ctx.statement<MoneyRow>(billedAndCollectedSql((d) => periodKeySql(group, d), false), params(ctx, scope));
    const byKey = new Map(res.rows.map((r) => [r.key, r]));
    rows = periodKeys(group, scope.from, scope.to).map((key) => ({
      key,
      label: periodLabel(group, key),
      billed: byKey.get(key)?.billed ?? '0',
      collected: byKey.get(key)?.collected ?? '0',
    }));
  } else {
    const sql = group === 'service' ? BY_SERVICE_SQL : billedAndCollectedSql(() => '', true);
    const res = await ctx.statement<MoneyRow>(sql, params(ctx, scope));
    rows = res.rows.map((r) => ({
      key: r.key,
      label: r.label ?? (group === 'service' ? NO_SERVICE : NO_APPOINTMENT),
      billed: r.billed,
      collected: group === 'service' ? null : (r.collected ?? '0'),
    }));
  }
  const billed = rows.reduce((s, r) => s + BigInt(r.billed), 0n);
  // Per service there is no collected column; the total still answers it, from the same payments.
  const collected = group === 'service' ? await collectedTotal(ctx, scope) : rows.reduce((s, r) => s + BigInt(r.collected ?? '0'), 0n);
  return { ...envelope(scope, group), rows, totals: { billed: billed.toString(), collected: collected.toString() } };
}

async function collectedTotal(ctx: TenantContext, scope: ReportScope): Promise<bigint> {
  const res = await ctx.statement<{ collected: string }>(
    `select coalesce(sum(${SIGNED_PAYMENT_SQL}), 0)::text as collected
       from payments m join invoices i on i.tenant_id = m.tenant_id and i.id = m.invoice_id ${INVOICE_APPOINTMENT_SQL}
      where ${PAID_WHERE_SQL}`,
    params(ctx, scope),
  );
  return BigInt(res.rows[0]!.collected);
}

function envelope(scope: ReportScope, groupBy: string) {
  return { from: scope.from, to: scope.to, timeZone: scope.timeZone, currency: scope.currency, groupBy };
}

const PAYMENTS_SQL = (key: string) => `
select ${key} as key,
       ${PAYMENT_METHODS.map((method) => `coalesce(sum(m.amount) filter (where m.kind = 'payment' and m.method = '${method}'), 0)::text as ${method}`).join(',\n       ')},
       coalesce(sum(m.amount) filter (where m.kind = 'refund'), 0)::text as refunds
  from payments m join invoices i on i.tenant_id = m.tenant_id and i.id = m.invoice_id ${INVOICE_APPOINTMENT_SQL}
 where ${PAID_WHERE_SQL}
 group by 1`;

type PaymentRow = { key: string; refunds: string } & Record<(typeof PAYMENT_METHODS)[number], string>;

function paymentAmounts(r: PaymentRow | undefined): PaymentTotals {
  const methods = Object.fromEntries(PAYMENT_METHODS.map((m) => [m, r?.[m] ?? '0'])) as Record<(typeof PAYMENT_METHODS)[number], string>;
  const refunds = r?.refunds ?? '0';
  const net = PAYMENT_METHODS.reduce((s, m) => s + BigInt(methods[m]), 0n) - BigInt(refunds);
  return { ...methods, refunds, net: net.toString() };
}

/** Payments received per method, refunds and the net, per day, week or month of `from`–`to` (every one). */
export async function paymentReport(ctx: TenantContext, q: ReportQuery): Promise<PaymentReport> {
  const group = q.groupBy ?? 'day';
  if (!isPeriodGroup(group)) throw new Error(`unexpected group ${group}`);
  const scope = await resolveScope(ctx, q);
  const res = await ctx.statement<PaymentRow>(PAYMENTS_SQL(periodKeySql(group, 'm.received_on')), params(ctx, scope));
  const byKey = new Map(res.rows.map((r) => [r.key, r]));
  const rows = periodKeys(group, scope.from, scope.to).map((key) => ({ key, label: periodLabel(group, key), ...paymentAmounts(byKey.get(key)) }));
  const totals = paymentAmounts({
    key: '',
    ...(Object.fromEntries(PAYMENT_METHODS.map((m) => [m, rows.reduce((s, r) => s + BigInt(r[m]), 0n).toString()])) as Record<(typeof PAYMENT_METHODS)[number], string>),
    refunds: rows.reduce((s, r) => s + BigInt(r.refunds), 0n).toString(),
  });
  return { ...envelope(scope, group), rows, totals };
}
