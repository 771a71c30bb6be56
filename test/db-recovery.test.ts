// Automatic recovery when the database restarts. The real server (src/main.ts, in a child process)
// talks to PostgreSQL through a test proxy (support/tcp-proxy.ts) that cuts and restores every
// connection, so a restart is acted out without disturbing the PostgreSQL other test files share.
// While the database is gone every request that needs it answers 503 `database_unavailable` within a
// bound, the process lives on and /healthz stays 200; once it is back requests succeed again with no
// restart and the job runner carries on. PostgreSQL only: PGlite runs inside the process and cannot
// restart on its own.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { TcpProxy } from './support/tcp-proxy.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'correct-horse-battery';
const POOL_SIZE = 3;
const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 1500;
/** No request may take longer than this while the database is gone. */
const BOUND_MS = 4000;
/** Requests must succeed again within this long after the database is back. */
const RECOVERY_MS = 5000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` against `databaseUrl`; `ready()` waits for its "running" line. */
async function spawnServer(databaseUrl: string, env: Record<string, string> = {}): Promise<Server & { ready(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      HEALTHTRACK_DEMO: '0',
      HEALTHTRACK_JOBS: '0',
      HEALTHTRACK_SECRET_KEY: randomBytes(32).toString('hex'),
      HEALTHTRACK_POOL_SIZE: String(POOL_SIZE),
      HEALTHTRACK_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      HEALTHTRACK_DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    async ready() {
      const deadline = Date.now() + 90_000;
      while (!out.includes('HealthTrack is running')) {
        if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
        if (Date.now() > deadline) throw new Error(`server did not start in time:\n${out}`);
        await sleep(100);
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<Server> {
  const server = await spawnServer(databaseUrl, env);
  try {
    await server.ready();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
  readonly ms: number;
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

if (process.env.DATABASE_URL) {
  describe('database restarts (PostgreSQL through a cuttable proxy)', { timeout: 300_000 }, () => {
    const base = process.env.DATABASE_URL!;
    const name = `ht_recovery_${randomBytes(5).toString('hex')}`;
    const direct = new URL(base);
    direct.pathname = `/${name}`;
    const admin = new pg.Client({ connectionString: base });
    let db: pg.Client;
    let proxy: TcpProxy;
    let server: Server;
    let slug: string;
    let tenantId: string;
    let adminEmail: string;
    let token: string;
    /** Outages so far: each must be logged once when it starts and once when it ends. */
    let outages = 0;

    async function call(method: string, url: string, options: { body?: unknown; staff?: boolean } = {}): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.staff !== false && url.startsWith('/api/')) {
        headers['x-tenant'] = slug;
        headers.authorization = `Bearer ${token}`;
      }
      const t0 = performance.now();
      const res = await fetch(server.base + url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        // A hang fails the test with a clear error instead of stalling the run.
        signal: AbortSignal.timeout(BOUND_MS + 10_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers, ms: performance.now() - t0 };
    }

    function assertUnavailable(answer: Answer, what: string): void {
      assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}\n${server.output()}`);
      assert.equal(answer.body.code, 'database_unavailable', what);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/, what);
      assert.equal(answer.headers.get('retry-after'), '5', what);
      assert.ok(answer.ms < BOUND_MS, `${what} took ${Math.round(answer.ms)} ms`);
    }

    function assertAlive(): void {
      assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
      assert.doesNotMatch(server.output(), /unhandled|uncaught/i, server.output());
    }

    /** Polls a staff read until it answers 200; returns how long that took. */
    async function waitForRecovery(): Promise<number> {
      const t0 = Date.now();
      for (;;) {
        const answer = await call('GET', '/api/patients');
        if (answer.status === 200) return Date.now() - t0;
        assertUnavailable(answer, 'GET /api/patients while recovering');
        assert.ok(Date.now() - t0 < RECOVERY_MS, `not recovered ${RECOVERY_MS} ms after the database came back`);
        await sleep(100);
      }
    }

    /** More requests at once than the pool has connections: fills the pool with idle connections. */
    async function warmPool(): Promise<void> {
      const answers = await Promise.all(Array.from({ length: POOL_SIZE * 3 }, () => call('GET', '/api/patients')));
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200));
    }

    function patientCount(lastName: string): Promise<number> {
      return db.query<{ n: number }>('select count(*)::int as n from pool.patients where last_name = $1', [lastName]).then((r) => r.rows[0]!.n);
    }

    before(async () => {
      await admin.connect();
      await admin.query(`create database ${name}`);
      db = new pg.Client({ connectionString: direct.toString() });
      const target = new URL(base);
      proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      const opEmail = `op-${randomBytes(4).toString('hex')}@ops.test`;
      server = await startServer(proxy.rewrite(direct.toString()), {
        HEALTHTRACK_JOBS: '1',
        HEALTHTRACK_OPERATOR_EMAIL: opEmail,
        HEALTHTRACK_OPERATOR_PASSWORD: PASSWORD,
      });
      await db.connect();
      // Warm up: an operator creates a practice, its admin signs in and registers a patient.
      const op = await call('POST', '/platform/auth/login', { body: { email: opEmail, password: PASSWORD } });
      assert.equal(op.status, 200, `${JSON.stringify(op.body)}\n${server.output()}`);
      slug = `rec-${randomBytes(4).toString('hex')}`;
      adminEmail = `admin@${slug}.test`;
      const created = await fetch(`${server.base}/platform/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${op.body.accessToken as string}` },
        body: JSON.stringify({ slug, name: `Practice ${slug}`, tier: 'pooled', admin: { email: adminEmail, password: PASSWORD, name: 'Admin' } }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      tenantId = ((await created.json()) as { tenant: { id: string } }).tenant.id;
      const login = await call('POST', '/auth/login', { body: { tenant: slug, email: adminEmail, password: PASSWORD } });
      assert.equal(login.status, 200, `${JSON.stringify(login.body)}\n${server.output()}`);
      token = login.body.accessToken as string;
      const patient = await call('POST', '/api/patients', { body: { firstName: 'Warm', lastName: 'Up', dateOfBirth: '1980-01-02' } });
      assert.equal(patient.status, 201, JSON.stringify(patient.body));
    });

    // A failed test must not leave the next one facing a cut database.
    afterEach(() => proxy.restore());

    after(async () => {
      await server?.stop();
      await proxy?.close();
      await db?.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });

    test('connections reset and refused: 503 database_unavailable within the bound, liveness up, then recovery with no restart', async () => {
      await warmPool();
      assert.ok(proxy.connections >= POOL_SIZE, `expected idle pooled connections at the cut, saw ${proxy.connections}`);
      await proxy.cut('reset');
      outages++;

      assertUnavailable(await call('GET', '/api/patients'), 'GET /api/patients');
      assertUnavailable(await call('POST', '/api/patients', { body: { firstName: 'No', lastName: 'Way', dateOfBirth: '1990-01-01' } }), 'POST /api/patients');
      assertUnavailable(await call('POST', '/auth/login', { body: { tenant: slug, email: adminEmail, password: PASSWORD } }), 'POST /auth/login');
      const ready = await call('GET', '/readyz');
      assertUnavailable(ready, 'GET /readyz');
      // More requests at once than the pool holds: the ones queued for a slot are bounded too.
      const burst = await Promise.all(Array.from({ length: POOL_SIZE * 3 }, () => call('GET', '/api/patients')));
      burst.forEach((answer, i) => assertUnavailable(answer, `burst request ${i}`));
      const live = await call('GET', '/healthz');
      assert.equal(live.status, 200);
      assert.deepEqual(live.body, { status: 'ok' });

      // A job queued while the server cannot see the database (written straight to PostgreSQL).
      const job = await db.query<{ id: string }>(
        `insert into platform.jobs (id, tenant_id, kind, payload, max_attempts) values (gen_random_uuid(), $1, 'auth.password_reset', $2, 3) returning id`,
        [tenantId, JSON.stringify({ email: adminEmail })],
      );
      // Let the job runner's poll fail a few times against the dead database.
      await sleep(2500);
      assertAlive();

      await proxy.restore();
      const took = await waitForRecovery();
      assert.ok(took < RECOVERY_MS, `recovered after ${took} ms`);
      await warmPool();
      assert.equal((await call('GET', '/readyz')).status, 200);
      assert.equal((await call('POST', '/auth/login', { body: { tenant: slug, email: adminEmail, password: PASSWORD } })).status, 200);

      // The job runner picked up where it left off: the queued job ran to completion.
      const deadline = Date.now() + 15_000;
      let status = '';
      while (status !== 'done' && Date.now() < deadline) {
        await sleep(200);
        status = (await db.query<{ status: string }>('select status from platform.jobs where id = $1', [job.rows[0]!.id])).rows[0]!.status;
      }
      assert.equal(status, 'done', 'the job queued during the outage did not run after it');
      assertAlive();
    });

    test('a cut in the middle of a transaction answers 503, not 500, and leaves no partial write', async () => {
      const marker = `Cut${randomBytes(6).toString('hex')}`;
      // The proxy forwards the patient insert, withholds PostgreSQL's answer to it and cuts: the
      // insert ran inside the open transaction, which was never committed.
      let cut = false;
      const cutting = proxy.cutAfter(marker, 'reset').then(() => (cut = true));
      const answer = await call('POST', '/api/patients', { body: { firstName: 'Half', lastName: marker, dateOfBirth: '1970-05-06' } });
      await Promise.race([cutting, sleep(2000)]);
      assert.ok(cut, `the insert never reached the database: ${JSON.stringify(answer.body)}`);
      outages++;
      assertUnavailable(answer, 'POST /api/patients cut in flight');
      await proxy.restore();
      await waitForRecovery();
      assert.equal(await patientCount(marker), 0, 'the interrupted transaction left a row behind');
      // The same request now succeeds, and the row is where the check above looked.
      const again = await call('POST', '/api/patients', { body: { firstName: 'Half', lastName: marker, dateOfBirth: '1970-05-06' } });
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(await patientCount(marker), 1);
      assertAlive();
    });

    test('black hole (no RST, no answer): requests still fail within the bound, then recover', async () => {
      await warmPool();
      await proxy.cut('blackhole');
      outages++;
      // Idle pooled connections now lead nowhere, and new ones are accepted but never answered.
      const answers = await Promise.all([
        ...Array.from({ length: POOL_SIZE * 2 }, () => call('GET', '/api/patients')),
        call('POST', '/auth/login', { body: { tenant: slug, email: adminEmail, password: PASSWORD } }),
        call('GET', '/readyz'),
      ]);
      answers.forEach((answer, i) => assertUnavailable(answer, `black-holed request ${i}`));
      assertUnavailable(await call('GET', '/api/patients'), 'GET /api/patients after the pool was emptied');
      assert.equal((await call('GET', '/healthz')).status, 200);
      assertAlive();
      await proxy.restore();
      await waitForRecovery();
      await warmPool();
      assertAlive();
    });

    test('repeated cuts leak no pool slots; each outage is logged once, not per request', async () => {
      for (let round = 0; round < 2; round++) {
        await warmPool();
        await proxy.cut(round === 0 ? 'close' : 'reset');
        outages++;
        const answers = await Promise.all(Array.from({ length: POOL_SIZE * 2 }, () => call('GET', '/api/patients')));
        answers.forEach((answer, i) => assertUnavailable(answer, `round ${round} request ${i}`));
        await proxy.restore();
        await waitForRecovery();
      }
      // A leaked slot would leave fewer than POOL_SIZE usable connections and these would queue
      // until the connect timeout (503) instead of all answering.
      const t0 = Date.now();
      const answers = await Promise.all(Array.from({ length: POOL_SIZE * 4 }, () => call('GET', '/api/patients')));
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200));
      assert.ok(Date.now() - t0 < CONNECT_TIMEOUT_MS * 2, `a burst took ${Date.now() - t0} ms`);
      // The runtime pool and the owner pool (4) are all the connections the server holds.
      assert.ok(proxy.connections <= POOL_SIZE + 4, `${proxy.connections} connections open through the proxy`);
      const out = server.output();
      assert.equal(countOf(out, 'database unavailable ('), outages, out);
      assert.equal(countOf(out, 'database reachable again after'), outages, out);
      assertAlive();
    });

    test('started while the database is down, the server retries with backoff and comes up when it is back', async () => {
      const target = new URL(base);
      const cold = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      await cold.cut('reset');
      const late = await spawnServer(cold.rewrite(direct.toString()));
      try {
        const deadline = Date.now() + 60_000;
        while (!late.output().includes('database not reachable at start')) {
          assert.equal(late.child.exitCode, null, `the server gave up at once:\n${late.output()}`);
          assert.ok(Date.now() < deadline, late.output());
          await sleep(100);
        }
        // The database comes back 2 s after the server first found it missing.
        await sleep(2000);
        assert.equal(late.child.exitCode, null, `the server exited while waiting:\n${late.output()}`);
        await cold.restore();
        const t0 = Date.now();
        await late.ready();
        assert.ok(Date.now() - t0 < 30_000, `came up ${Date.now() - t0} ms after the database`);
        const out = late.output();
        assert.match(out, /database not reachable at start \(.*ECONNREFUSED.*\): retrying in 0\.5 s \(attempt 2\)/);
        assert.match(out, /retrying in 1 s \(attempt 3\)/);
        assert.equal((await fetch(`${late.base}/readyz`)).status, 200);
      } finally {
        await late.stop();
        await cold.close();
      }
    });
  });
}
