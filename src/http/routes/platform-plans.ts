/**
 * Operator API for plans and per-practice feature flags (registered inside the operator-token
 * scope of /platform). A change invalidates this process's tenant cache entry, so the practice's
 * next request here sees it; other processes see it within the registry TTL (2 s).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { recordOperatorAction } from '../../platform/operators.ts';
import { ALL_FEATURES, FEATURES, PLAN_KEYS, PLANS } from '../../platform/plans.ts';
import { setTenantFeature, setTenantPlan, tenantFeatures } from '../../platform/tenant-plan.ts';
import { problems } from '../schemas.ts';

const Limits = Type.Object({
  staffSeats: Type.Integer({ description: 'Active staff members allowed' }),
  requestsPerMinute: Type.Integer({ description: 'API requests per minute for the whole practice (sustained rate)' }),
  burst: Type.Integer({ description: 'Requests allowed at once above the sustained rate' }),
  maxConcurrentRequests: Type.Integer({ description: 'Requests of the practice in progress at the same time' }),
});
const Plan = Type.Object({ key: Type.String(), name: Type.String(), description: Type.String(), features: Type.Array(Type.String()), limits: Limits });
const TenantFeatures = Type.Object({
  tenant: Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String() }),
  plan: Type.Object({ key: Type.String(), name: Type.String(), limits: Limits }),
  features: Type.Array(
    Type.Object({
      feature: Type.String(),
      description: Type.String(),
      enabled: Type.Boolean(),
      inPlan: Type.Boolean({ description: 'Whether the plan alone includes it' }),
      source: Type.Enum(['plan', 'override'], { description: 'What decides `enabled`' }),
    }),
  ),
});
const TenantParams = Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) });
// Enums rather than unions of literals: a wrong value is one error naming the field.
const PlanKey = Type.Enum(PLAN_KEYS, { description: 'A plan of GET /platform/plans' });
const FeatureParams = Type.Object({ tenant: TenantParams.properties.tenant, feature: Type.Enum(ALL_FEATURES) });
// A type list, not a union: with type coercion on, a union's boolean branch would turn null into false.
const Enabled = Type.Unsafe<boolean | null>({ type: ['boolean', 'null'], description: 'true or false overrides the plan; null removes the override' });
const tags = ['Operator: plans and features'];

export function platformPlanRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const audit = (request: { operatorId: string; id: string }, action: string, target: string, details: unknown) =>
      recordOperatorAction(services.db, { operatorId: request.operatorId, action, target, requestId: request.id, details });

    r.get('/plans', {
      schema: {
        tags,
        summary: 'The plan catalogue and every feature',
        response: { 200: Type.Object({ items: Type.Array(Plan), features: Type.Array(Type.Object({ key: Type.String(), description: Type.String() })) }), ...problems(401) },
      },
    }, async () => ({
      items: Object.values(PLANS).map((plan) => ({ ...plan, features: [...plan.features] })),
      features: ALL_FEATURES.map((key) => ({ key, description: FEATURES[key] })),
    }));

    r.get('/tenants/:tenant/features', {
      schema: { tags, summary: "A practice's plan and effective features, each with its source", params: TenantParams, response: { 200: TenantFeatures, ...problems(401, 404) } },
    }, async (request) => tenantFeatures(services.db, request.params.tenant));

    r.put('/tenants/:tenant/plan', {
      schema: {
        tags,
        summary: 'Move a practice to another plan',
        description: 'Feature overrides stay. Staff seats above the new limit are kept, but no more can be added.',
        params: TenantParams,
        body: Type.Object({ plan: PlanKey }, { additionalProperties: false }),
        response: { 200: TenantFeatures, ...problems(400, 401, 404) },
      },
    }, async (request) => {
      const { previous, view } = await setTenantPlan(services.db, request.params.tenant, request.body.plan);
      services.tenants.invalidate(view.tenant.slug);
      await audit(request, 'tenant.plan', view.tenant.id, { from: previous, to: view.plan.key });
      return view;
    });

    r.put('/tenants/:tenant/features/:feature', {
      schema: {
        tags,
        summary: "Override one feature of a practice's plan",
        params: FeatureParams,
        body: Type.Object({ enabled: Enabled }, { additionalProperties: false }),
        response: { 200: TenantFeatures, ...problems(400, 401, 404) },
      },
    }, async (request) => {
      const view = await setTenantFeature(services.db, request.params.tenant, request.params.feature, request.body.enabled, request.operatorId);
      services.tenants.invalidate(view.tenant.slug);
      await audit(request, 'tenant.feature', view.tenant.id, { feature: request.params.feature, enabled: request.body.enabled });
      return view;
    });
  };
}
