/** The server under test: the real services and app, listening on 127.0.0.1 on a free port. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from './free-port.ts';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServices, type Services } from '../../src/services.ts';
import { buildApp } from '../../src/http/app.ts';

export interface BenchServer {
  readonly services: Services;
  readonly app: FastifyInstance;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * PostgreSQL when DATABASE_URL is set, else an in-memory PGlite (started from the test suite's
 * migrated template when HEALTHTRACK_TEST_TEMPLATE names one, as under `npm test`). Demo data and
 * background jobs are off; `env` overrides the process environment (e.g. a bigger pool).
 */
export async function startBenchServer(env: Record<string, string> = {}, beforeListen?: (app: FastifyInstance, config: Config) => void): Promise<BenchServer> {
  const config = { ...loadConfig({ ...process.env, HEALTHTRACK_DEMO: '0', HEALTHTRACK_JOBS: '0', LOG_LEVEL: 'warn', ...env }), port: 0 };
  const template = process.env.HEALTHTRACK_TEST_TEMPLATE;
  const services = await startServices(config, !config.databaseUrl && template ? { loadDataDir: new Blob([readFileSync(template)]) } : { inMemory: true });
  const app = await buildApp(services, { logger: false });
  beforeListen?.(app, config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return {
    services,
    app,
    port,
    async close() {
      await app.close();
      await services.close();
    },
  };
}

export interface ClusterServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The real server in cluster mode (`src/main.ts` with HEALTHTRACK_WORKERS=`workers`) as a child
 * process on the same PostgreSQL database, for load one process cannot serve. Demo data and jobs
 * are off; `env` adds settings (pool size, limit scale). Resolves once `/readyz` answers 200 and
 * every worker has had `settleMs` to start.
 */
export async function startClusterServer(workers: number, env: Record<string, string> = {}, settleMs = 3000): Promise<ClusterServer> {
  if (!process.env.DATABASE_URL) throw new Error('Cluster mode needs PostgreSQL (DATABASE_URL)');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, HEALTHTRACK_DEMO: '0', HEALTHTRACK_JOBS: '0', LOG_LEVEL: 'warn', ...env, HEALTHTRACK_WORKERS: String(workers), HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the cluster server exited with code ${child.exitCode} before it was ready`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error('the cluster server was not ready within 120 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, settleMs));
  return { port, close };
}
