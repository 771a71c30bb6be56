/** Intake form rows written through the tenancy door, so "every table" tests cover the forms tables. */
import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';

/** Puts at least one row in every forms table of a practice (it must already have a patient). */
export async function fillFormTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    const patient = await tx.query<{ id: string }>('select id from patients where tenant_id = $1 order by id limit 1', [tx.tenantId]);
    if (!patient.rows[0]) throw new Error('fillFormTables needs a patient');
    const patientId = patient.rows[0].id;
    const formId = uuidv7();
    const linkId = uuidv7();
    const definition = { title: 'Fixture', sections: [{ id: 's', title: 'S', fields: [{ id: 'ok', type: 'yes_no', label: 'OK?' }] }] };
    await tx.query(`insert into forms (tenant_id, id, key, title, current_version) values ($1, $2, 'fixture', 'Fixture', 1)`, [tx.tenantId, formId]);
    await tx.query(`insert into form_versions (tenant_id, id, form_id, version, definition) values ($1, $2, $3, 1, $4)`, [tx.tenantId, uuidv7(), formId, JSON.stringify(definition)]);
    await tx.query(
      `insert into form_links (tenant_id, id, form_id, version, patient_id, token_hash, expires_at) values ($1, $2, $3, 1, $4, $5, now() + interval '1 day')`,
      [tx.tenantId, linkId, formId, patientId, createHash('sha256').update(randomBytes(32)).digest('base64url')],
    );
    await tx.query(
      `insert into form_responses (tenant_id, id, form_id, version, patient_id, answers, submitted_via, link_id) values ($1, $2, $3, 1, $4, '{"ok": true}', 'link', $5)`,
      [tx.tenantId, uuidv7(), formId, patientId, linkId],
    );
  });
}
