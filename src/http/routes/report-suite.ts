/**
 * The report suite: /api/reports/appointments, attendance, revenue, payments and patients. Each is
 * JSON, or with `?format=csv` the same report as a CSV download (a query parameter rather than
 * `Accept`, so a plain link downloads it, as the billing exports are plain URLs). They read through
 * `services.readDb` (the replica when READ_DATABASE_URL is set) with the request's tenant context.
 * The accounts-receivable aging stays at /api/billing/ar-aging (it pages patients and is audited).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { appointmentReport, attendanceReport } from '../../domain/reporting/appointment-reports.ts';
import { paymentReport, revenueReport } from '../../domain/reporting/money-reports.ts';
import { patientReport } from '../../domain/reporting/patient-reports.ts';
import { REPORT_COLUMNS, reportCsv, reportFilename, type CsvReport, type ReportName } from '../../domain/reporting/report-csv.ts';
import {
  AppointmentReport, AppointmentReportQuery, AttendanceReport, AttendanceReportQuery, MAX_REPORT_DAYS, PatientReport, PatientReportQuery,
  PaymentReport, PaymentReportQuery, RevenueReport, RevenueReportQuery,
} from '../../domain/reporting/report-schemas.ts';
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

export function reportSuiteRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();

    r.get('/reports/appointments', {
      config: { permission: 'scheduling:read' },
      schema: {
        tags,
        summary: 'Appointments per day, week, month, provider, type, status or location',
        description: `Appointments starting in the period (cancelled ones included) counted by status, with late cancellations. Periods list every one of the range (weeks start on Monday; a group's key is its first day). ${COMMON} Needs \`scheduling:read\`.`,
        querystring: AppointmentReportQuery,
        response: { 200: ok(AppointmentReport, 'appointments'), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => answer(reply, 'appointments', request.query.format, await appointmentReport(readContext(services, request), request.query)));

    r.get('/reports/attendance', {
      config: { permission: 'scheduling:read' },
      schema: {
        tags,
        summary: 'No-show and late-cancel rates, overall and per provider, type or location',
        description: `No-show rate = no-shows / appointments not cancelled (as on the dashboard); late-cancel rate = late cancellations / all appointments; both fractions to 4 places, null without appointments. \`totals\` is the practice overall. ${COMMON} Needs \`scheduling:read\`.`,
        querystring: AttendanceReportQuery,
        response: { 200: ok(AttendanceReport, 'attendance'), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => answer(reply, 'attendance', request.query.format, await attendanceReport(readContext(services, request), request.query)));

    r.get('/reports/revenue', {
      config: { permission: 'billing:read' },
      schema: {
        tags,
        summary: 'Revenue billed and collected per day, week, month, service or provider',
        description: `Billed: issued invoices (totals with tax) less issued credit notes, by issue date; void invoices never count. Collected: payments less refunds, by the day received. Practice currency only, minor units as strings. A service is the line's price item (or the visit type's for an invoice made from an appointment); a provider that of the appointment the invoice bills ("none" otherwise). ${COMMON} Needs \`billing:read\`.`,
        querystring: RevenueReportQuery,
        response: { 200: ok(RevenueReport, 'revenue'), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => answer(reply, 'revenue', request.query.format, await revenueReport(readContext(services, request), request.query)));

    r.get('/reports/payments', {
      config: { permission: 'billing:read' },
      schema: {
        tags,
        summary: 'Payments per method and refunds per day, week or month',
        description: `Payments received per method (cash, card, cheque, insurance), refunds paid out and the net, by the day received, in the practice currency (minor units as strings). ${COMMON} Needs \`billing:read\`.`,
        querystring: PaymentReportQuery,
        response: { 200: ok(PaymentReport, 'payments'), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => answer(reply, 'payments', request.query.format, await paymentReport(readContext(services, request), request.query)));

    r.get('/reports/patients', {
      config: { permission: 'scheduling:read' },
      schema: {
        tags,
        summary: 'New and returning patients per day, week or month',
        description: `Patients with a visit (an appointment booked, checked in or completed) in each period: new when their first visit at the practice ever is in that period, else returning. \`totals\` counts each patient once over the range. ${COMMON} Needs \`scheduling:read\`.`,
        querystring: PatientReportQuery,
        response: { 200: ok(PatientReport, 'patients'), ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => answer(reply, 'patients', request.query.format, await patientReport(readContext(services, request), request.query)));
  };
}
