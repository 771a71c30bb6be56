/**
 * Staff password reset. Asking is answered the same way whatever the email (no account
 * enumeration): the request only counts against the throttle and queues a job; the job looks the
 * person up and, when they are an active member of the named practice, emails a single-use link
 * rendered with that practice's `password_reset` template into its outbox. The token is 32 random
 * bytes, stored as its SHA-256 only, valid 30 minutes. Setting the password consumes it and signs
 * the person out everywhere (every refresh-token family is revoked).
 */
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Database, Tx } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError } from '../errors/catalogue.ts';
import { enqueueJob } from '../jobs/job-queue.ts';
import type { Job } from '../jobs/job-runner.ts';
import { asPlatform, withTenant, type TenantRef } from '../tenancy/tenant-db.ts';
import { tenantContext } from '../tenancy/tenant-context.ts';
import { recordAudit } from '../domain/audit/audit-log.ts';
import { queueTemplatedEmail } from '../domain/messaging/templated-email.ts';
import { hashPassword } from './password.ts';
import { countInWindow, throttleKeys } from './login-throttle.ts';

export const PASSWORD_RESET_JOB = 'auth.password_reset';
export const RESET_TOKEN_MINUTES = 30;
/** Per account (and practice) per window: further requests are accepted but send nothing. */
export const RESET_ACCOUNT_LIMIT = 3;
/** Per client address per window: further requests are refused with 429. */
export const RESET_ADDRESS_LIMIT = 20;
export const RESET_WINDOW_SECONDS = 15 * 60;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** One reset request counted in the shared windowed counters (under a `reset:` prefix). */
const countRequest = (tx: Tx, key: string) => countInWindow(tx, key, RESET_WINDOW_SECONDS);

/**
 * Accepts a reset request for `email` at the practice `tenant` (null: no such practice). Throws
 * only `rate_limited` (per address, never per account, so it reveals nothing of the account).
 */
export async function requestPasswordReset(db: Database, input: { tenant: TenantRef | null; email: string; ip: string }): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys('reset', `${input.tenant?.id ?? '-'}:${email}`, input.ip);
  // The count must commit even when the request is refused, so the verdict is judged after the transaction.
  const refusedFor = await asPlatform(db, async (tx) => {
    const address = await countRequest(tx, keys.address);
    if (address.count > RESET_ADDRESS_LIMIT) return address.wait;
    const account = await countRequest(tx, keys.account);
    if (input.tenant && account.count <= RESET_ACCOUNT_LIMIT) {
      // The payload carries the staff sign-in email (no PHI): the job, not the request, looks it up.
      await enqueueJob(tx, { tenantId: input.tenant.id, kind: PASSWORD_RESET_JOB, payload: { email }, runAt: new Date(), maxAttempts: 3 });
    }
    return 0;
  });
  if (refusedFor > 0) throw new AppError('rate_limited', `Too many password reset requests; retry in ${refusedFor} s`, { retryAfterSeconds: refusedFor });
}

interface Member {
  id: string;
  name: string;
  email: string;
}

