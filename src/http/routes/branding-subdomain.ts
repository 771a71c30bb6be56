/**
 * The practice's custom subdomain, set by its admin (PUT /api/branding/subdomain, inside /api) or by
 * the operator (PUT /platform/tenants/{tenant}/subdomain, inside the operator-token scope). Either
 * way this process's tenant registry forgets the old and new names at once, so the change applies
 * to the next request here; other processes see it within the registry TTL (2 s).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { recordOperatorAction } from '../../platform/operators.ts';
import { changeOwnSubdomain, setTenantSubdomain, subdomainNames, type SubdomainChange } from '../../platform/tenant-subdomain.ts';
import { problems } from '../schemas.ts';

// A type list, not a union: with type coercion on, a union's null branch would turn "" into null
// (removal), and a string branch tried first would turn null into "".
const SubdomainBody = Type.Object(
  {
    subdomain: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      maxLength: 63,
      description: 'Lower-case letters, digits and dashes (1 to 40, no leading or trailing dash), unique across every practice’s slug and subdomain; null removes it',
    }),
  },
  { additionalProperties: false },
);
const SubdomainView = Type.Object({
  slug: Type.String({ description: 'The practice slug: it keeps working, and X-Tenant and public `:slug` paths take only it' }),
  subdomain: Type.Union([Type.Null(), Type.String()]),
});
const DESCRIPTION =
  'The practice is then also reached at `<subdomain>.<base host>` (same tokens: they are bound to the practice, not the name). ' +
  '400 naming `subdomain` when malformed, reserved (www, api, app, admin, platform, docs, static, assets, mail, status) or the practice’s own slug; ' +
  '409 `subdomain_taken` when another practice uses the name as its slug or subdomain. Takes effect at once on this server, within 2 s on the others.';

const view = (change: SubdomainChange) => ({ slug: change.tenant.slug, subdomain: change.subdomain });

/** PUT /api/branding/subdomain, registered inside the staff scope of /api. */
export function brandingSubdomainRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.put('/branding/subdomain', {
      config: { permission: 'settings:manage' },
      schema: {
        tags: ['Branding'],
        summary: "Set or remove the practice's custom subdomain",
        description: `${DESCRIPTION} Needs \`settings:manage\`; recorded in the practice's audit log.`,
        body: SubdomainBody,
        response: { 200: SubdomainView, ...problems(400, 401, 403, 409) },
      },
    }, async (request) => {
      const change = await changeOwnSubdomain(services.db, request.ctx, request.body.subdomain);
      for (const name of subdomainNames(change)) services.tenants.invalidate(name);
      return view(change);
    });
  };
}

/** PUT /platform/tenants/{tenant}/subdomain, registered inside the operator-token scope of /platform. */
export function platformSubdomainRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.put('/tenants/:tenant/subdomain', {
      schema: {
        tags: ['Operator: tenants'],
        summary: "Set or remove a practice's custom subdomain",
        description: `${DESCRIPTION} Recorded in the operator audit log.`,
        params: Type.Object({ tenant: Type.String({ description: 'Tenant id or slug' }) }),
        body: SubdomainBody,
        response: { 200: SubdomainView, ...problems(400, 401, 404, 409) },
      },
    }, async (request) => {
      const change = await setTenantSubdomain(services.db, request.params.tenant, request.body.subdomain);
      for (const name of subdomainNames(change)) services.tenants.invalidate(name);
      await recordOperatorAction(services.db, {
        operatorId: request.operatorId,
        action: 'tenant.subdomain',
        target: change.tenant.id,
        requestId: request.id,
        details: { from: change.previous, to: change.subdomain },
      });
      return view(change);
    });
  };
}
