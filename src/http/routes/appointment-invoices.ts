/** POST /api/appointments/{id}/invoice: the draft invoice of a visit, made by hand. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createAppointmentInvoice } from '../../domain/billing/appointment-invoice-service.ts';
import { Invoice } from '../../domain/billing/invoice-schemas-api.ts';
import { IdParams, problems } from '../schemas.ts';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key answers the first draft (header `Idempotent-Replayed: true`)' })),
});

export async function appointmentInvoiceRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/appointments/:id/invoice', {
    config: { permission: 'billing:write' },
    schema: {
      tags: ['Invoices'],
      summary: 'Create the draft invoice of an appointment',
      description:
        'One line: the visit type’s price item at the price in force on the visit’s local date (the location’s own price level when the item has one, else `standard`), described by visit type and date. ' +
        'Only a checked-in or completed appointment, whose type names an active, priced item: else 409 `appointment_not_billable` saying why. ' +
        'An appointment with a live (not void) invoice answers 409 `appointment_already_invoiced` naming it. Honours `Idempotency-Key`. Needs `billing:write`.',
      params: IdParams,
      headers: IdempotencyHeaders,
      response: { 201: Invoice, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { invoice, replayed } = await createAppointmentInvoice(request.ctx, request.params.id, { idempotencyKey: request.headers['idempotency-key'] });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).header('location', `/api/invoices/${invoice.id}`).send(invoice);
  });
}
