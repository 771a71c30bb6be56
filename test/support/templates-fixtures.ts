/** Message template rows written through the tenancy door, so "every table" tests cover templates. */
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';

/** Puts a saved template version and a revert marker in `message_templates` of a practice. */
export async function fillTemplatesTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    await tx.query(
      `insert into message_templates (tenant_id, id, kind, version, subject, body_html, body_text)
       values ($1, $2, 'appointment_reminder', 1, 'Reminder {{ appointment.date }}', '<p>{{ patient.firstName }}</p>', 'Hi {{ patient.firstName }}')`,
      [tx.tenantId, uuidv7()],
    );
    await tx.query(`insert into message_templates (tenant_id, id, kind, version, is_default) values ($1, $2, 'appointment_reminder', 2, true)`, [tx.tenantId, uuidv7()]);
  });
}
