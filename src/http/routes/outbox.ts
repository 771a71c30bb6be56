/** The practice's outgoing messages: /api/outbox (kept in development, sent with SMTP_URL). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getOutboxMessage, listOutbox, OutboxEntry, OutboxMessage, OutboxQuery } from '../../domain/messaging/outbox-view.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Outbox'];

export async function outboxRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/outbox', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: "The practice's emails, newest first",
      description:
        'Without SMTP_URL (development) nothing leaves the machine and every message is kept here with status `kept`. ' +
        'Keyset-paginated with `cursor`. Addresses and subjects are PHI: the ids listed are audited. Needs `settings:manage`.',
      querystring: OutboxQuery,
      response: { 200: Type.Object({ items: Type.Array(OutboxEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
    },
  }, async (request) => listOutbox(request.ctx, request.query));

  r.get('/outbox/:id', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'One email in full: text and HTML bodies and attachments',
      description: 'The read is audited (bodies hold PHI). Needs `settings:manage`.',
      params: IdParams,
      response: { 200: OutboxMessage, ...problems(401, 403, 404) },
    },
  }, async (request) => getOutboxMessage(request.ctx, request.params.id));
}
