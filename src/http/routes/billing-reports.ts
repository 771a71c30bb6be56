/**
 * Billing reports: /api/billing/ar-aging, the CSV exports /api/invoices/export.csv and
 * /api/payments/export.csv, and /api/patients/{id}/statement with its PDF /statement.pdf. The static
 * `export.csv` segment wins over `/invoices/:id` in Fastify's router (static before parametric),
 * whatever the registration order; `statement` and `statement.pdf` are two static segments after
 * the id, so neither shadows the other.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AgingQuery, ArAging } from '../../domain/billing/ar-aging-schemas.ts';
import { getArAging } from '../../domain/billing/ar-aging.ts';
import { exportInvoicesCsv, exportPaymentsCsv, INVOICE_EXPORT_COLUMNS, PAYMENT_EXPORT_COLUMNS, type CsvExport } from '../../domain/billing/billing-export.ts';
import { ExportQuery } from '../../domain/billing/export-schemas.ts';
import { Statement, StatementQuery } from '../../domain/billing/statement-schemas.ts';
import { buildStatement } from '../../domain/billing/statement.ts';
import { statementPdf } from '../../domain/billing/statement-pdf-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Billing reports'];

const csvResponse = (columns: readonly string[]) => ({
  description: `UTF-8 CSV (RFC 4180, CRLF, byte-order mark) with the columns: ${columns.join(', ')}`,
  content: { 'text/csv': { schema: Type.String() } },
});

const PdfResponse = {
  description: 'The PDF (`Content-Disposition: inline; filename="statement-<mrn>-<from>-<to>.pdf"`)',
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
};

function sendCsv(reply: FastifyReply, file: CsvExport): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    // Names and amounts of patients: never kept by a browser or proxy cache.
    .header('cache-control', 'private, no-store')
    .send(Readable.from(file.chunks));
}

export async function billingReportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/billing/ar-aging', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'Accounts-receivable aging',
      description:
        'Open balances (total − credited − paid + refunded, counting credit notes issued and payments and refunds received on or before `asOf`) of invoices issued on or before `asOf`, aged from the issue date in buckets 0–30, 31–60, 61–90 and over 90 days. Void invoices never count. Totals per bucket, then one row per patient, largest total first; keyset-paginated with `limit` (default 100) and `nextCursor`. Audited. Needs `billing:read`.',
      querystring: AgingQuery,
      response: { 200: ArAging, ...problems(400, 401, 403) },
    },
  }, async (request) => getArAging(request.ctx, request.query));

  r.get('/invoices/export.csv', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'Invoices and credit notes issued in a period, as CSV',
      description:
        'Issue dates `from`–`to` inclusive (default: the month to date in the practice time zone; no limit, the file is streamed). Amounts are exact decimals in major units of the row’s currency; a credit note leaves Credited/Paid/Refunded/Balance empty, a void invoice has balance 0. Audited as `billing.export`. Needs `billing:read`.',
      querystring: ExportQuery,
      response: { 200: csvResponse(INVOICE_EXPORT_COLUMNS), ...problems(400, 401, 403) },
    },
  }, async (request, reply) => sendCsv(reply, await exportInvoicesCsv(request.ctx, request.query)));

  r.get('/payments/export.csv', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'Payments and refunds received in a period, as CSV',
      description:
        'Dates received `from`–`to` inclusive (default: the month to date in the practice time zone; no limit, the file is streamed). Refunds are negative; "Recorded at" is ISO 8601 in the practice time zone. Audited as `billing.export`. Needs `billing:read`.',
      querystring: ExportQuery,
      response: { 200: csvResponse(PAYMENT_EXPORT_COLUMNS), ...problems(400, 401, 403) },
    },
  }, async (request, reply) => sendCsv(reply, await exportPaymentsCsv(request.ctx, request.query)));

  r.get('/patients/:id/statement', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'A patient statement for a period',
      description:
        'Opening balance (everything before `from`), chronological entries (invoices, credit notes, payments, refunds) with running balance, closing balance at the end of `to`, the amount due today, and the aging of open invoices as of `to`. Default period: `to` today in the practice time zone, `from` 90 days earlier. `from` after `to`: 400 naming `from`. Audited as `patient.statement`. Needs `billing:read`.',
      params: IdParams,
      querystring: StatementQuery,
      response: { 200: Statement, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => buildStatement(request.ctx, request.params.id, request.query));

  r.get('/patients/:id/statement.pdf', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'A patient statement for a period, as a PDF in the practice branding',
      description:
        'The statement of `GET /api/patients/{id}/statement` (same period rules and errors) laid out for printing or mailing: header in the primary colour with the logo, the practice address, contact details and tax ids; the period and the patient (name, MRN, address); the opening balance, every entry with its running balance (pages break with the table header repeated, "Page x of y"), the closing balance, the amount due now and the aging of open invoices (0–30, 31–60, 61–90, over 90 days). `Content-Disposition: inline; filename="statement-<mrn>-<from>-<to>.pdf"`. Audited as `patient.statement_pdf`. Needs `billing:read`.',
      params: IdParams,
      querystring: StatementQuery,
      response: {
        200: PdfResponse,
        ...problems(400, 401, 403, 404),
      },
    },
  }, async (request, reply) => {
    const pdf = await statementPdf(request.ctx, request.params.id, request.query, request.tenantRecord!.name);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${pdf.filename}"`)
      // Patient data: never kept by shared caches, nor by the browser after the tab is gone.
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf.bytes.buffer, pdf.bytes.byteOffset, pdf.bytes.byteLength));
  });
}
