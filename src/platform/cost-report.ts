/**
 * Cost attribution: metered usage of a period (UTC days, inclusive) priced with the configured rates.
 *
 * Exact money: quantities are exact fractions (bigint), each line's cost is quantity × rate rounded
 * once, half up, to the currency's minor unit; a practice's total is the sum of its rounded lines,
 * and the grand total the sum of practice totals, so every figure shown adds up. Units:
 * - requests per million; database hours = db_ms / 3,600,000;
 * - GB-months: each daily storage snapshot counts bytes / 10^9 / (days in its month), so a practice
 *   holding 1 GB for a whole month is 1 GB-month; days without a snapshot count nothing;
 * - active user-months: per calendar month touched by the period, the distinct staff users active
 *   on its days within the period, summed (a user active on one day counts for that month);
 * - emails and jobs per thousand.
 */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { add, mul, rational, round, roundRational, ZERO, type Rational } from '../domain/billing/decimal.ts';
import { minorToDecimalString, minorUnitDigits } from '../domain/billing/money.ts';
import { CSV_BOM, csvRecord } from '../domain/billing/csv.ts';
import type { CostRates, RateKey } from './cost-rates.ts';
import type { DailyUsage } from './daily-usage-types.ts';

export const COST_UNITS = ['requests', 'dbHours', 'gbMonths', 'activeUserMonths', 'emails', 'jobs'] as const;
export type CostUnit = (typeof COST_UNITS)[number];

/** Which rate prices which unit, and the quantity one rate unit stands for. */
const PRICING: Readonly<Record<CostUnit, { rate: RateKey; per: bigint }>> = {
  requests: { rate: 'perMillionRequests', per: 1_000_000n },
  dbHours: { rate: 'perDbHour', per: 1n },
  gbMonths: { rate: 'perGbMonth', per: 1n },
  activeUserMonths: { rate: 'perActiveUserMonth', per: 1n },
  emails: { rate: 'perThousandEmails', per: 1000n },
  jobs: { rate: 'perThousandJobs', per: 1000n },
};

/** Digits shown for a fractional quantity (GB-months, database hours). */
const QUANTITY_DIGITS = 6;

export interface CostLine {
  /** The quantity, as a decimal string (exact for counts, rounded to 6 places for fractions). */
  readonly quantity: string;
  /** The cost in major units, e.g. "12.34". */
  readonly cost: string;
  readonly costMinor: number;
}

export interface TenantCost {
  readonly tenant: { readonly id: string; readonly slug: string; readonly name: string };
  readonly requests: number;
  readonly errors: number;
  readonly dbMs: number;
  readonly lines: Readonly<Record<CostUnit, CostLine>>;
  readonly total: string;
  readonly totalMinor: number;
  /** This practice's share of the grand total, in percent with two decimals ("12.50"). */
  readonly sharePercent: string;
}

/** Raw metered quantities of one practice over a period. */
export interface MeteredQuantities {
  readonly requests: bigint;
  readonly errors: bigint;
  readonly dbMs: bigint;
  readonly emails: bigint;
  readonly jobs: bigint;
  /** Per month: summed snapshot bytes and the month's length in days. */
  readonly storage: readonly { readonly bytes: bigint; readonly daysInMonth: number }[];
  readonly activeUserMonths: bigint;
}

/** The exact quantity of each priced unit. */
export function quantities(m: MeteredQuantities): Record<CostUnit, Rational> {
  const gbMonths = m.storage.reduce((sum, s) => add(sum, rational(s.bytes, 1_000_000_000n * BigInt(s.daysInMonth))), ZERO);
  return {
    requests: rational(m.requests),
    dbHours: rational(m.dbMs, 3_600_000n),
    gbMonths,
    activeUserMonths: rational(m.activeUserMonths),
    emails: rational(m.emails),
    jobs: rational(m.jobs),
  };
}

/** quantity × rate / per, in minor units, rounded half up. */
export function lineCostMinor(quantity: Rational, unit: CostUnit, rates: CostRates): bigint {
  const digits = minorUnitDigits(rates.currency) ?? 2;
  const { rate, per } = PRICING[unit];
  return round(mul(mul(quantity, rates.exact[rate]), rational(10n ** BigInt(digits), per)), 'half_up');
}

