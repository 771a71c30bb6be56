// Running for real: a shutdown lets requests in flight finish and accepts no new ones; one that
// overruns its grace period exits anyway with status 1.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServices } from '../src/services.ts';
import { buildApp } from '../src/http/app.ts';
import { shutDown } from '../src/http/shutdown.ts';
import { testConfig, testOpenOptions } from './support/harness.ts';

async function serverWithSlowRoute(ms: number) {
  const services = await startServices(testConfig(), testOpenOptions());
  const app = await buildApp(services, { logger: false });
  app.get('/test/slow', { schema: { hide: true } }, async () => {
    await sleep(ms);
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, services, url: `http://127.0.0.1:${port}` };
}

describe('graceful shutdown', () => {
  test('a request in flight completes; a new connection after the shutdown began is refused; exit 0', async () => {
    const { app, services, url } = await serverWithSlowRoute(800);
    const inFlight = fetch(`${url}/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await sleep(150);
    let exitCode: number | undefined;
    const stopping = shutDown(app, { graceMs: 5000, closeServices: () => services.close(), exit: (c) => (exitCode = c), log: () => undefined }, 'SIGTERM');
    await sleep(50);
    await assert.rejects(fetch(`${url}/healthz`, { headers: { connection: 'close' } }), 'no new connections once closing');
    assert.deepEqual(await inFlight, { status: 200, body: { done: true } });
    assert.equal(await stopping, 0);
    assert.equal(exitCode, 0);
  });

  test('a request longer than the grace period: the process exits with 1 when the grace period ends', async () => {
    const { app, services, url } = await serverWithSlowRoute(3000);
    const inFlight = fetch(`${url}/test/slow`).catch(() => null);
    await sleep(100);
    const started = Date.now();
    let exitCode: number | undefined;
    const code = await shutDown(app, { graceMs: 300, closeServices: () => services.close(), exit: (c) => (exitCode = c), log: () => undefined }, 'SIGTERM');
    const waited = Date.now() - started;
    assert.equal(code, 1);
    assert.equal(exitCode, 1);
    assert.ok(waited >= 250 && waited < 2500, `waited ${waited} ms`);
    await inFlight;
    // The close still completes in the background; let it finish before the next test.
    await app.close().catch(() => undefined);
    await services.close().catch(() => undefined);
  });
});
