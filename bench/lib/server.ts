/** The server under test: the real services and app, listening on 127.0.0.1 on a free port. */
import { readFileSync } from 'node:fs';
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
