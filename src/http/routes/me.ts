/** /api/me: who am I here, what may I do, and what the practice's plan includes. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ALL_FEATURES, planOf } from '../../platform/plans.ts';
import { requestLimitValuesOf } from '../../platform/tenant-limits.ts';
import { problems } from '../schemas.ts';

export async function meRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/me', {
    schema: {
      tags: ['Access'],
      summary: 'The signed-in staff member, the practice, current permissions and enabled plan features',
      description: 'The web app hides what `features` does not list: those routes answer 403 `feature_not_in_plan`.',
      response: {
        200: Type.Object({
          userId: Type.String(),
          tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
          permissions: Type.Array(Type.String()),
          plan: Type.Object({
            key: Type.String(),
            name: Type.String(),
            limits: Type.Object(
              {
                staffSeats: Type.Integer(),
                requestsPerMinute: Type.Integer({ description: 'Sustained API requests per minute for the practice\'s staff' }),
                burst: Type.Integer({ description: 'Requests that may come at once above the sustained rate' }),
                maxConcurrentRequests: Type.Integer({ description: 'Requests served at the same time; more answer 429 `tenant_concurrency_limited`' }),
              },
              { description: 'The plan\'s limits with any operator overrides applied' },
            ),
          }),
          features: Type.Array(Type.String(), { description: 'Features enabled for the practice (plan plus operator overrides)' }),
        }),
        ...problems(401, 403),
      },
    },
  }, async (request) => {
    const tenant = request.tenantRecord!;
    const plan = planOf(tenant.plan);
    return {
      userId: request.ctx.actor.id!,
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      permissions: [...request.ctx.permissions].sort(),
      plan: { key: plan.key, name: plan.name, limits: { staffSeats: plan.limits.staffSeats, ...requestLimitValuesOf(tenant) } },
      features: ALL_FEATURES.filter((f) => tenant.features.has(f)),
    };
  });
}
