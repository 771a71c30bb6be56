/**
 * Invoice documents: GET /api/invoices/{id}/pdf, the invoice or credit note as a branded PDF, and
 * POST /api/invoices/{id}/send, the invoice emailed to the patient with that PDF attached.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InvoiceSendInput, InvoiceSendResult, sendInvoiceEmail } from '../../domain/billing/invoice-email.ts';
import { invoicePdf } from '../../domain/billing/invoice-pdf-service.ts';
import { IdParams, problems } from '../schemas.ts';

const PdfResponse = {
  description: 'The PDF (`Content-Disposition: inline; filename="<number>.pdf"`, `draft-<id>.pdf` for a draft)',
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
};

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key answers the first result (header `Idempotent-Replayed: true`) and queues nothing more' })),
});

export async function invoiceDocumentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/invoices/:id/pdf', {
    config: { permission: 'billing:read' },
    schema: {
      tags: ['Invoices'],
      summary: 'The invoice or credit note as a PDF in the practice branding',
      description:
        'Header in the primary colour with the logo, the practice address, contact details and tax ids, the patient, the lines (pages break with the table header repeated), tax per jurisdiction, totals, payments, refunds and credits received and the balance due. A draft is computed live and marked DRAFT; a void document is marked VOID. Needs `billing:read`; audited as `invoice.pdf`.',
      params: IdParams,
      response: { 200: PdfResponse, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const pdf = await invoicePdf(request.ctx, request.params.id, request.tenantRecord!.name);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${pdf.filename}"`)
      // Patient data: never kept by shared caches, nor by the browser after the tab is gone.
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf.bytes.buffer, pdf.bytes.byteOffset, pdf.bytes.byteLength));
  });

  r.post('/invoices/:id/send', {
    config: { permission: 'billing:write' },
    // Everything in the body is optional, so a bare POST (no body at all) sends to the patient.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      tags: ['Invoices'],
      summary: 'Email the invoice to the patient with its PDF attached',
      description:
        "Renders the practice's `invoice` message template (its own version, else the default) and queues it in the outbox with the invoice PDF attached; the `email.deliver` job sends it. To the patient's email address, or to `to` when given. Only an issued, partially paid or paid invoice: a draft, a void invoice or a credit note answers 409 `invoice_not_draft`; no `to` and no patient email: 409 `patient_has_no_email`. Nothing is queued on an error. Without `Idempotency-Key` every call sends again; with one, a retry answers the first result. Audited as `invoice.send`. Needs `billing:write`.",
      params: IdParams,
      headers: IdempotencyHeaders,
      body: InvoiceSendInput,
      response: { 202: InvoiceSendResult, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { result, replayed } = await sendInvoiceEmail(request.ctx, request.params.id, request.body, {
      practiceName: request.tenantRecord!.name,
      idempotencyKey: request.headers['idempotency-key'],
    });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(result);
  });
}
