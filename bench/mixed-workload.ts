/**
 * A clinic day at scale: many practices (pooled, created by the real provisioning code, each with a
 * location, a provider, a visit type, a priced item and patients) and many simulated staff with
 * think time doing the clinic mix — search patients 35 %, search slots 25 %, book 15 %, invoice
 * (draft, then issue) 15 %, record a payment 10 % — over keep-alive HTTP to 127.0.0.1, from a
 * worker thread. Prints throughput and p50/p95/p99 per operation and overall, and errors, with 409
 * `slot_taken` (two users racing for one slot) and 429 (rate limits) counted apart from errors.
 *
 * Baseline, same run: the same users and mix against ONE practice. The ratio is the cost of
 * spreading the same load over many practices (tenant resolution and access caches cold more
 * often, RLS over many tenants' rows, less locality), which should be close to 1.
 *
 *   node --import tsx bench/mixed-workload.ts [tenants=1000] [users=10000] [seconds=60] [thinkMs=3000] [patients=20]
 *
 * Uses DATABASE_URL when set (pool size HEALTHTRACK_POOL_SIZE, default 20 here), else in-memory PGlite.
 * Per-practice request limits are raised (HEALTHTRACK_TENANT_LIMITS_SCALE=1000 unless set).
 * BENCH_WORKERS=n (PostgreSQL only) serves the load from the real server in cluster mode with n
 * workers (src/main.ts as a child process, each worker with its own pool of that size) instead of
 * the single in-process server; the practices are still made in-process on the same database.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBenchServer, startClusterServer, type ClusterServer } from './lib/server.ts';
import { createBenchClinics } from './lib/clinics.ts';
import { runWorker } from './lib/worker.ts';
import { OPERATIONS, type UsersInput, type UsersReport } from './lib/clinic-ops.ts';
import { formatLatency, numberArg, ratio, summarize } from './lib/stats.ts';

const tenants = numberArg(0, 'BENCH_TENANTS', 1000);
const users = numberArg(1, 'BENCH_USERS', 10_000);
const seconds = numberArg(2, 'BENCH_SECONDS', 60);
const thinkMs = numberArg(3, 'BENCH_THINK_MS', 3000);
const patients = numberArg(4, 'BENCH_PATIENTS', 20);
const warmSeconds = Math.min(5, seconds / 4);
const workers = Math.max(1, Math.round(Number(process.env.BENCH_WORKERS ?? 1)));
if (workers > 1 && !process.env.DATABASE_URL) throw new Error('Cluster mode needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process');

// The per-practice request limits are raised (unless set): this measures the stack, not the limiter.
const serverEnv = {
  HEALTHTRACK_POOL_SIZE: process.env.HEALTHTRACK_POOL_SIZE ?? '20',
  HEALTHTRACK_TENANT_LIMITS_SCALE: process.env.HEALTHTRACK_TENANT_LIMITS_SCALE ?? '1000',
};
const server = await startBenchServer(serverEnv);
let cluster: ClusterServer | undefined;
try {
  const t0 = performance.now();
  const clinics = await createBenchClinics(server.services, tenants, patients);
  if (workers > 1) cluster = await startClusterServer(workers, serverEnv);
  const port = cluster?.port ?? server.port;
  console.log(`Mixed workload on ${server.services.db.kind}, ${workers > 1 ? `cluster of ${workers} workers` : 'one process'}: ${tenants} practices (${patients} patients each, set up in ${((performance.now() - t0) / 1000).toFixed(1)} s), ${users} users, think time exp(mean ${thinkMs} ms), ${seconds} s per phase (first ${warmSeconds} s not recorded)`);

  async function phase(label: string, practices: typeof clinics) {
    const input: UsersInput = { port, clinics: practices, users, seconds, warmSeconds, thinkMs, maxSockets: 64 };
    // How long the in-process server's event loop was held up: a stall there delays every request.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const report = await runWorker<UsersReport>(new URL('./lib/clinic-users.ts', import.meta.url), input);
    loop.disable();
    const all: number[] = [];
    let races = 0;
    let refused = 0;
    let errors = 0;
    console.log(`  ${label}`);
    for (const op of OPERATIONS) {
      const r = report.operations[op];
      all.push(...r.latencies);
      races += r.races;
      refused += r.refused;
      const opErrors = Object.values(r.errors).reduce((a, b) => a + b, 0);
      errors += opErrors;
      const detail = Object.entries(r.errors).map(([k, v]) => `${k}: ${v}`).join(', ');
      console.log(
        `    ${op.padEnd(8)} ${(r.latencies.length / report.measuredSeconds).toFixed(1).padStart(8)} ok/s  ${formatLatency(summarize(r.latencies))}  races ${r.races}  refused ${r.refused}  errors ${opErrors}${detail ? ` (${detail})` : ''}`,
      );
    }
    const overall = summarize(all);
    const throughput = all.length / report.measuredSeconds;
    console.log(`    overall  ${throughput.toFixed(1).padStart(8)} ok/s  ${formatLatency(overall)}  races ${races}  refused ${refused}  errors ${errors}`);
    if (!cluster) console.log(`    server event-loop delay: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
    return { throughput, overall };
  }

  const spread = await phase(`${tenants} practices`, clinics);
  const single = await phase('baseline: 1 practice, same users and mix', clinics.slice(0, 1));
  console.log(`  ratio ${tenants} practices / 1 practice: throughput ${ratio(spread.throughput, single.throughput)}, p95 ${ratio(spread.overall.p95, single.overall.p95)}, p99 ${ratio(spread.overall.p99, single.overall.p99)}`);
} finally {
  await cluster?.close();
  await server.close();
}
