/**
 * The tenant-route pipeline: resolve the practice, verify the staff token (its `tid` must be this
 * practice), load current permissions, check the route's permission, build the use-case context.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/catalogue.ts';
import { verifyAccessToken, TokenError } from '../../identity/access-tokens.ts';
import type { Services } from '../../services.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import { loadPermissions } from '../../domain/access/permission-service.ts';
import { resolveTenant } from './tenant-resolution.ts';
import { requireFeature } from './feature-gate.ts';

/** Extracts the bearer token or throws `token_missing`. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new AppError('token_missing');
  return match[1]!;
}

/** Maps token verification failures to their codes. */
export function tokenFailure(err: unknown): AppError {
  if (err instanceof TokenError) return new AppError(err.reason === 'expired' ? 'token_expired' : 'token_invalid');
  return err instanceof AppError ? err : new AppError('token_invalid');
}

/** Adds the staff pipeline hooks to `app`; call it inside the encapsulated scope of tenant routes. */
export function installStaffAuth(app: FastifyInstance, services: Services): void {
  app.addHook('onRequest', async (request) => {
    const tenant = await resolveTenant(request, services.tenants, services.config.baseHost);
    const token = bearerToken(request);
    let claims;
    try {
      claims = await verifyAccessToken(services.keys, token, 'tenant');
    } catch (err) {
      throw tokenFailure(err);
    }
    if (claims.tid !== tenant.id) throw new AppError('token_tenant_mismatch');
    const base = tenantContext(services.db, {
      tenant,
      actor: { kind: 'user', id: claims.sub },
      requestId: request.id,
      ip: request.ip,
    });
    // Permissions come from the tenant's current role data, not the token, so a role change or a
    // disabled account takes effect on the very next request.
    const access = await loadPermissions(base, claims.sub);
    if (!access.active) throw new AppError('membership_inactive');
    request.tenantRecord = tenant;
    request.ctx = tenantContext(services.db, {
      tenant,
      actor: { kind: 'user', id: claims.sub },
      permissions: access.permissions,
      requestId: request.id,
      ip: request.ip,
    });
  });
  app.addHook('preHandler', async (request) => {
    // The plan first: "not in your plan" is the answer whatever the member's role (see types.ts).
    const feature = request.routeOptions.config.feature;
    if (feature) requireFeature(request.tenantRecord!, feature);
    const needed = request.routeOptions.config.permission;
    if (needed && !request.ctx.permissions.has(needed)) {
      throw new AppError('permission_denied', `This action needs the "${needed}" permission`);
    }
  });
}
