/**
 * Onboarding cost: creates pooled and dedicated-schema practices through the real HTTP API and
 * prints time and bytes per practice, pooled against schema tier in the same run.
 *
 *   node --import tsx bench/onboarding.ts [pooledCount=50] [schemaCount=10]
 *
 * Uses DATABASE_URL when set, else an in-memory PGlite. Traffic goes to 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { startServices } from '../src/services.ts';
import { buildApp } from '../src/http/app.ts';
import { upsertOperator } from '../src/platform/operators.ts';
import { asOwner } from '../src/tenancy/tenant-db.ts';

const pooledCount = Number(process.argv[2] ?? 50);
const schemaCount = Number(process.argv[3] ?? 10);
const config = { ...loadConfig({ ...process.env, HEALTHTRACK_DEMO: '0' }), port: 0 };
const services = await startServices(config, { inMemory: true });
const app = await buildApp(services, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

await upsertOperator(services.db, { email: 'bench@ops.test', password: 'bench-password-1' });
const login = await fetch(`${base}/platform/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'bench@ops.test', password: 'bench-password-1' }),
});
const { accessToken } = (await login.json()) as { accessToken: string };

async function databaseBytes(): Promise<number> {
  return asOwner(services.db, async (tx) => {
    // Relation sizes (heap + indexes + TOAST) of every application schema: what a tenant costs.
    const res = await tx.query<{ n: string }>(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::text as n
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and (n.nspname in ('platform', 'pool') or n.nspname like 't\\_%')`,
    );
    return Number(res.rows[0]!.n);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function onboard(tier: 'pooled' | 'schema', count: number) {
  const bytesBefore = await databaseBytes();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const slug = `${tier[0]}-${randomBytes(5).toString('hex')}`;
    const t0 = performance.now();
    const res = await fetch(`${base}/platform/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ slug, name: `Bench ${slug}`, tier, admin: { email: `admin@${slug}.test`, password: 'bench-password-1', name: 'Admin' } }),
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    times.push(performance.now() - t0);
  }
  const wall = performance.now() - started;
  const bytes = (await databaseBytes()) - bytesBefore;
  times.sort((a, b) => a - b);
  return { tier, count, meanMs: wall / count, p50: pct(times, 50), p95: pct(times, 95), bytesPerTenant: bytes / count };
}

const pooled = await onboard('pooled', pooledCount);
const schema = await onboard('schema', schemaCount);
console.log(`Onboarding through POST /platform/tenants on ${services.db.kind} (argon2id, 19 MiB)`);
for (const r of [pooled, schema]) {
  console.log(
    `  ${r.tier.padEnd(6)} n=${String(r.count).padStart(4)}  mean ${r.meanMs.toFixed(1)} ms  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  ${(r.bytesPerTenant / 1024).toFixed(1)} KiB/tenant`,
  );
}
console.log(`  ratio schema/pooled: time ${(schema.meanMs / pooled.meanMs).toFixed(1)}x, bytes ${(schema.bytesPerTenant / Math.max(1, pooled.bytesPerTenant)).toFixed(1)}x`);
await app.close();
await services.close();
