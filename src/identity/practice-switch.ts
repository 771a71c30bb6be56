/**
 * Switching practices: one HealthTrack identity can be staff of several practices (adding staff
 * links an existing identity). A signed-in person lists the practices where they are active staff
 * and trades their session for one in another of them, without typing the password again.
 *
 * Decision: the session being traded must still be good where it was issued (membership active,
 * practice not suspended), so disabling someone in practice A also stops A's tokens opening B.
 * A practice the person does not belong to answers exactly like one that does not exist.
 */
import type { Database } from '../db/database.ts';
import { asPlatform, withTenant } from '../tenancy/tenant-db.ts';
import { tenantContext } from '../tenancy/tenant-context.ts';
import { AppError, validationError } from '../errors/catalogue.ts';
import { recordAudit } from '../domain/audit/audit-log.ts';
import { signAccessToken, type TenantClaims } from './access-tokens.ts';
import { issueRefreshToken, spendSessionToken } from './refresh-tokens.ts';
import { currentRoles, type AuthDeps, type StaffSession } from './auth-service.ts';

export interface PracticeChoice {
  readonly slug: string;
  readonly name: string;
  /** The practice of the token that asked. */
  readonly current: boolean;
}

/** Refuses a token whose own membership or practice no longer stands. */
async function requireStandingSession(db: Database, claims: TenantClaims): Promise<void> {
  const res = await asPlatform(db, (tx) =>
    tx.query<{ status: string; member: string }>(
      'select t.status, m.status as member from tenants t join memberships m on m.tenant_id = t.id and m.user_id = $2 where t.id = $1',
      [claims.tid, claims.sub],
    ),
  );
  const row = res.rows[0];
  if (!row) throw new AppError('token_invalid');
  if (row.status === 'suspended') throw new AppError('tenant_suspended');
  if (row.member !== 'active') throw new AppError('membership_inactive');
}

/** The active practices where the token's person is active staff, by name. */
export async function listMyPractices(db: Database, claims: TenantClaims): Promise<PracticeChoice[]> {
  await requireStandingSession(db, claims);
  const res = await asPlatform(db, (tx) =>
    tx.query<{ id: string; slug: string; name: string }>(
      `select t.id, t.slug, t.name from memberships m join tenants t on t.id = m.tenant_id
        where m.user_id = $1 and m.status = 'active' and t.status = 'active'
        order by lower(t.name), t.slug`,
      [claims.sub],
    ),
  );
  return res.rows.map((r) => ({ slug: r.slug, name: r.name, current: r.id === claims.tid }));
}

/** A new session in the practice `slug` for the token's person; audited in that practice. */
export async function switchPractice(
  deps: AuthDeps,
  claims: TenantClaims,
  slug: string,
  currentRefreshToken: string,
  meta: { requestId: string; ip: string },
): Promise<StaffSession> {
  await requireStandingSession(deps.db, claims);
  const notYours = () => new AppError('tenant_not_found', `You are not staff of a practice named "${slug}"`);
  const tenant = await deps.tenants.bySlug(slug);
  if (!tenant) throw notYours();
  const user = await asPlatform(deps.db, async (tx) => {
    const res = await tx.query<{ id: string; email: string; name: string; member: string }>(
      'select u.id, u.email, u.name, m.status as member from users u join memberships m on m.user_id = u.id and m.tenant_id = $2 where u.id = $1',
      [claims.sub, tenant.id],
    );
    return res.rows[0];
  });
  if (!user) throw notYours();
  if (tenant.id === claims.tid) throw validationError([{ field: 'tenant', message: 'is the practice you are signed in to' }]);
  if (tenant.status === 'suspended') throw new AppError('tenant_suspended');
  if (user.member !== 'active') throw new AppError('membership_inactive');
  const roles = await currentRoles(deps.db, tenant, user.id);
  // The caller hands over a live refresh token of theirs in this practice (the web app sends its
  // session's), which is spent with its family: an access token alone (a stolen one, say) cannot
  // mint a fresh 30-day session, and the session being left ends with the switch.
  const refreshToken = await asPlatform(deps.db, async (tx) => {
    if (!(await spendSessionToken(tx, currentRefreshToken, { subjectId: claims.sub, tenantId: claims.tid }))) throw new AppError('refresh_token_invalid');
    return issueRefreshToken(tx, { audience: 'tenant', subjectId: user.id, tenantId: tenant.id }, deps.refreshTtl);
  });
  const accessToken = await signAccessToken(deps.keys, { aud: 'tenant', sub: user.id, tid: tenant.id, roles }, deps.accessTtl);
  const ctx = tenantContext(deps.db, { tenant, actor: { kind: 'user', id: user.id }, requestId: meta.requestId, ip: meta.ip });
  // The practice switched to records the sign-in; which practice they came from is not its business.
  await withTenant(deps.db, tenant, (tx) => recordAudit(tx, ctx, { action: 'user.practice_switch', resourceType: 'user', resourceId: user.id }));
  return {
    accessToken,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: deps.accessTtl,
    user: { id: user.id, email: user.email, name: user.name, roles },
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
  };
}
