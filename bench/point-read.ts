/**
 * The tenancy layer's cost on the hot path: GET /api/patients/:id through the full stack (tenant
 * resolution, JWT, permissions, RLS transaction, audit insert) against a bare primary-key lookup
 * served by the same Fastify process over an identical pool, measured in the same run.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/point-read.ts [seconds=8] [connections=32]
 *
 * The load generator runs in a worker thread and sends traffic to 127.0.0.1 only.
 */
import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { startServices } from '../src/services.ts';
import { buildApp } from '../src/http/app.ts';
import { createTenant } from '../src/platform/tenant-provisioning.ts';
import { tenantContext } from '../src/tenancy/tenant-context.ts';
import { createPatient } from '../src/domain/patients/patient-service.ts';

const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 32);
const config = loadConfig({ ...process.env, HEALTHTRACK_DEMO: '0', LOG_LEVEL: 'warn' });
if (!config.databaseUrl) throw new Error('Set DATABASE_URL: this benchmark measures PostgreSQL round trips');
const services = await startServices(config);
const app = await buildApp(services, { logger: false });

const bare = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize });
app.get('/bench/bare/:id', { schema: { hide: true } }, async (request) => {
  const { id } = request.params as { id: string };
  const res = await bare.query('select * from pool.patients where tenant_id = $1 and id = $2', [tenantId, id]);
  return res.rows[0];
});
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

const slug = `bench-${randomBytes(4).toString('hex')}`;
const { tenant } = await createTenant(services.db, { slug, name: 'Bench', tier: 'pooled', admin: { email: `a@${slug}.test`, password: 'bench-password-1', name: 'A' } });
const tenantId = tenant.id;
const ctx = tenantContext(services.db, { tenant, actor: { kind: 'system', id: null } });
const ids: string[] = [];
for (let i = 0; i < 200; i++) ids.push((await createPatient(ctx, { firstName: `F${i}`, lastName: `L${i}`, dateOfBirth: '1980-01-01' })).id);
const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email: `a@${slug}.test`, password: 'bench-password-1' } });
const token = login.json().accessToken as string;

async function run(label: string, path: (id: string) => string, headers: Record<string, string>) {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { port, paths, headers, seconds, connections } = workerData;
    const lat = []; let errors = 0; let done = 0;
    const end = Date.now() + seconds * 1000;
    async function loop(k) {
      let i = k;
      while (Date.now() < end) {
        const t0 = performance.now();
        const res = await fetch('http://127.0.0.1:' + port + paths[i++ % paths.length], { headers });
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
        lat.push(performance.now() - t0); done++;
      }
    }
    Promise.all(Array.from({ length: connections }, (_, k) => loop(k))).then(() => {
      lat.sort((a, b) => a - b);
      parentPort.postMessage({ done, errors, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] });
    });`;
  const worker = new Worker(code, { eval: true, workerData: { port, paths: ids.map(path), headers, seconds, connections } });
  const result = await new Promise<{ done: number; errors: number; p50: number; p99: number }>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  const rps = result.done / seconds;
  console.log(`  ${label.padEnd(34)} ${rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  errors ${result.errors}`);
  return rps;
}

console.log(`Point read, ${connections} connections, ${seconds} s each, PostgreSQL, pool ${config.poolSize}`);
await run('warm-up (full stack)', (id) => `/api/patients/${id}`, { authorization: `Bearer ${token}`, 'x-tenant': slug });
const base = await run('bare PK lookup (baseline)', (id) => `/bench/bare/${id}`, {});
await run('auth only: GET /api/me', () => `/api/me`, { authorization: `Bearer ${token}`, 'x-tenant': slug });
const full = await run('full stack GET /api/patients/:id', (id) => `/api/patients/${id}`, { authorization: `Bearer ${token}`, 'x-tenant': slug });
console.log(`  ratio full/bare: ${(full / base).toFixed(2)}x`);
await app.close();
await bare.end();
await services.close();
