// The README's first command: `npm start` on the embedded database seeds the demo, prints the logins,
// serves real HTTP, and keeps its data across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { freePort } from '../bench/lib/free-port.ts';
import { CHILD_NODE_FLAGS } from './support/child-node.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'healthtrack-start-'));

async function start(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HEALTHTRACK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.HEALTHTRACK_DEMO;
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // A first start creates the embedded database, migrates it and seeds the demo: over a minute on a
  // loaded 2-core machine.
  const deadline = Date.now() + 180_000;
  while (!out.includes('API docs:')) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // else the test run waits on it forever
      throw new Error(`server did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

test('npm start seeds the demo, prints logins, serves HTTP and persists across restarts', { timeout: 420_000 }, async () => {
  // A port the kernel says is free (a fixed range can hit a service of this machine, e.g. NATS on 4222).
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    const first = await start(port);
    assert.match(first.output(), /operator@healthtrack\.local/);
    assert.match(first.output(), /admin@riverside\.test/);
    assert.match(first.output(), /healthtrack-demo/);

    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'riverside', email: 'admin@riverside.test', password: 'healthtrack-demo' }),
    });
    assert.equal(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const list = async () => {
      const res = await fetch(`${base}/api/patients?limit=100`, { headers: { authorization: `Bearer ${accessToken}`, 'x-tenant': 'riverside' } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { items: unknown[] }).items.length;
    };
    const before = await list();
    assert.ok(before >= 5, `demo practice has patients (got ${before})`);
    // The demo schedule: appointments next week, bookable slots after them.
    const from = new Date().toISOString();
    const to = new Date(Date.now() + 15 * 86_400_000).toISOString();
    const appts = await fetch(`${base}/api/appointments?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { authorization: `Bearer ${accessToken}`, 'x-tenant': 'riverside' } });
    assert.equal(appts.status, 200);
    assert.ok(((await appts.json()) as { items: unknown[] }).items.length >= 3, 'the demo practice has appointments booked');
    const created = await fetch(`${base}/api/patients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'x-tenant': 'riverside', 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'Persisted', lastName: 'Across-Restart', dateOfBirth: '1970-01-01' }),
    });
    assert.equal(created.status, 201);
    const op = await fetch(`${base}/platform/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'operator@healthtrack.local', password: 'healthtrack-demo' }),
    });
    assert.equal(op.status, 200);
    await stop(first.child);

    const second = await start(port);
    try {
      // Same signing keys after restart: the token issued before still verifies.
      assert.equal(await list(), before + 1);
      const tenants = await fetch(`${base}/platform/tenants`, { headers: { authorization: `Bearer ${((await op.json()) as { accessToken: string }).accessToken}` } });
      const slugs = ((await tenants.json()) as { items: { slug: string }[] }).items.map((t) => t.slug).sort();
      assert.deepEqual(slugs, ['lakeside', 'riverside'], 'the demo is seeded once, not again on restart');
    } finally {
      await stop(second.child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
