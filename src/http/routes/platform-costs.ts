/**
 * Operator API for metered usage and its cost (registered inside the operator-token scope of
 * /platform): the cost report per practice, its CSV export, and one practice's daily usage.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { COST_CSV_COLUMNS, costReport, costReportCsv, dailyUsage } from '../../platform/cost-report.ts';
import { resolveUsagePeriod, MAX_PERIOD_DAYS } from '../../platform/usage-period.ts';
import { getTenant } from '../../platform/tenant-lifecycle.ts';
import { RATE_KEYS } from '../../platform/cost-rates.ts';
import { problems } from '../schemas.ts';

const tags = ['Operator: usage'];

const PeriodQuery = {
  from: Type.Optional(Type.String({ format: 'date', description: 'First UTC day, YYYY-MM-DD, inclusive; default the first day of the month of `to`' })),
  to: Type.Optional(Type.String({ format: 'date', description: `Last UTC day, inclusive; default today (UTC). At most ${MAX_PERIOD_DAYS} days in all` })),
};

const Line = Type.Object({
  quantity: Type.String({ description: 'Decimal; exact for counts, 6 places for fractions' }),
  cost: Type.String({ description: 'Major units, e.g. "12.34"' }),
  costMinor: Type.Integer({ description: 'Minor units (cents)' }),
});

const Rates = Type.Object(Object.fromEntries(RATE_KEYS.map((k) => [k, Type.String()])) as Record<(typeof RATE_KEYS)[number], ReturnType<typeof Type.String>>);

const TenantCost = Type.Object({
  tenant: Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String(), name: Type.String() }),
  requests: Type.Integer(),
  errors: Type.Integer({ description: 'Requests answered 5xx' }),
  dbMs: Type.Integer(),
  lines: Type.Object({ requests: Line, dbHours: Line, gbMonths: Line, activeUserMonths: Line, emails: Line, jobs: Line }),
  total: Type.String(),
  totalMinor: Type.Integer(),
  sharePercent: Type.String({ description: "This practice's share of the period's grand total, percent with 2 decimals" }),
});

const COST_DOC =
  'Quantities: requests (priced per million), database hours (db time / 3,600,000 ms), GB-months (each daily storage snapshot counts bytes / 10^9 / days in its month), ' +
  'active user-months (distinct staff users active in each calendar month of the period, summed), emails and jobs (per thousand). Each line is quantity × rate rounded ' +
  'half up to the minor unit once; totals are sums of rounded lines. Rates come from HEALTHTRACK_COST_RATES.';

export function platformCostRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const rates = services.config.costRates;

    r.get('/costs', {
      schema: {
        tags,
        summary: 'Cost per practice over a period, most expensive first',
        description: `Practices with any metered usage in the period, sorted by total cost (ties by slug), a page at a time (\`offset\`, \`limit\`). ${COST_DOC}`,
        querystring: Type.Object(
          { ...PeriodQuery, offset: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String({ format: 'date' }),
            to: Type.String({ format: 'date' }),
            currency: Type.String(),
            rates: Rates,
            total: Type.String({ description: 'Grand total of all practices (not only this page)' }),
            totalMinor: Type.Integer(),
            count: Type.Integer({ description: 'Practices in the report' }),
            items: Type.Array(TenantCost),
            next: Type.Union([Type.Integer(), Type.Null()], { description: 'The `offset` of the next page, or null' }),
          }),
          ...problems(400, 401),
        },
      },
    }, async (request) => {
      const period = resolveUsagePeriod(request.query);
      const report = await costReport(services.db, rates, period);
      const { offset, limit } = request.query;
      const items = report.items.slice(offset, offset + limit);
      return { ...report, count: report.items.length, items, next: offset + limit < report.items.length ? offset + limit : null };
    });

    r.get('/costs/export.csv', {
      schema: {
        tags,
        summary: 'The cost report of a period as CSV',
        description: `Every practice of GET /platform/costs (no paging), UTF-8 CSV (RFC 4180, CRLF, byte-order mark) with the columns: ${COST_CSV_COLUMNS.join(', ')}. Amounts in major units.`,
        querystring: Type.Object(PeriodQuery, { additionalProperties: false }),
        response: { 200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } }, ...problems(400, 401) },
      },
    }, async (request, reply) => {
      const period = resolveUsagePeriod(request.query);
      const csv = costReportCsv(await costReport(services.db, rates, period));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="costs-${period.from}-${period.to}.csv"`)
        .header('cache-control', 'private, no-store')
        .send(csv);
    });

    r.get('/tenants/:tenant/usage/daily', {
      schema: {
        tags,
        summary: "A practice's metered usage per UTC day",
        description:
          'One row per day of the period (zeros where nothing was metered). Counters are added by each process every HEALTHTRACK_USAGE_FLUSH_MS, so today is up to that much behind; ' +
          '`storageBytes` is the daily snapshot (null on a day not measured).',
        params: Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) }),
        querystring: Type.Object(PeriodQuery, { additionalProperties: false }),
        response: {
          200: Type.Object({
            tenant: Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String(), name: Type.String() }),
            from: Type.String({ format: 'date' }),
            to: Type.String({ format: 'date' }),
            items: Type.Array(
              Type.Object({
                day: Type.String({ format: 'date' }),
                requests: Type.Integer(),
                errors: Type.Integer(),
                dbMs: Type.Integer(),
                emailsSent: Type.Integer(),
                jobsRun: Type.Integer(),
                storageBytes: Type.Union([Type.Integer(), Type.Null()]),
                activeUsers: Type.Integer(),
              }),
            ),
          }),
          ...problems(400, 401, 404),
        },
      },
    }, async (request) => {
      const period = resolveUsagePeriod(request.query);
      const tenant = await getTenant(services.db, request.params.tenant);
      return { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, ...period, items: await dailyUsage(services.db, tenant.id, period) };
    });
  };
}