/** The job: for an active member of an active practice, a fresh link (earlier unused ones are void) and the email. */
export function passwordResetHandler(deps: { db: Database; publicUrl: string }): (job: Job) => Promise<void> {
  return async (job) => {
    const tenant = job.tenant;
    if (!tenant) throw new Error('password reset without tenant');
    const email = String(job.payload.email);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(job.now.getTime() + RESET_TOKEN_MINUTES * 60_000);
    const member = await asPlatform(deps.db, async (tx) => {
      const res = await tx.query<Member>(
        `select u.id, u.name, u.email from users u
           join memberships m on m.user_id = u.id and m.tenant_id = $2 and m.status = 'active'
           join tenants t on t.id = m.tenant_id and t.status = 'active'
          where lower(u.email) = lower($1)`,
        [email, tenant.id],
      );
      const found = res.rows[0];
      if (!found) return undefined;
      await tx.query('delete from password_resets where user_id = $1 and used_at is null', [found.id]);
      await tx.query('insert into password_resets (id, user_id, tenant_id, token_hash, expires_at) values ($1, $2, $3, $4, $5)', [
        uuidv7(),
        found.id,
        tenant.id,
        hashToken(token),
        expiresAt.toISOString(),
      ]);
      return found;
    });
    if (!member) return;
    // The token travels in the fragment, which browsers never send to a server or in a Referer.
    const url = `${deps.publicUrl.replace(/\/$/, '')}/reset-password#token=${token}`;
    const ctx = tenantContext(deps.db, { tenant, actor: { kind: 'system', id: null } });
    await withTenant(deps.db, tenant, async (tx) => {
      await queueTemplatedEmail(tx, tenant, {
        kind: 'password_reset',
        to: member.email,
        messageKey: `password-reset:${hashToken(token)}`,
        variables: {
          user: { name: member.name, email: member.email },
          link: { url, expiresAt: DateTime.fromJSDate(expiresAt, { zone: 'utc' }).toFormat("d LLL yyyy 'at' HH:mm 'UTC'"), expiresInMinutes: RESET_TOKEN_MINUTES },
        },
        now: job.now,
      });
      await recordAudit(tx, ctx, { action: 'user.password_reset_requested', resourceType: 'user', resourceId: member.id });
    });
  };
}

interface ResetRow {
  id: string;
  user_id: string;
  tenant_id: string;
  slug: string;
  tier: TenantRef['tier'];
  schema_name: string;
  email: string;
  expired: boolean;
  used: boolean;
}

/**
 * Sets a new password with a reset token: the token is consumed (single use), every session of the
 * person is revoked, and their sign-in throttle is cleared. Unknown → `reset_token_invalid`, used →
 * `reset_token_used`, older than 30 minutes → `reset_token_expired`.
 */
export async function confirmPasswordReset(db: Database, input: { token: string; password: string }): Promise<void> {
  const tokenHash = hashToken(input.token);
  const find = (tx: Tx, lock: boolean) =>
    tx.query<ResetRow>(
      `select r.id, r.user_id, r.tenant_id, t.slug, t.tier, t.schema_name, u.email, r.expires_at <= now() as expired, r.used_at is not null as used
         from password_resets r join users u on u.id = r.user_id join tenants t on t.id = r.tenant_id
        where r.token_hash = $1${lock ? ' for update of r' : ''}`,
      [tokenHash],
    );
  const checked = (row: ResetRow | undefined): ResetRow => {
    if (!row) throw new AppError('reset_token_invalid');
    if (row.used) throw new AppError('reset_token_used');
    if (row.expired) throw new AppError('reset_token_expired', 'The password reset link has expired; ask for a new one');
    return row;
  };
  // The token is checked before the (deliberately slow) hashing, and again under lock after it.
  checked((await asPlatform(db, (tx) => find(tx, false))).rows[0]);
  const passwordHash = await hashPassword(input.password);
  const reset = await asPlatform(db, async (tx) => {
    const row = checked((await find(tx, true)).rows[0]);
    await tx.query('update password_resets set used_at = now() where id = $1', [row.id]);
    await tx.query('delete from password_resets where user_id = $1 and used_at is null', [row.user_id]);
    await tx.query('update users set password_hash = $2, updated_at = now() where id = $1', [row.user_id, passwordHash]);
    await tx.query(`update refresh_tokens set revoked_at = now() where audience = 'tenant' and subject_id = $1 and revoked_at is null`, [row.user_id]);
    await tx.query('delete from login_failures where key = $1', [throttleKeys('tenant', row.email, '').account]);
    return row;
  });
  // The practice the link came from records the change in its audit trail (no password, no token).
  const tenant: TenantRef = { id: reset.tenant_id, slug: reset.slug, tier: reset.tier, schema: reset.schema_name };
  const ctx = tenantContext(db, { tenant, actor: { kind: 'user', id: reset.user_id } });
  await withTenant(db, tenant, (tx) => recordAudit(tx, ctx, { action: 'user.password_reset', resourceType: 'user', resourceId: reset.user_id }));
}
