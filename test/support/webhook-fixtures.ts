/** Webhook rows written through the tenancy door, so "every table" tests (erase, tier moves) cover webhooks. */
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import { secretContext } from '../../src/domain/webhooks/webhook-endpoint-service.ts';
import type { TestApp } from './harness.ts';

/** Puts one row in each webhook table of a practice: an endpoint, a delivery and its attempt. */
export async function fillWebhookTables(t: TestApp, ref: TenantRef): Promise<void> {
  await withTenant(t.services.db, ref, async (tx) => {
    const endpointId = uuidv7();
    const deliveryId = uuidv7();
    await tx.query(
      `insert into webhook_endpoints (tenant_id, id, url, events, secret_sealed) values ($1, $2, 'https://hooks.example.com/in', '{patient.created}', $3)`,
      [tx.tenantId, endpointId, t.services.secrets.seal('whsec_fixture', secretContext(tx.tenantId, endpointId))],
    );
    await tx.query(
      `insert into webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, payload, occurred_at, status, attempts)
       values ($1, $2, $3, $4, 'patient.created', '{}', now(), 'succeeded', 1)`,
      [tx.tenantId, deliveryId, endpointId, uuidv7()],
    );
    await tx.query(
      `insert into webhook_attempts (tenant_id, id, delivery_id, attempt, started_at, duration_ms, status_code) values ($1, $2, $3, 1, now(), 12, 200)`,
      [tx.tenantId, uuidv7(), deliveryId],
    );
  });
}
