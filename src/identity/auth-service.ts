/** Sign-in, token refresh and sign-out for practice staff and for platform operators. */
import type { Database } from '../db/database.ts';
import { asPlatform, withTenant } from '../tenancy/tenant-db.ts';
import type { TenantRegistry } from '../tenancy/tenant-registry.ts';
import { AppError } from '../errors/catalogue.ts';
import { signAccessToken, type Audience } from './access-tokens.ts';
import type { KeyStore } from './signing-keys.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';
import { issueRefreshToken, revokeByToken, rotateRefreshToken } from './refresh-tokens.ts';
import { clearAccount, recordFailure, retryAfter, throttleKeys } from './login-throttle.ts';
import type { TenantRef } from '../tenancy/tenant-db.ts';

export interface AuthDeps {
  readonly db: Database;
  readonly keys: KeyStore;
  readonly tenants: TenantRegistry;
  readonly accessTtl: number;
  readonly refreshTtl: number;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

export interface StaffSession extends TokenPair {
  readonly user: { readonly id: string; readonly email: string; readonly name: string; readonly roles: string[] };
  readonly tenant: { readonly id: string; readonly slug: string; readonly name: string };
}

interface Credentials {
  readonly email: string;
  readonly password: string;
  readonly ip: string;
}

/** Checks the throttle, verifies the password in constant time, and counts failures. */
async function checkPassword(deps: AuthDeps, scope: Audience, creds: Credentials, stored: string | undefined): Promise<void> {
  const keys = throttleKeys(scope, creds.email, creds.ip);
  const wait = await asPlatform(deps.db, (tx) => retryAfter(tx, keys));
  if (wait > 0) throw new AppError('login_throttled', `Too many failed attempts; retry in ${wait} s`, { retryAfterSeconds: wait });
  const ok = await verifyPassword(creds.password, stored ?? (await dummyPasswordHash()));
  if (!ok || stored === undefined) {
    await asPlatform(deps.db, (tx) => recordFailure(tx, keys));
    throw new AppError('invalid_credentials');
  }
  await asPlatform(deps.db, (tx) => clearAccount(tx, keys.account));
}

/** The staff member's current role keys, read from the tenant's own data. */
export async function currentRoles(db: Database, tenant: TenantRef, userId: string): Promise<string[]> {
  const res = await withTenant(db, tenant, (tx) =>
    tx.query<{ key: string }>(
      `select r.key from member_roles mr join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id
         join staff_members s on s.tenant_id = mr.tenant_id and s.user_id = mr.user_id and s.status = 'active'
        where mr.tenant_id = $1 and mr.user_id = $2 order by r.key`,
      [tx.tenantId, userId],
    ),
  );
  return res.rows.map((r) => r.key);
}

/** Signs a staff member in to one practice, named by slug. */
export async function loginStaff(deps: AuthDeps, input: Credentials & { readonly tenant: string }): Promise<StaffSession> {
  const tenant = await deps.tenants.bySlug(input.tenant);
  const user = await asPlatform(deps.db, async (tx) => {
    const res = await tx.query<{ id: string; email: string; name: string; password_hash: string; member: string | null }>(
      `select u.id, u.email, u.name, u.password_hash, m.status as member
         from users u left join memberships m on m.user_id = u.id and m.tenant_id = $2
        where lower(u.email) = lower($1)`,
      [input.email.trim(), tenant?.id ?? null],
    );
    return res.rows[0];
  });
  // Unknown practice, unknown user and non-member all fail the same way, after the same work.
  const stored = tenant && user && user.member !== null ? user.password_hash : undefined;
  await checkPassword(deps, 'tenant', input, stored);
  if (!tenant || !user) throw new AppError('invalid_credentials');
  if (tenant.status === 'suspended') throw new AppError('tenant_suspended');
  if (user.member !== 'active') throw new AppError('membership_inactive');
  const roles = await currentRoles(deps.db, tenant, user.id);
  const pair = await issueStaffTokens(deps, tenant.id, user.id, roles);
  return {
    ...pair,
    user: { id: user.id, email: user.email, name: user.name, roles },
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
  };
}

async function issueStaffTokens(deps: AuthDeps, tenantId: string, userId: string, roles: string[], refreshToken?: string): Promise<TokenPair> {
  const accessToken = await signAccessToken(deps.keys, { aud: 'tenant', sub: userId, tid: tenantId, roles }, deps.accessTtl);
  const refresh =
    refreshToken ??
    (await asPlatform(deps.db, (tx) =>
      issueRefreshToken(tx, { audience: 'tenant', subjectId: userId, tenantId }, deps.refreshTtl),
    ));
  return { accessToken, refreshToken: refresh, tokenType: 'Bearer', expiresIn: deps.accessTtl };
}

/** Spends a refresh token; the membership and tenant are re-checked so revocations bite at once. */
export async function refreshSession(deps: AuthDeps, token: string, audience: Audience): Promise<TokenPair> {
  // The reuse revocation must commit, so the outcome is returned from the transaction, then judged.
  const result = await asPlatform(deps.db, (tx) => rotateRefreshToken(tx, token, audience, deps.refreshTtl));
  if (result.kind === 'reused') throw new AppError('refresh_token_reused');
  if (result.kind === 'invalid') throw new AppError('refresh_token_invalid');
  const { subject } = result;
  if (audience === 'platform') {
    const accessToken = await signAccessToken(deps.keys, { aud: 'platform', sub: subject.subjectId }, deps.accessTtl);
    return { accessToken, refreshToken: result.token, tokenType: 'Bearer', expiresIn: deps.accessTtl };
  }
  const state = await asPlatform(deps.db, async (tx) => {
    const res = await tx.query<{ slug: string; status: string; member: string | null }>(
      `select t.slug, t.status, m.status as member from tenants t
         left join memberships m on m.tenant_id = t.id and m.user_id = $2 where t.id = $1`,
      [subject.tenantId, subject.subjectId],
    );
    return res.rows[0];
  });
  if (!state || state.member === null) throw new AppError('refresh_token_invalid');
  if (state.status === 'suspended') throw new AppError('tenant_suspended');
  if (state.member !== 'active') throw new AppError('membership_inactive');
  const tenant = await deps.tenants.bySlug(state.slug);
  if (!tenant) throw new AppError('refresh_token_invalid');
  const roles = await currentRoles(deps.db, tenant, subject.subjectId);
  return issueStaffTokens(deps, tenant.id, subject.subjectId, roles, result.token);
}

/** Revokes the session (token family) a refresh token belongs to. */
export async function logout(deps: AuthDeps, token: string): Promise<void> {
  await asPlatform(deps.db, (tx) => revokeByToken(tx, token));
}

export interface OperatorSession extends TokenPair {
  readonly operator: { readonly id: string; readonly email: string; readonly name: string };
}

/** Signs a platform operator in (audience `platform`: refused by every tenant route). */
export async function loginOperator(deps: AuthDeps, input: Credentials): Promise<OperatorSession> {
  const op = await asPlatform(deps.db, async (tx) => {
    const res = await tx.query<{ id: string; email: string; name: string; password_hash: string }>(
      'select id, email, name, password_hash from operators where lower(email) = lower($1)',
      [input.email.trim()],
    );
    return res.rows[0];
  });
  await checkPassword(deps, 'platform', input, op?.password_hash);
  if (!op) throw new AppError('invalid_credentials');
  const accessToken = await signAccessToken(deps.keys, { aud: 'platform', sub: op.id }, deps.accessTtl);
  const refreshToken = await asPlatform(deps.db, (tx) =>
    issueRefreshToken(tx, { audience: 'platform', subjectId: op.id, tenantId: null }, deps.refreshTtl),
  );
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: deps.accessTtl, operator: { id: op.id, email: op.email, name: op.name } };
}
