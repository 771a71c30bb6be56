/**
 * Manage links: an online booking gets a link that shows the appointment and cancels it without a
 * login. The token (32 random bytes) is the credential and is stored only as its sha256. It works
 * until the appointment is over: the later of the end when it was issued and the end now (a visit
 * staff moved later keeps its link).
 */
import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from '../../db/uuid.ts';
import { AppError, notFound } from '../../errors/catalogue.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A fresh token; only its hash is ever stored. */
export function newManageToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The patient page of a manage token. */
export function manageUrl(publicUrl: string, slug: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/p/${slug}/appointments/${token}`;
}

/** Stores the link of `token` to the appointment, expiring at its end. */
export async function storeManageLink(tx: TenantTx, token: string, appointment: { id: string; end: string }): Promise<void> {
  await tx.query('insert into appointment_manage_links (tenant_id, id, appointment_id, token_hash, expires_at) values ($1, $2, $3, $4, $5)', [
    tx.tenantId,
    uuidv7(),
    appointment.id,
    hashToken(token),
    new Date(appointment.end).toISOString(),
  ]);
}

/**
 * The appointment behind `token`: 404 `not_found` for an unknown token (or another practice's), 410
 * `appointment_link_expired` once the appointment is over.
 */
export async function appointmentOfToken(tx: TenantTx, token: string, now: Date): Promise<string> {
  const res = await tx.query<{ appointment_id: string; expired: boolean }>(
    `select m.appointment_id, greatest(m.expires_at, a.ends_at) <= $3::timestamptz as expired
       from appointment_manage_links m join appointments a on a.tenant_id = m.tenant_id and a.id = m.appointment_id
      where m.tenant_id = $1 and m.token_hash = $2`,
    [tx.tenantId, hashToken(token), now.toISOString()],
  );
  const row = res.rows[0];
  if (!row) throw notFound('appointment link');
  if (row.expired) throw new AppError('appointment_link_expired', 'This appointment is over, so its link no longer works');
  return row.appointment_id;
}
