/**
 * The tenant-route pipeline: resolve the practice, verify the staff token (its `tid` must be this
 * practice), load current permissions, check the route's permission, build the use-case context.
 *
 * Reads (GET, HEAD) take the member's access from a per-process cache and prove it current in the
 * same message as their first tenant statement (src/domain/access/access-check.ts): one database
 * round trip instead of two. When the proof fails nothing has run, and the handler runs again on
 * access loaded afresh, exactly as on a cache miss. Writes always load access first: a write
 * handler may touch the control plane before tenant data, so it is never run twice.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES } from '../../errors/catalogue.ts';
import { verifyAccessToken, TokenError } from '../../identity/access-tokens.ts';
import type { Services } from '../../services.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import type { ResolvedTenant } from '../../tenancy/tenant-registry.ts';
import { loadPermissions, type Access } from '../../domain/access/permission-service.ts';
import { AccessCache, AccessCheck } from '../../domain/access/access-check.ts';
import { resolveTenant } from './tenant-resolution.ts';
import { requireFeature } from './feature-gate.ts';
import { admitTenantRequest } from './tenant-admission.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import { databaseUnavailable } from '../problem.ts';
import { PROBLEM_TYPE_BASE } from '../problem.ts';

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
  // An unknown key id makes the key store reload from the database: a lost database is a 503.
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  return err instanceof AppError ? err : new AppError('token_invalid');
}

/** The plan, then the permission: "not in your plan" is the answer whatever the member's role (see types.ts). */
function routeRefusal(request: FastifyRequest): AppError | null {
  const feature = request.routeOptions.config.feature;
  if (feature) {
    try {
      requireFeature(request.tenantRecord!, feature);
    } catch (err) {
      return err as AppError;
    }
  }
  const needed = request.routeOptions.config.permission;
  if (needed && !request.ctx.permissions.has(needed)) return new AppError('permission_denied', `This action needs the "${needed}" permission`);
  return null;
}

const SPECULATIVE_METHODS = new Set(['GET', 'HEAD']);
const WRAPPED = Symbol('staff-auth retry');

/** Adds the staff pipeline hooks to `app`; call it inside the encapsulated scope of tenant routes. */
export function installStaffAuth(app: FastifyInstance, services: Services): void {
  const cache = new AccessCache(services.config.accessCacheSize);
  /** The unproved access check of a request served from the cache. */
  const checks = new WeakMap<FastifyRequest, AccessCheck>();

  function bind(request: FastifyRequest, tenant: ResolvedTenant, userId: string, access: Access, check?: AccessCheck): void {
    request.tenantRecord = tenant;
    request.ctx = tenantContext(services.db, {
      tenant,
      actor: { kind: 'user', id: userId },
      permissions: access.permissions,
      requestId: request.id,
      ip: request.ip,
      ...(check ? { guard: check } : {}),
    });
    if (check) checks.set(request, check);
    else checks.delete(request);
  }

  /** Permissions come from the tenant's current role data, not the token (README "Roles and permissions"). */
  async function loadFresh(request: FastifyRequest, tenant: ResolvedTenant, userId: string): Promise<Access> {
    const base = tenantContext(services.db, { tenant, actor: { kind: 'user', id: userId }, requestId: request.id, ip: request.ip });
    const access = await loadPermissions(base, userId);
    cache.set(tenant.id, userId, access);
    return access;
  }

  /** Drops the cached access of `request` for a fresh load; throws as the uncached pipeline would. */
  async function refresh(request: FastifyRequest): Promise<void> {
    const tenant = request.tenantRecord!;
    const userId = request.ctx.actor.id!;
    const access = await loadFresh(request, tenant, userId);
    if (!access.active) throw new AppError('membership_inactive');
    bind(request, tenant, userId, access);
  }

  /** Proves a pending check with a guarded no-op statement (one round trip); settles its state. */
  async function prove(request: FastifyRequest, check: AccessCheck): Promise<void> {
    try {
      await request.ctx.statement('select 1', []);
    } catch (err) {
      if (check.state !== 'stale') throw err;
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    const tenant = await resolveTenant(request, services.tenants, services.config.baseHost);
    const token = bearerToken(request);
    let claims;
    try {
      claims = await verifyAccessToken(services.keys, token, 'tenant');
    } catch (err) {
      throw tokenFailure(err);
    }
    if (claims.tid !== tenant.id) throw new AppError('token_tenant_mismatch');
    // The practice's allowance is spent only by its own signed-in staff, before any database work.
    await admitTenantRequest(request, reply, services, tenant, tenant.id);
    const cached = SPECULATIVE_METHODS.has(request.method) ? cache.get(tenant.id, claims.sub) : undefined;
    if (cached) {
      bind(request, tenant, claims.sub, cached, new AccessCheck(tenant.id, claims.sub, cached.version!));
      return;
    }
    const access = await loadFresh(request, tenant, claims.sub);
    if (!access.active) throw new AppError('membership_inactive');
    bind(request, tenant, claims.sub, access);
  });

  app.addHook('preHandler', async (request) => {
    let refusal = routeRefusal(request);
    // A refusal is never served from the cache: re-read, then answer as the uncached pipeline would.
    if (refusal && checks.get(request)?.state === 'pending') {
      await refresh(request);
      refusal = routeRefusal(request);
    }
    if (refusal) throw refusal;
  });

  // Every handler of this scope: when its access was stale, run it again on fresh access.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    // HEAD routes are derived from GET routes whose handler is already wrapped.
    if ((handler as { [WRAPPED]?: true })[WRAPPED]) return;
    const wrapped = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const check = checks.get(request);
      if (!check) return handler.call(this, request, reply);
      let result: unknown;
      let failure: unknown = null;
      try {
        result = await handler.call(this, request, reply);
      } catch (err) {
        failure = err ?? new Error('handler failed');
      }
      // A handler that never touched tenant data (or failed before) is proved before it answers.
      if (check.state === 'pending' && !reply.sent) await prove(request, check);
      if (check.state !== 'stale' || reply.sent) {
        if (failure !== null) throw failure;
        return result;
      }
      await refresh(request);
      const refusal = routeRefusal(request);
      if (refusal) throw refusal;
      return handler.call(this, request, reply);
    };
    route.handler = Object.assign(wrapped, { [WRAPPED]: true as const });
  });

  // The safety net for answers given before the handler ran (validation) or sent from inside it:
  // a stale cache must not let a disabled member or a withdrawn permission through.
  app.addHook('onSend', async (request, reply, payload) => {
    const check = checks.get(request);
    if (!check || check.state === 'confirmed') return payload;
    // A server error carries no tenant data, and it may be the database that failed (503): proving
    // access again would only fail the same way, past the error handler.
    if (reply.statusCode >= 500) return payload;
    if (check.state === 'pending') await prove(request, check);
    if (check.state !== 'stale') return payload;
    const access = await loadFresh(request, request.tenantRecord!, request.ctx.actor.id!);
    const needed = request.routeOptions.config.permission;
    const refusal = !access.active
      ? new AppError('membership_inactive')
      : reply.statusCode < 400 && needed && !access.permissions.has(needed)
        ? new AppError('permission_denied', `This action needs the "${needed}" permission`)
        : null;
    if (!refusal) return payload;
    reply.code(refusal.status).type('application/problem+json');
    return JSON.stringify({
      type: PROBLEM_TYPE_BASE + refusal.code,
      title: ERROR_CODES[refusal.code].title,
      status: refusal.status,
      code: refusal.code,
      detail: refusal.detail ?? ERROR_CODES[refusal.code].title,
      instance: request.url.split('?')[0],
      requestId: request.id,
    });
  });
}
