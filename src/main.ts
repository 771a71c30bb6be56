/**
 * `npm start` / `node dist/server/main.js`: open the database, prove isolation, seed the demo when
 * empty, serve HTTP, and shut down gracefully on SIGTERM. With HEALTHTRACK_WORKERS > 1 the primary
 * prepares the database once and supervises that many workers (see cluster.ts).
 */
import { loadConfig, type Config } from './config.ts';
import { startServices } from './services.ts';
import { buildApp } from './http/app.ts';
import { handleSignals } from './http/shutdown.ts';
import { seedDemo, printDemoLogins } from './platform/demo-seed.ts';
import { IsolationError } from './tenancy/isolation-check.ts';
import { isWorker, runPrimary } from './cluster.ts';
import { openDatabase } from './services.ts';
import { migrateAll } from './db/migrator.ts';
import { serveClusterMetrics } from './observability/cluster-metrics.ts';
import { retryWhileUnavailable } from './db/availability.ts';

function publicBase(config: Config): string {
  // Loopback is printed as "localhost": browsers resolve <practice>.localhost to it too.
  const shown = ['0.0.0.0', '127.0.0.1', '::', '::1'].includes(config.host) ? 'localhost' : config.host;
  return `http://${shown}:${config.port}`;
}

/** One serving process: the whole app, or one worker of a cluster. */
async function serve(config: Config): Promise<void> {
  const services = await retryWhileUnavailable(() => startServices(config), { waitMs: config.dbStartWaitMs });
  if (config.demo) await seedDemo(services.db);
  const app = await buildApp(services);
  handleSignals(app, { graceMs: config.shutdownGraceMs, closeServices: () => services.close() });
  await app.listen({ port: config.port, host: config.host });
  if (isWorker()) return;
  const base = publicBase(config);
  console.log(`\nHealthTrack is running on ${services.db.kind === 'pglite' ? `the embedded database (${config.dataDir})` : 'PostgreSQL'}`);
  console.log(`  Web app: ${base}   API docs: ${base}/docs   OpenAPI: ${base}/openapi.json`);
  if (config.demo) printDemoLogins(base);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers <= 1 || isWorker()) return serve(config);
  if (!config.databaseUrl) {
    throw new Error('HEALTHTRACK_WORKERS > 1 needs PostgreSQL (DATABASE_URL): the embedded database belongs to one process');
  }
  // The workers' summed metrics, on a port of the primary's own (README: Monitoring).
  const { clusterMetricsPort, metricsToken } = config.monitoring;
  if (clusterMetricsPort > 0) await serveClusterMetrics(clusterMetricsPort, config.host, metricsToken);
  await runPrimary(config, {
    async prepare() {
      await retryWhileUnavailable(async () => {
        const db = await openDatabase(config);
        try {
          if (config.migrateOnStart) {
            const report = await migrateAll(db);
            if (report.failed.length > 0) throw new Error(`Migrations failed for ${report.failed.length} schema(s)`);
          }
          if (config.demo) await seedDemo(db);
        } finally {
          await db.close();
        }
      }, { waitMs: config.dbStartWaitMs });
      const base = publicBase(config);
      console.log(`\nHealthTrack is running on PostgreSQL with ${config.workers} workers`);
      console.log(`  Web app: ${base}   API docs: ${base}/docs   OpenAPI: ${base}/openapi.json`);
      if (config.demo) printDemoLogins(base);
    },
  });
}

main().catch((err) => {
  if (err instanceof IsolationError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
