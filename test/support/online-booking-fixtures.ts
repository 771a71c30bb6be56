/** Online booking rows written through the tenancy door, so "every table" tests cover its table. */
import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';

/** Puts a manage link on an appointment of the practice (it must already have one). */
export async function fillOnlineBookingTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    const appt = await tx.query<{ id: string; ends_at: Date }>('select id, ends_at from appointments where tenant_id = $1 order by id limit 1', [tx.tenantId]);
    if (!appt.rows[0]) throw new Error('fillOnlineBookingTables needs an appointment');
    await tx.query('insert into appointment_manage_links (tenant_id, id, appointment_id, token_hash, expires_at) values ($1, $2, $3, $4, $5)', [
      tx.tenantId,
      uuidv7(),
      appt.rows[0].id,
      createHash('sha256').update(randomBytes(32)).digest('base64url'),
      new Date(appt.rows[0].ends_at).toISOString(),
    ]);
  });
}
