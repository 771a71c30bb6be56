/** Branding rows written through the tenancy door, so "every table" tests (tenant erase) cover branding. */
import { createHash } from 'node:crypto';
import { withTenant, type TenantRef } from '../../src/tenancy/tenant-db.ts';
import type { TestApp } from './harness.ts';
import { makePng } from './images.ts';

/** Puts a practice_branding row, logo included, in a practice. */
export async function fillBrandingTables(t: TestApp, ref: TenantRef): Promise<void> {
  const logo = makePng(16, 16);
  await withTenant(t.services.db, ref, (tx) =>
    tx.query(
      `insert into practice_branding (tenant_id, display_name, primary_color, accent_color, logo, logo_content_type, logo_sha256, logo_width, logo_height, logo_updated_at, updated_at)
       values ($1, 'Fixture Clinic', '#123456', '#654321', $2, 'image/png', $3, 16, 16, now(), now())`,
      [tx.tenantId, logo, createHash('sha256').update(logo).digest('hex')],
    ),
  );
}
