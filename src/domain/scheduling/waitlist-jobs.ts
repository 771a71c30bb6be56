/** Job handlers for waitlist offers: deliver the offer email, and pass on offers that lapse. */
import type { Database } from '../../db/database.ts';
import { withTenant } from '../../tenancy/tenant-db.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import type { Job } from '../../jobs/job-runner.ts';
import type { Mailer } from '../../infra/mailer.ts';
import { deliverEmail } from '../messaging/outbox.ts';
import { checkBookable } from './availability.ts';
import { expireOffer, offerFreedSlot } from './waitlist-service.ts';
import { loadRules } from './appointment-repo.ts';

/** Delivers a queued message (at most once: see deliverEmail). */
export function emailDeliveryHandler(deps: { db: Database; mailer: Mailer; mailFrom: string }): (job: Job) => Promise<void> {
  return async (job) => {
    if (!job.tenant) throw new Error('email job without tenant');
    await deliverEmail(deps.db, job.tenant, deps.mailer, deps.mailFrom, String(job.payload.messageId));
  };
}

/**
 * Lapses an unanswered offer and offers the slot, if still bookable, to the next match. With
 * `offersEnabled` false (the practice's plan lost the waitlist) the offer still lapses, but the
 * slot is offered to nobody.
 */
export function waitlistExpiryHandler(deps: { db: Database; publicUrl: string; offersEnabled?: (tenantSlug: string) => Promise<boolean> }): (job: Job) => Promise<void> {
  return async (job) => {
    const tenant = job.tenant;
    if (!tenant) throw new Error('waitlist job without tenant');
    const ctx = tenantContext(deps.db, { tenant, actor: { kind: 'system', id: null } });
    const now = job.now;
    await withTenant(deps.db, tenant, (tx) =>
      expireOffer(
        tx,
        ctx,
        { entryId: String(job.payload.entryId), ...(job.payload.declined ? { declined: String(job.payload.declined) } : {}) },
        {
          publicUrl: deps.publicUrl,
          tenantSlug: tenant.slug,
          now,
          isStillFree: async (slot) =>
            (deps.offersEnabled === undefined || (await deps.offersEnabled(tenant.slug))) &&
            (await checkBookable(tx, { typeId: slot.typeId, providerId: slot.providerId, locationId: slot.locationId, start: slot.start.toISOString(), now })).ok,
        },
      ),
    );
  };
}

/** Offers a slot freed by a cancellation or a move to the first waiting match, if it is still bookable. */
export function waitlistOfferHandler(deps: { db: Database; publicUrl: string }): (job: Job) => Promise<void> {
  return async (job) => {
    const tenant = job.tenant;
    if (!tenant) throw new Error('waitlist job without tenant');
    const ctx = tenantContext(deps.db, { tenant, actor: { kind: 'system', id: null } });
    const p = job.payload;
    const slot = { typeId: String(p.typeId), providerId: String(p.providerId), locationId: String(p.locationId), start: new Date(String(p.start)), releasedBy: String(p.releasedBy) };
    await withTenant(deps.db, tenant, async (tx) => {
      const free = await checkBookable(tx, { typeId: slot.typeId, providerId: slot.providerId, locationId: slot.locationId, start: slot.start.toISOString(), now: job.now });
      if (!free.ok) return;
      await offerFreedSlot(tx, ctx, slot, { publicUrl: deps.publicUrl, tenantSlug: tenant.slug, now: job.now, offerMinutes: (await loadRules(tx, slot.typeId)).waitlistOfferMinutes });
    });
  };
}
