/** Workflow rows written through the tenancy door, so "every table" tests (erase, tier moves) cover workflows. */
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import { defaultDefinition } from '../../src/domain/workflows/defaults.ts';
import type { TestApp } from './harness.ts';

/** Puts at least one row in every workflow table of a practice (it must already have a patient). */
export async function fillWorkflowTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    const patient = await tx.query<{ id: string }>('select id from patients where tenant_id = $1 order by id limit 1', [tx.tenantId]);
    if (!patient.rows[0]) throw new Error('fillWorkflowTables needs a patient (intake instance)');
    await tx.query(`insert into workflow_definitions (tenant_id, id, kind, version, definition) values ($1, $2, 'patient_intake', 1, $3)`, [
      tx.tenantId, uuidv7(), JSON.stringify(defaultDefinition('patient_intake')),
    ]);
    const instanceId = uuidv7();
    const historyId = uuidv7();
    await tx.query(`insert into workflow_instances (tenant_id, id, kind, entity_id, version, state) values ($1, $2, 'patient_intake', $3, 1, 'in_review')`, [
      tx.tenantId, instanceId, patient.rows[0].id,
    ]);
    await tx.query(
      `insert into workflow_history (tenant_id, id, instance_id, transition, from_state, to_state, version, actor_type) values ($1, $2, $3, 'forms_received', 'awaiting_forms', 'in_review', 1, 'system')`,
      [tx.tenantId, historyId, instanceId],
    );
    await tx.query(`insert into workflow_tasks (tenant_id, id, instance_id, history_id, role_key, title) values ($1, $2, $3, $4, 'front_desk', 'Review the forms')`, [
      tx.tenantId, uuidv7(), instanceId, historyId,
    ]);
  });
}
