/**
 * Operator API for a practice's request limits (registered inside the operator-token scope of
 * /platform). A change invalidates this process's tenant cache entry; other processes apply it
 * within the registry TTL (2 s).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { recordOperatorAction } from '../../platform/operators.ts';
import { setTenantLimits, tenantLimits } from '../../platform/tenant-limits.ts';
import { problems } from '../schemas.ts';

const Values = Type.Object({
  requestsPerMinute: Type.Integer({ description: 'Sustained requests per minute (token bucket refill)' }),
  burst: Type.Integer({ description: 'Requests allowed at once above the sustained rate (token bucket size)' }),
  maxConcurrentRequests: Type.Integer({ description: 'Requests in progress at the same time' }),
});
const View = Type.Object({
  tenant: Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String() }),
  plan: Type.Object({ key: Type.String(), limits: Values }),
  overrides: Type.Partial(Values, { description: 'Operator overrides; a value left out follows the plan' }),
  effective: Values,
});
// A type list, not a union: with type coercion on, a union would turn null into 0.
const value = (max: number, description: string) =>
  Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: max, description: `${description}; null or absent follows the plan` }));
const Body = Type.Object(
  {
    requestsPerMinute: value(1_000_000, 'Sustained requests per minute'),
    burst: value(1_000_000, 'Token bucket size'),
    maxConcurrentRequests: value(100_000, 'Requests in progress at once'),
  },
  { additionalProperties: false },
);
const TenantParams = Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) });
const tags = ['Operator: plans and features'];

export function platformLimitRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get('/tenants/:tenant/limits', {
      schema: { tags, summary: "A practice's request limits: its plan's, the overrides and the result", params: TenantParams, response: { 200: View, ...problems(401, 404) } },
    }, async (request) => tenantLimits(services.db, request.params.tenant));

    r.put('/tenants/:tenant/limits', {
      schema: {
        tags,
        summary: "Override a practice's request limits",
        description: 'Replaces the overrides: each value given overrides the plan, each left out or null follows it (an empty body removes every override). Applies to every process within 2 s.',
        params: TenantParams,
        body: Body,
        response: { 200: View, ...problems(400, 401, 404) },
      },
    }, async (request) => {
      const view = await setTenantLimits(services.db, request.params.tenant, request.body, request.operatorId);
      services.tenants.invalidate(view.tenant.slug);
      await recordOperatorAction(services.db, { operatorId: request.operatorId, action: 'tenant.limits', target: view.tenant.id, requestId: request.id, details: view.overrides });
      return view;
    });
  };
}
