/**
 * Onboarding cost: creates pooled and dedicated-schema practices through the real HTTP API and
 * prints time and bytes per practice. Baseline, same run, PostgreSQL only: "a database per
 * practice on the same server" — CREATE DATABASE, then our bootstrap and tenant migrations in it —
 * measured in time and pg_database_size. The created databases are dropped at the end.
 *
 *   node --import tsx bench/onboarding.ts [pooledCount=1000] [schemaCount=100] [databaseCount=10]
 *
 * Uses DATABASE_URL when set, else an in-memory PGlite (no database-per-practice baseline there).
 * Traffic goes to 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { upsertOperator } from '../src/platform/operators.ts';
import { asOwner } from '../src/tenancy/tenant-db.ts';
import { openPostgres } from '../src/db/postgres-database.ts';
import { bootstrapDatabase } from '../src/db/bootstrap.ts';
import { createTenantSchema } from '../src/db/migrator.ts';
import { startBenchServer } from './lib/server.ts';
import { numberArg, percentile, ratio } from './lib/stats.ts';

const pooledCount = Math.round(numberArg(0, 'BENCH_POOLED', 1000));
const schemaCount = Math.round(numberArg(1, 'BENCH_SCHEMAS', 100));
const databaseCount = Math.round(numberArg(2, 'BENCH_DATABASES', 10));

interface Outcome {
  readonly label: string;
  readonly count: number;
  readonly meanMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly bytesPerTenant: number;
}

function outcome(label: string, times: number[], wallMs: number, bytes: number): Outcome {
  const sorted = [...times].sort((a, b) => a - b);
  return { label, count: times.length, meanMs: wallMs / times.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), bytesPerTenant: bytes / times.length };
}

const server = await startBenchServer({ HEALTHTRACK_TENANT_LIMITS_SCALE: '1000' });
const { services } = server;
const base = `http://127.0.0.1:${server.port}`;
const created: string[] = [];
let admin: pg.Client | undefined;
try {
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

  async function onboard(tier: 'pooled' | 'schema', count: number): Promise<Outcome> {
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
      if ((i + 1) % 250 === 0) process.stderr.write(`  … ${i + 1}/${count} ${tier}\n`);
    }
    return outcome(tier, times, performance.now() - started, (await databaseBytes()) - bytesBefore);
  }

  /** The baseline: a new database on the same server with our bootstrap and tenant migrations. */
  async function databasePerTenant(count: number): Promise<Outcome> {
    admin = new pg.Client({ connectionString: services.config.databaseUrl });
    await admin.connect();
    const times: number[] = [];
    let bytes = 0;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const name = `ht_bench_db_${randomBytes(5).toString('hex')}`;
      const t0 = performance.now();
      await admin.query(`create database ${name}`);
      created.push(name);
      const url = new URL(services.config.databaseUrl!);
      url.pathname = `/${name}`;
      const db = openPostgres({ url: url.toString(), poolSize: 1 });
      try {
        await bootstrapDatabase(db);
        await createTenantSchema(db, 'practice');
      } finally {
        await db.close();
      }
      times.push(performance.now() - t0);
      bytes += Number((await admin.query<{ n: string }>('select pg_database_size($1)::text as n', [name])).rows[0]!.n);
    }
    return outcome('database', times, performance.now() - started, bytes);
  }

  const pooled = await onboard('pooled', pooledCount);
  const schema = await onboard('schema', schemaCount);
  const perDatabase = services.db.kind === 'postgres' && databaseCount > 0 ? await databasePerTenant(databaseCount) : null;
  console.log(`Onboarding through POST /platform/tenants on ${services.db.kind} (argon2id, 19 MiB)`);
  for (const r of [pooled, schema, ...(perDatabase ? [perDatabase] : [])]) {
    console.log(
      `  ${r.label.padEnd(8)} n=${String(r.count).padStart(4)}  mean ${r.meanMs.toFixed(1)} ms  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  ${(r.bytesPerTenant / 1024).toFixed(1)} KiB/tenant`,
    );
  }
  if (!perDatabase) console.log('  database-per-practice baseline: PostgreSQL only (set DATABASE_URL)');
  console.log(`  pooled: ${pooled.meanMs.toFixed(1)} ms (target < 50 ms), ${(pooled.bytesPerTenant / 1024).toFixed(1)} KiB (target < 50 KB)`);
  console.log(`  ratio schema/pooled: time ${ratio(schema.meanMs, pooled.meanMs)}, bytes ${ratio(schema.bytesPerTenant, pooled.bytesPerTenant)} (target >= 20x)`);
  console.log(
    `  ratio database/pooled: ${perDatabase ? `time ${ratio(perDatabase.meanMs, pooled.meanMs)}, bytes ${ratio(perDatabase.bytesPerTenant, pooled.bytesPerTenant)}` : 'n/a'} (target >= 100x)`,
  );
} finally {
  for (const name of created) await admin?.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
  await admin?.end();
  await server.close();
}
