/** `npm start`: open the database, prove isolation, seed the demo when empty, serve HTTP. */
import { loadConfig } from './config.ts';
import { startServices } from './services.ts';
import { buildApp } from './http/app.ts';
import { seedDemo, printDemoLogins } from './platform/demo-seed.ts';
import { IsolationError } from './tenancy/isolation-check.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const services = await startServices(config);
  if (config.demo) await seedDemo(services.db);
  const app = await buildApp(services);
  const close = async () => {
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  console.log(`\nHealthTrack is running on ${services.db.kind === 'pglite' ? `the embedded database (${config.dataDir})` : 'PostgreSQL'}`);
  console.log(`  API docs: ${base}/docs   OpenAPI: ${base}/openapi.json`);
  if (config.demo) printDemoLogins(base);
}

main().catch((err) => {
  if (err instanceof IsolationError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
