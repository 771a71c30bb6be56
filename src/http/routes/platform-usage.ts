/**
 * Operator API for what practices use (registered inside the operator-token scope of /platform):
 * a paged list of practices with their usage, one practice's health, and batch measuring.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { recordOperatorAction } from '../../platform/operators.ts';
import { listTenantUsage, measureStalest, tenantHealth } from '../../platform/tenant-usage.ts';
import { problems } from '../schemas.ts';

const SLUG = '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$';
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const Tenant = {
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  subdomain: Nullable(Type.String()),
  tier: Type.Enum(['pooled', 'schema']),
  schema: Type.String(),
  status: Type.Enum(['active', 'suspended']),
  plan: Type.String(),
  suspendedReason: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
};

const Usage = Type.Object({
  patients: Type.Integer(),
  activeStaff: Type.Integer(),
  appointmentsLast30Days: Type.Integer({ description: 'Appointments starting in the 30 days before `measuredAt`' }),
  invoices: Type.Integer(),
  storageBytes: Type.Integer(),
  storageEstimated: Type.Boolean({ description: 'true for a pooled practice (its rows’ own size); false when its dedicated schema was measured' }),
  lastActivityAt: Nullable(Type.String({ format: 'date-time', description: 'Newest audit-trail entry' })),
  measuredAt: Type.String({ format: 'date-time' }),
});

const TenantParams = Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) });
const tags = ['Operator: usage'];

export function platformUsageRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();

    r.get('/usage', {
      schema: {
        tags,
        summary: 'Practices with their usage, a page at a time',
        description:
          'Ordered by slug; pass `next` of one page as `after` for the following page. `activeStaff` is live; `usage` is the latest ' +
          'measurement (null when never measured): opening a practice (GET /platform/tenants/{tenant}/usage) or POST /platform/usage/measure refreshes it.',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the slug or name' })),
            status: Type.Optional(Type.Enum(['active', 'suspended'])),
            after: Type.Optional(Type.String({ pattern: SLUG, description: 'The `next` of the previous page' })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ ...Tenant, activeStaff: Type.Integer(), usage: Type.Union([Usage, Type.Null()]) })),
            next: Nullable(Type.String({ description: 'Pass as `after` for the next page; null on the last page' })),
          }),
          ...problems(400, 401),
        },
      },
    }, async (request) => listTenantUsage(services.db, request.query));

    r.get('/tenants/:tenant/usage', {
      schema: {
        tags,
        summary: "A practice's health and usage, measured now",
        description: 'Counts, storage (how it was measured in `storageMethod`), last activity, the migration version of its schema, and any problems.',
        params: TenantParams,
        response: {
          200: Type.Object({
            tenant: Type.Object(Tenant),
            usage: Usage,
            storageMethod: Type.String(),
            migrations: Type.Object({ schema: Type.String(), version: Type.Integer(), latest: Type.Integer(), pending: Type.Integer() }),
            staffSeats: Type.Integer({ description: "The plan's active staff limit" }),
            problems: Type.Array(Type.String(), { description: 'Empty when healthy' }),
          }),
          ...problems(401, 404),
        },
      },
    }, async (request) => tenantHealth(services.db, request.params.tenant));

    r.post('/usage/measure', {
      schema: {
        tags,
        summary: 'Measure the practices measured longest ago',
        description: 'Measures up to `limit` practices (never-measured ones first), one after another. Meant for a scheduled call.',
        body: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ measured: Type.Integer() }), ...problems(400, 401) },
      },
    }, async (request) => {
      const measured = await measureStalest(services.db, request.body.limit);
      await recordOperatorAction(services.db, { operatorId: request.operatorId, action: 'usage.measure', target: null, requestId: request.id, details: { measured } });
      return { measured };
    });
  };
}
