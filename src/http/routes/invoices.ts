/** Invoices and credit notes: /api/invoices (drafts, issue, void, credit notes). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreditNoteCreate, Invoice, InvoiceCreate, InvoiceListItem, InvoiceQuery, InvoiceUpdate, VoidInput } from '../../domain/billing/invoice-schemas-api.ts';
import { createInvoice, creditInvoice, getInvoice, issueInvoice, listInvoices, updateInvoice, voidInvoice } from '../../domain/billing/invoice-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Invoices'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key answers the first result (header `Idempotent-Replayed: true`)' })),
});

export async function invoiceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/invoices', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Create a draft invoice',
      description:
        'Lines name a price item (`priceItemId`: description, category and the standard price in force today come from it) or give `description`, `category`, `unitPrice`. `quantity` is a decimal string. Another practice’s patient or item is 400 naming the field. Needs `billing:write`.',
      body: InvoiceCreate,
      response: { 201: Invoice, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => reply.code(201).send(await createInvoice(request.ctx, request.body)));

  r.get('/invoices', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'List invoices and credit notes',
      description: 'Newest first, at most `limit` (default 50, max 200); `status`, `patientId` and `appointmentId` filter. Drafts carry `document: null` here. Needs `billing:read`.',
      querystring: InvoiceQuery,
      response: { 200: Type.Object({ items: Type.Array(InvoiceListItem) }), ...problems(400, 401, 403) },
    },
  }, async (request) => ({ items: await listInvoices(request.ctx, request.query) }));

  r.get('/invoices/:id', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'An invoice with its document',
      description: 'Issued: the frozen document. Draft: a live computation with today’s prices, rates and settings. Needs `billing:read`.',
      params: IdParams,
      response: { 200: Invoice, ...problems(401, 403, 404) },
    },
  }, async (request) => getInvoice(request.ctx, request.params.id));

  r.patch('/invoices/:id', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Change a draft invoice',
      description: 'Replaces `lines` and/or `invoiceDiscounts`. Not a draft: 409 `invoice_not_draft`. Needs `billing:write`.',
      params: IdParams,
      body: InvoiceUpdate,
      response: { 200: Invoice, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => updateInvoice(request.ctx, request.params.id, request.body));

  r.post('/invoices/:id/issue', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Issue a draft invoice',
      description:
        'Computes with the prices, rates and settings in force today, freezes the document and assigns the next number of the year (gapless). Not a draft: 409 `invoice_not_draft`. Honours `Idempotency-Key`. Needs `billing:write`.',
      params: IdParams,
      headers: IdempotencyHeaders,
      response: { 200: Invoice, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { invoice, replayed } = await issueInvoice(request.ctx, request.params.id, { idempotencyKey: request.headers['idempotency-key'] });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return invoice;
  });

  r.post('/invoices/:id/void', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Void an issued invoice',
      description: 'Keeps the number and the frozen document. Not issued: 409 `invoice_not_draft`. Needs `billing:write`.',
      params: IdParams,
      body: VoidInput,
      response: { 200: Invoice, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => voidInvoice(request.ctx, request.params.id, request.body));

  r.post('/invoices/:id/credit-notes', {
    config: { permission: 'billing:write' },
    schema: {
      tags,
      summary: 'Issue a credit note against an issued invoice',
      description:
        '`lines: [{line, quantity}]` credits part or all of invoice lines, from the amounts as issued; crediting more than remains is 400 naming `lines[n].quantity`. The credit note takes the next number of the same sequence. Not an issued invoice: 409 `invoice_not_draft`. Needs `billing:write`.',
      params: IdParams,
      body: CreditNoteCreate,
      response: { 201: Invoice, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await creditInvoice(request.ctx, request.params.id, request.body)));
}
