/**
 * The report suite: /api/reports/appointments, attendance, revenue, payments and patients. Each is
 * JSON, or with `?format=csv` the same report as a CSV download (a query parameter rather than
 * `Accept`, so a plain link downloads it, as the billing exports are plain URLs). They read through
 * `services.readDb` (the replica when READ_DATABASE_URL is set) with the request's tenant context.
 * The accounts-receivable aging stays at /api/billing/ar-aging (it pages patients and is audited).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { appointmentReport, attendanceReport } from '../../domain/reporting/appointment-reports.ts';
import { paymentReport, revenueReport } from '../../domain/reporting/money-reports.ts';
import { patientReport } from '../../domain/reporting/patient-reports.ts';
import { REPORT_COLUMNS, reportCsv, reportFilename, type CsvReport, type ReportName } from '../../domain/reporting/report-csv.ts';
import {
  AppointmentReport, AppointmentReportQuery, AttendanceReport, AttendanceReportQuery, MAX_REPORT_DAYS, PatientReport, PatientReportQuery,
  PaymentReport, PaymentReportQuery, RevenueReport, RevenueReportQuery, type ReportQuery,
} from '../../domain/reporting/report-schemas.ts';
import type { Permission } from '../../domain/access/permissions.ts';
import type { Services } from '../../services.ts';
import { tenantContext, type TenantContext } from '../../tenancy/tenant-context.ts';
import { problems } from '../schemas.ts';

const tags = ['Reports'];

const COMMON =
  `\`from\`–\`to\` are inclusive days in the practice time zone (default the 30 days to today); at most ${MAX_REPORT_DAYS} days; \`from\` after \`to\` or a longer period is 400 naming the field. ` +
  '`providerId`/`locationId` keep only appointments there (and the invoices and payments of them); an id the practice does not have is 404 `not_found`. ' +
  '`format=csv` answers a CSV download (`Content-Disposition: attachment; filename="<report>-<groupBy>-<from>-<to>.csv"`; money in major units).';

function ok(schema: TSchema, name: ReportName) {
  return {
    description: 'The report; with `format=csv` the same as CSV',
    content: {
      'application/json': { schema },
      'text/csv': { schema: Type.String({ description: `UTF-8 CSV (RFC 4180, CRLF, byte-order mark): Key, the group, ${REPORT_COLUMNS[name].map((c) => c.title).join(', ')}; a last "Total" record` }) },
    },
  };
}

/** The request's tenant, actor and permissions, reading through the report database. */
function readContext(services: Services, request: FastifyRequest): TenantContext {
  const ctx = request.ctx;
  return tenantContext(services.readDb, { tenant: ctx.tenant, actor: ctx.actor, permissions: ctx.permissions, requestId: ctx.requestId, ip: ctx.ip });
}

function answer<R extends CsvReport>(reply: FastifyReply, name: ReportName, format: string | undefined, report: R): R | FastifyReply {
  if (format !== 'csv') return report;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${reportFilename(name, report)}"`)
    .header('cache-control', 'private, no-store')
    .send(reportCsv(name, report));
}

/** One report of the suite: served at `/reports/<name>`, documented from the same entry. */
interface ReportRoute {
  readonly name: ReportName;
  readonly permission: Permission;
  readonly summary: string;
  /** What the report counts; the description adds the suite's common rules and the permission. */
  readonly about: string;
  readonly query: TSchema;
  readonly report: TSchema;
  readonly run: (ctx: TenantContext, query: ReportQuery) => Promise<CsvReport>;
}

const REPORT_ROUTES: readonly ReportRoute[] = [
  {
    name: 'appointments',
    permission: 'scheduling:read',
    summary: 'Appointments per day, week, month, provider, type, status or location',
    about: 'Appointments starting in the period (cancelled ones included) counted by status, with late cancellations. Periods list every one of the range (weeks start on Monday; a group\'s key is its first day).',
    query: AppointmentReportQuery,
    report: AppointmentReport,
    run: appointmentReport,
  },
  {
    name: 'attendance',
    permission: 'scheduling:read',
    summary: 'No-show and late-cancel rates, overall and per provider, type or location',
    about: 'No-show rate = no-shows / appointments not cancelled (as on the dashboard); late-cancel rate = late cancellations / all appointments; both fractions to 4 places, null without appointments. `totals` is the practice overall.',
    query: AttendanceReportQuery,
    report: AttendanceReport,
    run: attendanceReport,
  },
  {
    name: 'revenue',
    permission: 'billing:read',
    summary: 'Revenue billed and collected per day, week, month, service or provider',
    about: 'Billed: issued invoices (totals with tax) less issued credit notes, by issue date; void invoices never count. Collected: payments less refunds, by the day received. Practice currency only, minor units as strings. A service is the line\'s price item (or the visit type\'s for an invoice made from an appointment); a provider that of the appointment the invoice bills ("none" otherwise).',
    query: RevenueReportQuery,
    report: RevenueReport,
    run: revenueReport,
  },
  {
    name: 'payments',
    permission: 'billing:read',
    summary: 'Payments per method and refunds per day, week or month',
    about: 'Payments received per method (cash, card, cheque, insurance), refunds paid out and the net, by the day received, in the practice currency (minor units as strings).',
    query: PaymentReportQuery,
    report: PaymentReport,
    run: paymentReport,
  },
  {
    name: 'patients',
    permission: 'scheduling:read',
    summary: 'New and returning patients per day, week or month',
    about: 'Patients with a visit (an appointment booked, checked in or completed) in each period: new when their first visit at the practice ever is in that period, else returning. `totals` counts each patient once over the range.',
    query: PatientReportQuery,
    report: PatientReport,
    run: patientReport,
  },
];

export function reportSuiteRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const route of REPORT_ROUTES) {
      app.get(`/reports/${route.name}`, {
        config: { permission: route.permission },
        schema: {
          tags,
          summary: route.summary,
          description: `${route.about} ${COMMON} Needs \`${route.permission}\`.`,
          querystring: route.query,
          response: { 200: ok(route.report, route.name), ...problems(400, 401, 403, 404) },
        },
      }, async (request, reply) => {
        // Validated against `route.query` before the handler runs, which every report query satisfies.
        const query = request.query as ReportQuery & { readonly format?: string };
        return answer(reply, route.name, query.format, await route.run(readContext(services, request), query));
      });
    }
  };
}
