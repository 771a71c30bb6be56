/**
 * Resolves the practice of a request from its host (`<name>.<base host>`, where the name is the
 * practice's slug or its custom subdomain) or the X-Tenant header (the slug only: API clients keep
 * one stable identifier, while a subdomain can be changed or removed by the practice).
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/catalogue.ts';
import type { TenantRegistry, ResolvedTenant } from '../../tenancy/tenant-registry.ts';

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** The practice name (slug or subdomain) in the Host header, if it is a subdomain of the base host. */
export function slugFromHost(host: string | undefined, baseHost: string): string | null {
  if (!host) return null;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const suffix = '.' + baseHost;
  if (!name.endsWith(suffix)) return null;
  const sub = name.slice(0, -suffix.length);
  return SLUG_RE.test(sub) ? sub : null;
}

function slugFromHeader(request: FastifyRequest): string | null {
  const raw = request.headers['x-tenant'];
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toLowerCase() : null;
}

interface Named {
  readonly fromHost: string | null;
  readonly fromHeader: string | null;
  /** The practice both name; null when neither names one that exists. */
  readonly tenant: ResolvedTenant | null;
}

/**
 * Looks up what the host and the header name. When both name a practice they must be the same one
 * (compared by id, since the host may use the subdomain and the header the slug): a request cannot
 * be steered to another practice by adding a header.
 */
async function lookUpNamed(request: FastifyRequest, registry: TenantRegistry, baseHost: string): Promise<Named> {
  const fromHost = slugFromHost(request.headers.host, baseHost);
  const fromHeader = slugFromHeader(request);
  const byHost = fromHost ? await registry.byName(fromHost) : null;
  const byHeader = fromHeader && fromHeader !== fromHost && SLUG_RE.test(fromHeader) ? await registry.bySlug(fromHeader) : null;
  // The same name twice is the host's answer; two names must both be known and one practice, and two
  // unknown names are simply unknown.
  if (fromHost && fromHeader && fromHost !== fromHeader && (byHost || byHeader) && byHost?.id !== byHeader?.id) {
    throw new AppError('tenant_mismatch');
  }
  return { fromHost, fromHeader, tenant: fromHost ? byHost : byHeader };
}

/**
 * The slug of the practice a request names, or null when it names none. A host using the custom
 * subdomain gives the practice's slug; an unknown name is returned as given (it matches no slug).
 */
export async function requestedSlug(request: FastifyRequest, registry: TenantRegistry, baseHost: string): Promise<string | null> {
  const named = await lookUpNamed(request, registry, baseHost);
  return named.tenant?.slug ?? named.fromHost ?? named.fromHeader;
}

/** Looks the named practice up; unknown → 404 `tenant_not_found`, suspended → 403 `tenant_suspended`. */
export async function resolveTenant(request: FastifyRequest, registry: TenantRegistry, baseHost: string): Promise<ResolvedTenant> {
  const named = await lookUpNamed(request, registry, baseHost);
  if (!named.fromHost && !named.fromHeader) throw new AppError('tenant_required');
  const tenant = named.tenant;
  if (!tenant) throw new AppError('tenant_not_found');
  if (tenant.status === 'suspended') throw new AppError('tenant_suspended');
  return tenant;
}
