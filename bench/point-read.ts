/**
 * The tenancy layer's cost on the hot path: GET /api/patients/:id through the full stack (tenant
 * resolution, JWT, permissions, the access guard, the RLS read, and its audit event, group-committed
 * and durable before the answer) against a bare primary-key lookup
 * served by the same Fastify process over an identical pool, measured in the same run. The full
 * stack runs twice: as shipped (access served from the per-process cache, proved in the same
 * message as the read: one round trip) and with the cache off (access loaded first: two).
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/point-read.ts [seconds=8] [connections=32]
 *
 * The load generator runs in a worker thread and sends traffic to 127.0.0.1 only. Per-practice
 * rate limits are raised (HEALTHTRACK_TENANT_LIMITS_SCALE=1000) so that they are not what is measured.
 */
import pg from 'pg';
import { buildApp } from '../src/http/app.ts';
import { startBenchServer } from './lib/server.ts';
import { createBenchClinic } from './lib/clinics.ts';
import { runWorker } from './lib/worker.ts';
import type { HammerInput, HammerReport } from './lib/hammer-types.ts';
import { formatLatency, numberArg, ratio, summarize } from './lib/stats.ts';

const seconds = numberArg(0, 'BENCH_SECONDS', 8);
const connections = numberArg(1, 'BENCH_CONNECTIONS', 32);
const patients = numberArg(2, 'BENCH_PATIENTS', 200);
if (!process.env.DATABASE_URL) throw new Error('Set DATABASE_URL: this benchmark measures PostgreSQL round trips');

let bare: pg.Pool | undefined;
let tenantId = '';
const server = await startBenchServer({ HEALTHTRACK_TENANT_LIMITS_SCALE: process.env.HEALTHTRACK_TENANT_LIMITS_SCALE ?? '1000' }, (app, config) => {
  bare = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize });
  app.get('/bench/bare/:id', { schema: { hide: true } }, async (request) => {
    const { id } = request.params as { id: string };
    const res = await bare!.query('select * from pool.patients where tenant_id = $1 and id = $2', [tenantId, id]);
    return res.rows[0];
  });
});
// The same services (one runtime pool) behind a second app whose access cache is off.
const uncached = await buildApp({ ...server.services, config: { ...server.services.config, accessCacheSize: 0 } }, { logger: false });
await uncached.listen({ host: '127.0.0.1', port: 0 });
const uncachedPort = (uncached.server.address() as { port: number }).port;

try {
  const clinic = await createBenchClinic(server.services, patients);
  tenantId = (await server.services.tenants.bySlug(clinic.slug))!.id;
  const auth = { authorization: `Bearer ${clinic.token}`, 'x-tenant': clinic.slug };

  async function run(label: string, port: number, paths: string[], headers: Record<string, string>): Promise<number> {
    const input: HammerInput = { port, paths, headers, seconds, connections };
    const r = await runWorker<HammerReport>(new URL('./lib/hammer.ts', import.meta.url), input);
    const rps = r.ok / seconds;
    const other = Object.entries(r.failures).map(([k, v]) => `${k}: ${v}`).join(', ');
    console.log(`  ${label.padEnd(44)} ${rps.toFixed(0).padStart(6)} req/s  ${formatLatency(summarize(r.latencies))}  errors ${r.failed}${other ? ` (${other})` : ''}`);
    return rps;
  }

  const patientPaths = clinic.patientIds.map((id) => `/api/patients/${id}`);
  console.log(`Point read, ${connections} connections, ${seconds} s each, PostgreSQL, pool ${server.services.config.poolSize}`);
  await run('warm-up (full stack)', server.port, patientPaths, auth);
  const base = await run('bare PK lookup (baseline)', server.port, clinic.patientIds.map((id) => `/bench/bare/${id}`), {});
  const me = await run('auth only: GET /api/me', server.port, ['/api/me'], auth);
  const before = await run('full stack, access cache off (2 round trips)', uncachedPort, patientPaths, auth);
  const full = await run('full stack GET /api/patients/:id', server.port, patientPaths, auth);
  console.log(`  ratio auth only/bare: ${ratio(me, base)}`);
  console.log(`  ratio full/bare, access cache off: ${ratio(before, base)}`);
  console.log(`  ratio full/bare: ${ratio(full, base)}`);
} finally {
  await uncached.close();
  await server.close();
  await bare?.end();
}
