/** Payments and refunds: /api/invoices/{id}/payments and /api/patients/{id}/balance. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InvoicePayments, PatientBalance, Payment, PaymentCreate } from '../../domain/billing/payment-schemas.ts';
import { listPayments, patientBalance, recordPayment } from '../../domain/billing/payment-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Payments'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key answers the first result (header `Idempotent-Replayed: true`) and records nothing' })),
});

export async function paymentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/invoices/:id/payments', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Record a payment or refund against an issued invoice',
      description:
        'Append-only: a refund is a new row of kind `refund`. A payment above the balance, or a refund above what was paid and not yet refunded, is 400 naming `amount`. The invoice moves to `partially_paid`, `paid` or back to `issued` in the same transaction. A draft, void invoice or credit note: 409 `invoice_not_payable`. Honours `Idempotency-Key`. Needs `billing:write`.',
      params: IdParams,
      headers: IdempotencyHeaders,
      body: PaymentCreate,
      response: { 201: Payment, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { payment, replayed } = await recordPayment(request.ctx, request.params.id, request.body, { idempotencyKey: request.headers['idempotency-key'] });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).send(payment);
  });

  r.get('/invoices/:id/payments', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'Payments and refunds of an invoice, with its balance',
      description: 'Oldest first. `balance` = total − credited (issued credit notes) − paid + refunded. Needs `billing:read`.',
      params: IdParams,
      response: { 200: InvoicePayments, ...problems(401, 403, 404) },
    },
  }, async (request) => listPayments(request.ctx, request.params.id));

  r.get('/patients/:id/balance', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'What a patient owes across their issued invoices',
      description: 'Issued, partially paid and paid invoices (not drafts, not void), with credit notes, payments and refunds. Needs `billing:read`.',
      params: IdParams,
      response: { 200: PatientBalance, ...problems(401, 403, 404) },
    },
  }, async (request) => patientBalance(request.ctx, request.params.id));
}
