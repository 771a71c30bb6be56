/**
 * Opaque refresh tokens: random, stored only as a SHA-256 hash, single use. Using one rotates it;
 * presenting an already-used one means it was stolen or replayed, so the whole family is revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';
import type { Audience } from './access-tokens.ts';

export interface RefreshSubject {
  readonly audience: Audience;
  readonly subjectId: string;
  readonly tenantId: string | null;
}

export type RotateResult =
  | { readonly kind: 'rotated'; readonly token: string; readonly subject: RefreshSubject }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'reused' };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Issues a refresh token (a new family unless `familyId` continues one). Runs in a platform tx. */
export async function issueRefreshToken(tx: Tx, subject: RefreshSubject, ttlSeconds: number, familyId: string = uuidv7()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.query(
    `insert into refresh_tokens (id, family_id, audience, subject_id, tenant_id, token_hash, expires_at)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [uuidv7(), familyId, subject.audience, subject.subjectId, subject.tenantId, hashToken(token), ttlSeconds],
  );
  return token;
}

interface TokenRow {
  id: string;
  family_id: string;
  audience: Audience;
  subject_id: string;
  tenant_id: string | null;
  expired: boolean;
  used: boolean;
  revoked: boolean;
}

/** The row of `token`, locked for the rest of the transaction (undefined when unknown). */
async function lockToken(tx: Tx, token: string): Promise<TokenRow | undefined> {
  const found = await tx.query<TokenRow>(
    `select id, family_id, audience, subject_id, tenant_id, expires_at < now() as expired,
            used_at is not null as used, revoked_at is not null as revoked
       from refresh_tokens where token_hash = $1 for update`,
    [hashToken(token)],
  );
  return found.rows[0];
}

/** Spends a refresh token and issues its successor in the same family. */
export async function rotateRefreshToken(tx: Tx, token: string, audience: Audience, ttlSeconds: number): Promise<RotateResult> {
  const row = await lockToken(tx, token);
  if (!row || row.audience !== audience || row.expired || row.revoked) return { kind: 'invalid' };
  if (row.used) {
    await revokeFamily(tx, row.family_id);
    return { kind: 'reused' };
  }
  await tx.query('update refresh_tokens set used_at = now() where id = $1', [row.id]);
  const subject: RefreshSubject = { audience: row.audience, subjectId: row.subject_id, tenantId: row.tenant_id };
  return { kind: 'rotated', token: await issueRefreshToken(tx, subject, ttlSeconds, row.family_id), subject };
}

/** Revokes every token of a family (logout, or detected reuse). */
export async function revokeFamily(tx: Tx, familyId: string): Promise<void> {
  await tx.query('update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null', [familyId]);
}

/** Logout: revokes the family of the presented token; unknown tokens are ignored. */
export async function revokeByToken(tx: Tx, token: string): Promise<boolean> {
  const res = await tx.query<{ family_id: string }>('select family_id from refresh_tokens where token_hash = $1', [hashToken(token)]);
  const row = res.rows[0];
  if (!row) return false;
  await revokeFamily(tx, row.family_id);
  return true;
}

/**
 * Spends the refresh token of the session being left (a practice switch): it must be live and
 * belong to `subjectId` in `tenantId`; its whole family is revoked, so the old session ends with
 * the switch. Answers false (nothing changed) for anything else.
 */
export async function spendSessionToken(tx: Tx, token: string, expect: { subjectId: string; tenantId: string }): Promise<boolean> {
  const row = await lockToken(tx, token);
  if (!row || row.audience !== 'tenant' || row.expired || row.used || row.revoked) return false;
  if (row.subject_id !== expect.subjectId || row.tenant_id !== expect.tenantId) return false;
  await revokeFamily(tx, row.family_id);
  return true;
}
