/** Resolves the practice of a request from its subdomain (`<slug>.<base host>`) or X-Tenant header. */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/catalogue.ts';
import type { TenantRegistry, TenantRecord } from '../../tenancy/tenant-registry.ts';

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** The slug named by the Host header, if it is a subdomain of the base host. */
export function slugFromHost(host: string | undefined, baseHost: string): string | null {
  if (!host) return null;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const suffix = '.' + baseHost;
  if (!name.endsWith(suffix)) return null;
  const sub = name.slice(0, -suffix.length);
  return SLUG_RE.test(sub) ? sub : null;
}

/**
 * The slug a request names, or null. When both the subdomain and the header name a practice they
 * must agree: a request cannot be steered to another practice by adding a header.
 */
export function requestedSlug(request: FastifyRequest, baseHost: string): string | null {
  const fromHost = slugFromHost(request.headers.host, baseHost);
  const raw = request.headers['x-tenant'];
  const fromHeader = typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toLowerCase() : null;
  if (fromHost && fromHeader && fromHost !== fromHeader) throw new AppError('tenant_mismatch');
  return fromHost ?? fromHeader;
}

/** Looks the named practice up; unknown → 404 `tenant_not_found`, suspended → 403 `tenant_suspended`. */
export async function resolveTenant(request: FastifyRequest, registry: TenantRegistry, baseHost: string): Promise<TenantRecord> {
  const slug = requestedSlug(request, baseHost);
  if (!slug) throw new AppError('tenant_required');
  const tenant = SLUG_RE.test(slug) ? await registry.bySlug(slug) : null;
  if (!tenant) throw new AppError('tenant_not_found');
  if (tenant.status === 'suspended') throw new AppError('tenant_suspended');
  return tenant;
}
