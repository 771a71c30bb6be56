// The access guard stays failed when code inside a guarded transaction catches its error (HT403)
// and returns normally: on PostgreSQL that COMMIT is a silent rollback, and the rest of the request
// must not then run unguarded on stale access.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/harness.ts';
import { AccessCheck, StaleAccessError } from '../src/domain/access/access-check.ts';
import { tenantContext } from '../src/tenancy/tenant-context.ts';

let t: TestApp | undefined;
after(async () => t?.close());

test('a guard failure swallowed inside a transaction still marks the access stale', async () => {
  t = await startTestApp();
  const created = await t.createTenant();
  const tenant = (await t.services.tenants.bySlug(created.slug))!;
  const userId = JSON.parse(Buffer.from(created.adminToken.split('.')[1]!, 'base64url').toString()).sub as string;
  // A version the member's access can never have had: the guard must fail.
  const check = new AccessCheck(tenant.id, userId, 0);
  const ctx = tenantContext(t.services.db, { tenant, actor: { kind: 'user', id: userId }, permissions: ['patients:read'], guard: check });
  await ctx
    .tx(async (tx) => {
      try {
        await tx.query('select 1', []);
      } catch {
        // e.g. an optional lookup that falls back to a default
      }
      return null;
    })
    .catch(() => null);
  assert.notEqual(check.state, 'confirmed', 'stale access was confirmed');
  await assert.rejects(ctx.statement('select 1', []), StaleAccessError);
});