function decimalText(value: Rational, digits: number): string {
  const scaled = roundRational(value.num * 10n ** BigInt(digits), value.den, 'half_up');
  if (value.den === 1n) return value.num.toString();
  const text = scaled.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export interface Period {
  readonly from: string;
  readonly to: string;
}

interface UsageSumRow {
  tenant_id: string;
  slug: string;
  name: string;
  requests: string;
  errors: string;
  db_ms: string;
  emails: string;
  jobs: string;
}

/** Reads every practice's metered quantities of the period (three grouped statements, one transaction). */
export async function meteredQuantities(db: Database, period: Period): Promise<Map<string, { tenant: TenantCost['tenant']; m: MeteredQuantities }>> {
  return asPlatform(db, async (tx) => {
    const sums = await tx.query<UsageSumRow>(
      `select t.id as tenant_id, t.slug, t.name, s.requests, s.errors, s.db_ms, s.emails, s.jobs
         from tenants t join (
           select tenant_id, sum(requests)::text as requests, sum(errors)::text as errors, sum(db_ms)::text as db_ms,
                  sum(emails_sent)::text as emails, sum(jobs_run)::text as jobs
             from usage_daily where day between $1::date and $2::date group by tenant_id
           union all
           select tenant_id, '0', '0', '0', '0', '0' from usage_active_users where day between $1::date and $2::date
            group by tenant_id
         ) s on s.tenant_id = t.id`,
      [period.from, period.to],
    );
    const storage = await tx.query<{ tenant_id: string; bytes: string; days_in_month: number }>(
      `select tenant_id, sum(storage_bytes)::text as bytes,
              extract(day from date_trunc('month', day) + interval '1 month' - interval '1 day')::int as days_in_month
         from usage_daily where day between $1::date and $2::date and storage_bytes is not null
        group by tenant_id, date_trunc('month', day), days_in_month`,
      [period.from, period.to],
    );
    const users = await tx.query<{ tenant_id: string; n: string }>(
      `select tenant_id, sum(n)::text as n from (
         select tenant_id, count(distinct user_id) as n from usage_active_users
          where day between $1::date and $2::date group by tenant_id, date_trunc('month', day)) m
        group by tenant_id`,
      [period.from, period.to],
    );
    const out = new Map<string, { tenant: TenantCost['tenant']; m: MeteredQuantities }>();
    for (const r of sums.rows) {
      const prev = out.get(r.tenant_id)?.m;
      out.set(r.tenant_id, {
        tenant: { id: r.tenant_id, slug: r.slug, name: r.name },
        m: {
          requests: (prev?.requests ?? 0n) + BigInt(r.requests),
          errors: (prev?.errors ?? 0n) + BigInt(r.errors),
          dbMs: (prev?.dbMs ?? 0n) + BigInt(r.db_ms),
          emails: (prev?.emails ?? 0n) + BigInt(r.emails),
          jobs: (prev?.jobs ?? 0n) + BigInt(r.jobs),
          storage: [],
          activeUserMonths: 0n,
        },
      });
    }
    for (const r of storage.rows) {
      const entry = out.get(r.tenant_id);
      if (entry) (entry.m.storage as { bytes: bigint; daysInMonth: number }[]).push({ bytes: BigInt(r.bytes), daysInMonth: r.days_in_month });
    }
    for (const r of users.rows) {
      const entry = out.get(r.tenant_id);
      if (entry) entry.m = { ...entry.m, activeUserMonths: BigInt(r.n) };
    }
    return out;
  });
}

export interface CostReport {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly rates: Readonly<Record<RateKey, string>>;
  /** Every practice with usage in the period, most expensive first (ties by slug). */
  readonly items: readonly TenantCost[];
  readonly total: string;
  readonly totalMinor: number;
}

/** Prices every practice's usage of the period. */
export async function costReport(db: Database, rates: CostRates, period: Period): Promise<CostReport> {
  const metered = await meteredQuantities(db, period);
  const priced = [...metered.values()].map(({ tenant, m }) => {
    const q = quantities(m);
    const minor = Object.fromEntries(COST_UNITS.map((u) => [u, lineCostMinor(q[u], u, rates)])) as Record<CostUnit, bigint>;
    const total = COST_UNITS.reduce((sum, u) => sum + minor[u], 0n);
    return { tenant, m, q, minor, total };
  });
  const grand = priced.reduce((sum, p) => sum + p.total, 0n);
  priced.sort((a, b) => (a.total === b.total ? a.tenant.slug.localeCompare(b.tenant.slug) : a.total > b.total ? -1 : 1));
  const money = (minor: bigint) => minorToDecimalString(minor, rates.currency);
  const items = priced.map((p): TenantCost => ({
    tenant: p.tenant,
    requests: Number(p.m.requests),
    errors: Number(p.m.errors),
    dbMs: Number(p.m.dbMs),
    lines: Object.fromEntries(
      COST_UNITS.map((u) => [u, { quantity: decimalText(p.q[u], QUANTITY_DIGITS), cost: money(p.minor[u]), costMinor: Number(p.minor[u]) }]),
    ) as Record<CostUnit, CostLine>,
    total: money(p.total),
    totalMinor: Number(p.total),
    sharePercent: grand === 0n ? '0.00' : decimalText(rational(p.total * 100n, grand), 2),
  }));
  return { from: period.from, to: period.to, currency: rates.currency, rates: rates.text, items, total: money(grand), totalMinor: Number(grand) };
}

export const COST_CSV_COLUMNS = [
  'Practice', 'Slug', 'Requests', 'Errors', 'Database hours', 'GB-months', 'Active user-months', 'Emails', 'Jobs',
  'Requests cost', 'Database cost', 'Storage cost', 'Active users cost', 'Emails cost', 'Jobs cost', 'Total', 'Share %', 'Currency',
] as const;

/** The whole report as RFC 4180 CSV (byte-order mark, CRLF), amounts in major units. */
export function costReportCsv(report: CostReport): string {
  let out = CSV_BOM + csvRecord(COST_CSV_COLUMNS);
  for (const i of report.items) {
    out += csvRecord([
      i.tenant.name, i.tenant.slug, i.requests, i.errors, i.lines.dbHours.quantity, i.lines.gbMonths.quantity, i.lines.activeUserMonths.quantity,
      i.lines.emails.quantity, i.lines.jobs.quantity,
      ...COST_UNITS.map((u) => i.lines[u].cost), i.total, i.sharePercent, report.currency,
    ]);
  }
  return out;
}

/** One row per day of the period (zeros on days without usage), oldest first. */
export async function dailyUsage(db: Database, tenantId: string, period: Period): Promise<DailyUsage[]> {
  const res = await asPlatform(db, (tx) =>
    tx.query<{ day: string; requests: string; errors: string; db_ms: string; emails_sent: string; jobs_run: string; storage_bytes: string | null; active_users: number }>(
      `select to_char(g.day, 'YYYY-MM-DD') as day, coalesce(d.requests, 0)::text as requests, coalesce(d.errors, 0)::text as errors,
              coalesce(d.db_ms, 0)::text as db_ms, coalesce(d.emails_sent, 0)::text as emails_sent, coalesce(d.jobs_run, 0)::text as jobs_run,
              d.storage_bytes::text as storage_bytes,
              (select count(*)::int from usage_active_users a where a.tenant_id = $1 and a.day = g.day) as active_users
         from generate_series($2::date, $3::date, interval '1 day') as g (day)
         left join usage_daily d on d.tenant_id = $1 and d.day = g.day::date
        order by g.day`,
      [tenantId, period.from, period.to],
    ),
  );
  return res.rows.map((r) => ({
    day: r.day,
    requests: Number(r.requests),
    errors: Number(r.errors),
    dbMs: Number(r.db_ms),
    emailsSent: Number(r.emails_sent),
    jobsRun: Number(r.jobs_run),
    storageBytes: r.storage_bytes === null ? null : Number(r.storage_bytes),
    activeUsers: r.active_users,
  }));
}
