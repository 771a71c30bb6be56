/**
 * Waitlist: patients wait for a type (optionally a provider and location) within a date window.
 * When an appointment is cancelled, the freed slot is offered to the first matching entry by email,
 * with a link that books it without a staff login and expires; an unanswered offer passes on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { AppError, notFound, validationError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { enqueueJob } from '../../jobs/job-queue.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';
import { appointmentVariables } from './appointment-message.ts';

export const WAITLIST_EXPIRE_JOB = 'waitlist.expire';
export const WAITLIST_OFFER_JOB = 'waitlist.offer';
export { EMAIL_DELIVER_JOB } from '../messaging/outbox.ts';
export const DEFAULT_OFFER_MINUTES = 120;

export interface WaitlistEntry {
  readonly id: string;
  readonly patientId: string;
  readonly typeId: string;
  readonly providerId: string | null;
  readonly locationId: string | null;
  readonly earliest: string;
  readonly latest: string;
  readonly status: 'waiting' | 'offered' | 'booked' | 'expired' | 'cancelled';
  readonly offer: { readonly start: string; readonly providerId: string; readonly locationId: string; readonly expiresAt: string } | null;
  readonly createdAt: string;
}

interface Row {
  id: string;
  patient_id: string;
  type_id: string;
  provider_id: string | null;
  location_id: string | null;
  earliest: string;
  latest: string;
  status: WaitlistEntry['status'];
  offered_slot: { start: string; providerId: string; locationId: string } | null;
  offer_expires_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, patient_id, type_id, provider_id, location_id, earliest::text as earliest, latest::text as latest, status,
  offered_slot, offer_expires_at, created_at`;

function toEntry(r: Row): WaitlistEntry {
  return {
    id: r.id,
    patientId: r.patient_id,
    typeId: r.type_id,
    providerId: r.provider_id,
    locationId: r.location_id,
    earliest: r.earliest,
    latest: r.latest,
    status: r.status,
    offer: r.offered_slot && r.offer_expires_at ? { ...r.offered_slot, expiresAt: new Date(r.offer_expires_at).toISOString() } : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export interface WaitlistAdd {
  readonly patientId: string;
  readonly typeId: string;
  readonly providerId?: string | undefined;
  readonly locationId?: string | undefined;
  readonly earliest: string;
  readonly latest: string;
}

/** Puts a patient on the waitlist; every referenced id must belong to this practice (else 404). */
export async function addToWaitlist(ctx: TenantContext, input: WaitlistAdd): Promise<WaitlistEntry> {
  if (input.latest < input.earliest) throw validationError([{ field: 'latest', message: 'must be on or after earliest' }]);
  return ctx.tx(async (tx) => {
    const refs = await tx.query<{ patient: boolean; type: boolean; provider: boolean; location: boolean }>(
      `select exists (select 1 from patients where tenant_id = $1 and id = $2 and status = 'active') as patient,
              exists (select 1 from appointment_types where tenant_id = $1 and id = $3) as type,
              ($4::uuid is null or exists (select 1 from providers where tenant_id = $1 and id = $4)) as provider,
              ($5::uuid is null or exists (select 1 from locations where tenant_id = $1 and id = $5)) as location`,
      [tx.tenantId, input.patientId, input.typeId, input.providerId ?? null, input.locationId ?? null],
    );
    const found = refs.rows[0]!;
    if (!found.patient) throw notFound('patient');
    if (!found.type) throw notFound('appointment type');
    if (!found.provider) throw notFound('provider');
    if (!found.location) throw notFound('location');
    const res = await tx.query<Row>(
      `insert into waitlist_entries (tenant_id, id, patient_id, type_id, provider_id, location_id, earliest, latest)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
      [tx.tenantId, uuidv7(), input.patientId, input.typeId, input.providerId ?? null, input.locationId ?? null, input.earliest, input.latest],
    );
    await recordAudit(tx, ctx, { action: 'waitlist.add', resourceType: 'waitlist_entry', resourceId: res.rows[0]!.id, details: { patientId: input.patientId } });
    return toEntry(res.rows[0]!);
  });
}

/** Lists entries, oldest first (the order offers follow). */
export async function listWaitlist(ctx: TenantContext, status?: WaitlistEntry['status']): Promise<WaitlistEntry[]> {
  const res = await ctx.tx((tx) =>
    tx.query<Row>(
      `select ${COLUMNS} from waitlist_entries where tenant_id = $1 and ($2::text is null or status = $2) order by created_at, id limit 500`,
      [tx.tenantId, status ?? null],
    ),
  );
  return res.rows.map(toEntry);
}

/** Takes a patient off the waitlist. */
export async function cancelWaitlistEntry(ctx: TenantContext, id: string): Promise<WaitlistEntry> {
  if (!isUuid(id)) throw notFound('waitlist entry');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `update waitlist_entries set status = 'cancelled', offer_token_hash = null
        where tenant_id = $1 and id = $2 and status in ('waiting', 'offered') returning ${COLUMNS}`,
      [tx.tenantId, id],
    );
    if (!res.rows[0]) {
      const exists = await tx.query('select 1 from waitlist_entries where tenant_id = $1 and id = $2', [tx.tenantId, id]);
      if (exists.rowCount === 0) throw notFound('waitlist entry');
      throw new AppError('invalid_transition', 'Only waiting or offered entries can be cancelled');
    }
    await recordAudit(tx, ctx, { action: 'waitlist.cancel', resourceType: 'waitlist_entry', resourceId: id });
    return toEntry(res.rows[0]);
  });
}

export interface FreedSlot {
  readonly typeId: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly start: Date;
  /** The patient who just gave the slot up is not offered it back. */
  readonly releasedBy: string;
}

export interface OfferDeps {
  /** Public base URL of the patient-facing pages, e.g. https://app.example.com */
  readonly publicUrl: string;
  readonly tenantSlug: string;
  readonly offerMinutes?: number;
  readonly now?: Date;
}

interface OfferMatchRow {
  id: string;
  email: string | null;
  first_name: string;
  last_name: string;
  type_name: string;
  time_zone: string;
  location_name: string;
  address: Record<string, unknown> | null;
  provider_name: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Offers a freed slot to the first waiting match, inside the cancelling transaction (so an offer
 * exists iff the cancellation committed). Returns the entry offered, if any.
 */
export async function offerFreedSlot(tx: TenantTx, ctx: TenantContext, slot: FreedSlot, deps: OfferDeps): Promise<string | null> {
  const now = deps.now ?? new Date();
  if (slot.start.getTime() <= now.getTime()) return null;
  const match = await tx.query<OfferMatchRow>(
    `select w.id, p.email, p.first_name, p.last_name, t.name as type_name, l.time_zone, l.name as location_name, l.address,
            pr.display_name as provider_name
       from waitlist_entries w
       join patients p on p.tenant_id = w.tenant_id and p.id = w.patient_id
       join appointment_types t on t.tenant_id = w.tenant_id and t.id = w.type_id
       join locations l on l.tenant_id = w.tenant_id and l.id = $5
       join providers pr on pr.tenant_id = w.tenant_id and pr.id = $3
      where w.tenant_id = $1 and w.status = 'waiting' and w.type_id = $2
        and (w.provider_id is null or w.provider_id = $3) and (w.location_id is null or w.location_id = $5)
        and w.patient_id <> $6
        and (timezone(l.time_zone, $4::timestamptz))::date between w.earliest and w.latest
      order by w.created_at, w.id
      limit 1
      for update of w skip locked`,
    [tx.tenantId, slot.typeId, slot.providerId, slot.start.toISOString(), slot.locationId, slot.releasedBy],
  );
  const entry = match.rows[0];
  if (!entry) return null;
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + (deps.offerMinutes ?? DEFAULT_OFFER_MINUTES) * 60_000);
  await tx.query(
    `update waitlist_entries set status = 'offered', offer_token_hash = $3, offer_expires_at = $4, offered_slot = $5 where tenant_id = $1 and id = $2`,
    [tx.tenantId, entry.id, hashToken(token), expiresAt.toISOString(), JSON.stringify({ start: slot.start.toISOString(), providerId: slot.providerId, locationId: slot.locationId })],
  );
  await enqueueJob(tx, { tenantId: tx.tenantId, kind: WAITLIST_EXPIRE_JOB, payload: { entryId: entry.id }, runAt: expiresAt, dedupeKey: `waitlist-expire:${tx.tenantId}:${entry.id}:${expiresAt.getTime()}` });
  if (entry.email) {
    // The web app's offer page, which answers through GET/POST /waitlist/offers/{slug}/{token}.
    const link = `${deps.publicUrl.replace(/\/$/, '')}/p/${deps.tenantSlug}/waitlist/${token}`;
    await queueTemplatedEmail(tx, ctx.tenant, {
      kind: 'waitlist_offer',
      messageKey: `waitlist-offer:${entry.id}:${slot.start.toISOString()}`,
      to: entry.email,
      variables: {
        patient: { firstName: entry.first_name, lastName: entry.last_name },
        appointment: appointmentVariables({ start: slot.start, timeZone: entry.time_zone, type: entry.type_name, provider: entry.provider_name, location: entry.location_name, address: entry.address }),
        offer: { url: link, expiresAt: DateTime.fromJSDate(expiresAt, { zone: entry.time_zone }).toFormat("d LLL 'at' HH:mm") },
      },
      now,
    });
  }
  await recordAudit(tx, ctx, { action: 'waitlist.offer', resourceType: 'waitlist_entry', resourceId: entry.id, details: { expiresAt: expiresAt.toISOString() } });
  return entry.id;
}

export interface OfferView {
  readonly entryId: string;
  readonly status: WaitlistEntry['status'];
  readonly start: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly typeId: string;
  readonly patientId: string;
  readonly expiresAt: string;
  readonly expired: boolean;
}

/** Finds the offer behind a link (the token is the credential); 404 for anything unknown. */
export async function findOffer(tx: TenantTx, token: string, now: Date = new Date()): Promise<OfferView> {
  const res = await tx.query<Row>(`select ${COLUMNS} from waitlist_entries where tenant_id = $1 and offer_token_hash = $2 for update`, [
    tx.tenantId,
    hashToken(token),
  ]);
  const r = res.rows[0];
  if (!r || !r.offered_slot || !r.offer_expires_at) throw notFound('offer');
  return {
    entryId: r.id,
    status: r.status,
    start: r.offered_slot.start,
    providerId: r.offered_slot.providerId,
    locationId: r.offered_slot.locationId,
    typeId: r.type_id,
    patientId: r.patient_id,
    expiresAt: new Date(r.offer_expires_at).toISOString(),
    expired: new Date(r.offer_expires_at).getTime() <= now.getTime(),
  };
}

/** Marks an accepted offer as booked. */
export async function markOfferBooked(tx: TenantTx, entryId: string): Promise<void> {
  await tx.query(`update waitlist_entries set status = 'booked', offer_token_hash = null where tenant_id = $1 and id = $2`, [tx.tenantId, entryId]);
}

/**
 * The expiry job: an offer nobody took lapses (the entry goes back to waiting) and the slot, if
 * still free, is offered to the next match, never again to those who let it lapse.
 */
export async function expireOffer(
  tx: TenantTx,
  ctx: TenantContext,
  payload: { entryId: string; declined?: string },
  deps: OfferDeps & { isStillFree: (slot: FreedSlot & { patientId: string }) => Promise<boolean> },
): Promise<string | null> {
  const now = deps.now ?? new Date();
  const res = await tx.query<Row>(`select ${COLUMNS} from waitlist_entries where tenant_id = $1 and id = $2 for update`, [tx.tenantId, payload.entryId]);
  const r = res.rows[0];
  if (!r || r.status !== 'offered' || !r.offered_slot || !r.offer_expires_at || new Date(r.offer_expires_at).getTime() > now.getTime()) return null;
  await tx.query(`update waitlist_entries set status = 'waiting', offer_token_hash = null, offer_expires_at = null, offered_slot = null where tenant_id = $1 and id = $2`, [
    tx.tenantId,
    r.id,
  ]);
  await recordAudit(tx, ctx, { action: 'waitlist.offer_expired', resourceType: 'waitlist_entry', resourceId: r.id });
  const declined = new Set([...(payload.declined ?? '').split(',').filter(Boolean), r.id]);
  const slot: FreedSlot = { typeId: r.type_id, providerId: r.offered_slot.providerId, locationId: r.offered_slot.locationId, start: new Date(r.offered_slot.start), releasedBy: r.patient_id };
  // Those who let it lapse wait out this slot: park them while the next offer is made.
  await tx.query(`update waitlist_entries set status = 'expired' where tenant_id = $1 and id = any($2::uuid[])`, [tx.tenantId, [...declined]]);
  let next: string | null = null;
  if (await deps.isStillFree({ ...slot, patientId: r.patient_id })) next = await offerFreedSlot(tx, ctx, slot, deps);
  await tx.query(`update waitlist_entries set status = 'waiting' where tenant_id = $1 and id = any($2::uuid[])`, [tx.tenantId, [...declined]]);
  if (next) {
    // Carry the list of those who declined this slot to the next expiry.
    await tx.query(
      `update platform.jobs set payload = payload || jsonb_build_object('declined', $2::text)
        where tenant_id = $1 and kind = $3 and payload->>'entryId' = $4 and status = 'queued'`,
      [tx.tenantId, [...declined].join(','), WAITLIST_EXPIRE_JOB, next],
    );
  }
  return next;
}
