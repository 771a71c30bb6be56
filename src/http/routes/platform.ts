/** The operator API under /platform: sign-in, tenant lifecycle, migration status. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { loginOperator, logout, refreshSession } from '../../identity/auth-service.ts';
import { verifyAccessToken } from '../../identity/access-tokens.ts';
import { createTenant } from '../../platform/tenant-provisioning.ts';
import { deleteTenant, getTenant, listTenants, reactivateTenant, suspendTenant } from '../../platform/tenant-lifecycle.ts';
import { recordOperatorAction } from '../../platform/operators.ts';
import { migrationStatus } from '../../db/migrator.ts';
import { bearerToken, tokenFailure } from '../plugins/staff-auth.ts';
import { Credentials, RefreshBody, TokenPair } from './auth.ts';
import { problems } from '../schemas.ts';
import { platformPlanRoutes } from './platform-plans.ts';
import { platformLimitRoutes } from './platform-limits.ts';
import { platformSubdomainRoutes } from './branding-subdomain.ts';
import { platformUsageRoutes } from './platform-usage.ts';
import { platformCostRoutes } from './platform-costs.ts';
import { PLAN_KEYS } from '../../platform/plans.ts';

const Tenant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  subdomain: Type.Union([Type.String(), Type.Null()], { description: 'Custom subdomain (PUT /platform/tenants/{tenant}/subdomain), or null' }),
  tier: Type.Union([Type.Literal('pooled'), Type.Literal('schema')]),
  schema: Type.String({ description: 'Where its rows live: `pool` or its dedicated schema' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  plan: Type.String(),
  suspendedReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const TenantCreate = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$', description: 'Lower-case letters, digits and dashes; used as subdomain' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    tier: Type.Union([Type.Literal('pooled'), Type.Literal('schema')], { default: 'pooled' }),
    plan: Type.Optional(Type.Enum(PLAN_KEYS, { description: 'A plan of GET /platform/plans; default `standard`' })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. America/Chicago' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    admin: Type.Object(
      { ...Credentials, password: Type.String({ minLength: 10, maxLength: 1024 }), name: Type.String({ minLength: 1, maxLength: 200 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const TenantParams = Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) });

export function platformRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const authTags = ['Operator authentication'];
    const tags = ['Operator: tenants'];

    r.post('/auth/login', {
      schema: {
        tags: authTags,
        summary: 'Operator sign-in',
        body: Type.Object(Credentials, { additionalProperties: false }),
        response: { 200: Type.Object({ ...TokenPair.properties, operator: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }) }), ...problems(400, 401, 429) },
      },
    }, async (request) => loginOperator(services.auth, { ...request.body, ip: request.ip }));

    r.post('/auth/refresh', {
      schema: { tags: authTags, summary: 'Operator token refresh', body: RefreshBody, response: { 200: TokenPair, ...problems(400, 401) } },
    }, async (request) => refreshSession(services.auth, request.body.refreshToken, 'platform'));

    r.post('/auth/logout', {
      schema: { tags: authTags, summary: 'Operator sign-out', body: RefreshBody, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await logout(services.auth, request.body.refreshToken);
      return reply.code(204).send(null);
    });

    // Everything else under /platform needs an operator token (audience `platform`).
    await app.register(async (secured) => {
      secured.addHook('onRequest', async (request) => {
        try {
          request.operatorId = (await verifyAccessToken(services.keys, bearerToken(request), 'platform')).sub;
        } catch (err) {
          throw tokenFailure(err);
        }
      });
      const s = secured.withTypeProvider<TypeBoxTypeProvider>();
      const audit = (request: { operatorId: string; id: string }, action: string, target: string, details?: unknown) =>
        recordOperatorAction(services.db, { operatorId: request.operatorId, action, target, requestId: request.id, details });

      s.post('/tenants', {
        schema: {
          tags,
          summary: 'Onboard a practice',
          description: 'Creates the practice with its first administrator, built-in roles and default settings. `tier: "schema"` gives it a dedicated schema.',
          body: TenantCreate,
          response: {
            201: Type.Object({ tenant: Tenant, admin: Type.Object({ id: Type.String(), email: Type.String(), existingUser: Type.Boolean() }), elapsedMs: Type.Number() }),
            ...problems(400, 401, 409),
          },
        },
      }, async (request, reply) => {
        const created = await createTenant(services.db, request.body);
        await audit(request, 'tenant.create', created.tenant.id, { slug: created.tenant.slug, tier: created.tenant.tier });
        return reply.code(201).header('location', `/platform/tenants/${created.tenant.id}`).send(created);
      });

      s.get('/tenants', {
        schema: { tags, summary: 'List practices', response: { 200: Type.Object({ items: Type.Array(Type.Object({ ...Tenant.properties, users: Type.Integer() })) }), ...problems(401) } },
      }, async () => ({ items: await listTenants(services.db) }));

      s.get('/tenants/:tenant', {
        schema: { tags, summary: 'Show a practice', params: TenantParams, response: { 200: Tenant, ...problems(401, 404) } },
      }, async (request) => getTenant(services.db, request.params.tenant));

      s.post('/tenants/:tenant/suspend', {
        schema: {
          tags,
          summary: 'Suspend a practice',
          description: 'Its staff get 403 `tenant_suspended` and its refresh tokens are revoked.',
          params: TenantParams,
          body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
          response: { 200: Tenant, ...problems(400, 401, 404) },
        },
      }, async (request) => {
        const tenant = await suspendTenant(services.db, request.params.tenant, request.body.reason);
        services.tenants.invalidate(tenant.slug);
        await audit(request, 'tenant.suspend', tenant.id, { reason: request.body.reason });
        return tenant;
      });

      s.post('/tenants/:tenant/reactivate', {
        schema: { tags, summary: 'Reactivate a suspended practice', params: TenantParams, response: { 200: Tenant, ...problems(401, 404) } },
      }, async (request) => {
        const tenant = await reactivateTenant(services.db, request.params.tenant);
        services.tenants.invalidate(tenant.slug);
        await audit(request, 'tenant.reactivate', tenant.id);
        return tenant;
      });

      s.delete('/tenants/:tenant', {
        schema: {
          tags,
          summary: 'Delete a practice and all its data',
          description: 'Answers with a verification report: rows left per table after deletion (all zero).',
          params: TenantParams,
          response: {
            200: Type.Object({
              tenant: Tenant,
              rowsDeleted: Type.Record(Type.String(), Type.Integer()),
              remaining: Type.Record(Type.String(), Type.Integer()),
              verified: Type.Boolean(),
            }),
            ...problems(401, 404),
          },
        },
      }, async (request) => {
        const report = await deleteTenant(services.db, request.params.tenant);
        services.tenants.invalidate(report.tenant.slug);
        await audit(request, 'tenant.delete', report.tenant.id, { slug: report.tenant.slug, verified: report.verified });
        return report;
      });

      await secured.register(platformPlanRoutes(services));
      await secured.register(platformLimitRoutes(services));
      await secured.register(platformSubdomainRoutes(services));
      await secured.register(platformUsageRoutes(services));
      await secured.register(platformCostRoutes(services));

      s.get('/migrations', {
        schema: {
          tags: ['Operator: operations'],
          summary: 'Migration version of every schema',
          response: { 200: Type.Object({ items: Type.Array(Type.Object({ schema: Type.String(), version: Type.Integer(), pending: Type.Integer() })) }), ...problems(401) },
        },
      }, async () => ({ items: await migrationStatus(services.db) }));
    });
  };
}
