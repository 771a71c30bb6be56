/**
 * What a patient can book online at a practice: the active appointment types the practice switched
 * on for online booking (`onlineBooking`), where and with whom, and their free slots on one day.
 * Only names and times leave this file; no patient data is read.
 */
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors/catalogue.ts';
import { tenantContext } from '../../tenancy/tenant-context.ts';
import { withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import { searchSlots } from '../scheduling/availability.ts';
import { formatAddress } from '../templates/practice-variables.ts';
import type { BookingOptions, PublicSlotList, PublicSlotQuery } from './booking-schemas.ts';

interface TypeRow {
  id: string;
  name: string;
  duration_minutes: number;
  provider_ids: string[];
  location_ids: string[];
}

/**
 * The online types with the providers who offer them and the locations where those providers work
 * (a type is bookable at a location when one of its providers has weekly hours there).
 */
async function onlineTypes(tx: TenantTx, typeId?: string): Promise<TypeRow[]> {
  const res = await tx.query<TypeRow>(
    `select t.id, t.name, t.duration_minutes,
            array(select tp.provider_id::text from appointment_type_providers tp join providers p on p.tenant_id = tp.tenant_id and p.id = tp.provider_id
                   where tp.tenant_id = t.tenant_id and tp.type_id = t.id and p.active order by tp.provider_id) as provider_ids,
            array(select distinct h.location_id::text from provider_hours h
                    join appointment_type_providers tp on tp.tenant_id = h.tenant_id and tp.provider_id = h.provider_id and tp.type_id = t.id
                    join locations l on l.tenant_id = h.tenant_id and l.id = h.location_id and l.active
                   where h.tenant_id = t.tenant_id) as location_ids
       from appointment_types t
      where t.tenant_id = $1 and t.active and t.online_booking and ($2::uuid is null or t.id = $2::uuid)
      order by lower(t.name), t.id`,
    [tx.tenantId, typeId ?? null],
  );
  return res.rows.map((r) => ({ ...r, location_ids: [...r.location_ids].sort() }));
}

/** The practice's online booking menu (empty lists when it offers nothing online). */
export async function bookingOptions(db: Database, tenant: TenantRef & { name: string }): Promise<BookingOptions> {
  return withTenant(db, tenant, async (tx) => {
    const types = (await onlineTypes(tx)).filter((t) => t.provider_ids.length > 0 && t.location_ids.length > 0);
    const locationIds = [...new Set(types.flatMap((t) => t.location_ids))];
    const providerIds = [...new Set(types.flatMap((t) => t.provider_ids))];
    const locations = await tx.query<{ id: string; name: string; time_zone: string; address: Record<string, unknown> | null }>(
      'select id, name, time_zone, address from locations where tenant_id = $1 and id = any($2::uuid[]) order by lower(name), id',
      [tx.tenantId, locationIds],
    );
    const providers = await tx.query<{ id: string; display_name: string }>(
      'select id, display_name from providers where tenant_id = $1 and id = any($2::uuid[]) order by lower(display_name), id',
      [tx.tenantId, providerIds],
    );
    return {
      practice: tenant.name,
      types: types.map((t) => ({ id: t.id, name: t.name, durationMinutes: t.duration_minutes, locationIds: t.location_ids, providerIds: t.provider_ids })),
      locations: locations.rows.map((l) => ({ id: l.id, name: l.name, timeZone: l.time_zone, address: formatAddress(l.address) })),
      providers: providers.rows.map((p) => ({ id: p.id, name: p.display_name })),
    };
  });
}

/** The online type `typeId`, or 404 as for an unknown one (types not offered online are not revealed). */
export async function requireOnlineType(tx: TenantTx, typeId: string): Promise<TypeRow> {
  const type = (await onlineTypes(tx, typeId))[0];
  if (!type) throw notFound('appointment type');
  return type;
}

/**
 * Free slots of an online type on one local date, through the staff slot search (the same rules:
 * hours, bookings, buffers, resources, minimum notice, horizon), over one location or all of the type's.
 */
export async function publicSlots(db: Database, tenant: TenantRef, q: PublicSlotQuery, now: Date = new Date()): Promise<PublicSlotList> {
  const type = await withTenant(db, tenant, (tx) => requireOnlineType(tx, q.typeId));
  if (q.locationId !== undefined && !type.location_ids.includes(q.locationId.toLowerCase())) throw notFound('location');
  if (q.providerId !== undefined && !type.provider_ids.includes(q.providerId.toLowerCase())) throw notFound('provider');
  const ctx = tenantContext(db, { tenant, actor: { kind: 'patient', id: null } });
  const locations = q.locationId ? [q.locationId.toLowerCase()] : type.location_ids;
  const items: PublicSlotList['items'] = [];
  for (const locationId of locations) {
    const found = await searchSlots(ctx, { typeId: type.id, locationId, from: q.date, to: q.date, ...(q.providerId ? { providerId: q.providerId } : {}) }, now);
    for (const s of found.items) {
      if (type.provider_ids.includes(s.providerId)) items.push({ start: s.start, end: s.end, providerId: s.providerId, locationId: s.locationId, timeZone: found.timeZone });
    }
  }
  items.sort((a, b) => new Date(a.start).getTime() - new Date(b.start).getTime() || a.providerId.localeCompare(b.providerId));
  return { date: q.date, items };
}
