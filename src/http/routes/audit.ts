/** /api/audit-events: the practice's own audit trail. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAuditEvents } from '../../domain/audit/audit-service.ts';
import { problems } from '../schemas.ts';

const AuditEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  action: Type.String({ description: 'e.g. patient.read, patient.update' }),
  resourceType: Type.String(),
  resourceId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const Query = Type.Object(
  {
    resourceType: Type.Optional(Type.String({ maxLength: 50 })),
    resourceId: Type.Optional(Type.String({ format: 'uuid' })),
    actorId: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/audit-events', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['Audit'],
      summary: "List the practice's audit events, newest first",
      description: 'Needs `audit:read` (administrators).',
      querystring: Query,
      response: { 200: Type.Object({ items: Type.Array(AuditEvent), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
    },
  }, async (request) => listAuditEvents(request.ctx, request.query));
}
