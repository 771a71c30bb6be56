// The demo that `npm start` seeds: two branded practices with a logo, a price list and tax rules,
// an intake form, and four weeks of history whose invoices and payments add up, so the dashboard,
// billing pages and AR aging show real figures on first start. Runs on a private database.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../src/db/database.ts';
import { seedDemo, DEMO_PRACTICES } from '../src/platform/demo-seed.ts';
import { asPlatform, withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { openPrivatePglite, openFreshPostgres } from './support/private-db.ts';

function demoSuite(open: () => Promise<{ db: Database; close(): Promise<void> }>): void {
  let env: { db: Database; close(): Promise<void> };
  let tenants: Map<string, TenantRef>;
  before(async () => {
    env = await open();
    if ('startServing' in env.db && typeof env.db.startServing === 'function') await env.db.startServing();
    assert.equal(await seedDemo(env.db), true);
    const rows = await asPlatform(env.db, (tx) => tx.query<{ id: string; slug: string; tier: 'pooled' | 'schema'; schema_name: string }>('select id, slug, tier, schema_name from tenants'));
    tenants = new Map(rows.rows.map((r) => [r.slug, { id: r.id, slug: r.slug, tier: r.tier, schema: r.schema_name }]));
  });
  after(async () => {
    await env?.close();
  });

  test('seeding twice does nothing the second time', async () => {
    assert.equal(await seedDemo(env.db), false);
    assert.equal(tenants.size, DEMO_PRACTICES.length);
  });

  for (const practice of DEMO_PRACTICES) {
    test(`${practice.slug}: branding with a PNG logo, prices, tax rules and an intake form`, async () => {
      const ref = tenants.get(practice.slug)!;
      const r = await withTenant(env.db, ref, async (tx) => ({
        branding: (await tx.query<{ primary_color: string; display_name: string; logo_type: string | null }>('select primary_color, display_name, logo_content_type as logo_type from practice_branding')).rows[0],
        items: Number((await tx.query<{ n: string }>('select count(*) as n from price_items')).rows[0]!.n),
        taxes: Number((await tx.query<{ n: string }>('select count(*) as n from tax_jurisdictions')).rows[0]!.n),
        forms: Number((await tx.query<{ n: string }>('select count(*) as n from forms')).rows[0]!.n),
        typesPriced: Number((await tx.query<{ n: string }>('select count(*) as n from appointment_types where price_item_code is not null and online_booking')).rows[0]!.n),
      }));
      assert.equal(r.branding?.display_name, practice.look.displayName);
      assert.equal(r.branding?.primary_color, practice.look.primaryColor);
      assert.equal(r.branding?.logo_type, 'image/png');
      assert.ok(r.items >= 4);
      assert.ok(r.taxes >= 1);
      assert.equal(r.forms, 1);
      assert.equal(r.typesPriced, 2);
    });

    test(`${practice.slug}: past visits with outcomes; their invoices and payments balance`, async () => {
      const ref = tenants.get(practice.slug)!;
      const r = await withTenant(env.db, ref, async (tx) => {
        const visits = await tx.query<{ status: string; n: string }>(`select status, count(*) as n from appointments where starts_at < now() group by status`);
        const money = await tx.query<{ issued: string; paid: string; owed: string; invoices: string; overpaid: string }>(
          `select count(*) as invoices, coalesce(sum(i.total), 0) as issued,
                  coalesce(sum(p.paid), 0) as paid, coalesce(sum(i.total - coalesce(p.paid, 0)), 0) as owed,
                  count(*) filter (where coalesce(p.paid, 0) > i.total) as overpaid
             from invoices i
             left join (select invoice_id, sum(case when kind = 'payment' then amount else -amount end) as paid from payments group by invoice_id) p on p.invoice_id = i.id
            where i.status <> 'draft'`,
        );
        const statusMismatch = await tx.query(
          `select i.id from invoices i
             left join (select invoice_id, sum(amount) as paid from payments group by invoice_id) p on p.invoice_id = i.id
            where (i.status = 'paid' and coalesce(p.paid, 0) <> i.total) or (i.status = 'issued' and coalesce(p.paid, 0) <> 0)`,
        );
        return { visits: new Map(visits.rows.map((v) => [v.status, Number(v.n)])), money: money.rows[0]!, statusMismatch: statusMismatch.rowCount };
      });
      assert.ok((r.visits.get('completed') ?? 0) > 40, `completed visits: ${r.visits.get('completed')}`);
      assert.ok((r.visits.get('no_show') ?? 0) > 0);
      assert.ok((r.visits.get('cancelled') ?? 0) > 0);
      assert.equal(Number(r.money.invoices), r.visits.get('completed'));
      assert.ok(BigInt(r.money.paid) > 0n);
      // Some money is still owed (AR aging has rows), and nothing is overpaid.
      assert.ok(BigInt(r.money.owed) > 0n);
      assert.equal(Number(r.money.overpaid), 0);
      assert.equal(r.statusMismatch, 0);
    });
  }
}

// The seed is the same code on both databases: each run checks it on its own one.
if (!process.env.DATABASE_URL) {
  describe('demo seed on a private PGlite', () => {
    demoSuite(async () => {
      const db = await openPrivatePglite();
      return { db, close: () => db.close() };
    });
  });
} else {
  describe('demo seed on a fresh private PostgreSQL database', () => {
    demoSuite(async () => {
      const fresh = await openFreshPostgres('ht_demo');
      return { db: fresh.db, close: () => fresh.drop() };
    });
  });
}
