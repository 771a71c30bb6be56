// The production build: `tsc -p tsconfig.build.json` compiles the server to plain JavaScript that
// runs on Node without tsx, using runtime dependencies only; it serves, answers its probes, and
// exits 0 on SIGTERM. With PostgreSQL it also runs as a cluster of two workers.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

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

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  exited: Promise<number | null>;
}

async function start(entry: string, env: Record<string, string>, ready: RegExp): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), HEALTHTRACK_JOBS: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!ready.test(out)) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

describe('production build', () => {
  let outDir: string;
  before(() => {
    // Inside the project, so the build resolves packages from its node_modules as an image would.
    mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
    outDir = mkdtempSync(path.join(ROOT, 'dist', 'test-build-'));
    const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(outDir, 'server')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, `tsc failed:\n${built.stdout}${built.stderr}`);
  });
  after(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('the server imports only runtime dependencies (an image installed with --omit=dev runs it)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm), ...text.matchAll(/^\s*import\s+'([^']+)'/gm), ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)];
      for (const m of specs) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || spec.startsWith('.')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    assert.ok(imported.has('fastify') && imported.has('pg'), 'the scan found the imports');
    const missing = [...imported].filter((p) => !(p in pkg.dependencies));
    assert.deepEqual(missing, [], 'imported by the server but not a runtime dependency');
  });

  test('node <build>/main.js serves on the embedded database, then exits 0 on SIGTERM', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'healthtrack-prod-data-'));
    const env: Record<string, string> = { HEALTHTRACK_DATA_DIR: data, HEALTHTRACK_DEMO: '0', HEALTHTRACK_MIGRATIONS_DIR: path.join(ROOT, 'migrations') };
    if (process.env.HEALTHTRACK_WEB_DIR) env.HEALTHTRACK_WEB_DIR = process.env.HEALTHTRACK_WEB_DIR;
    const server = await start(path.join(outDir, 'server', 'main.js'), env, /HealthTrack is running/);
    try {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      const page = await fetch(`${server.url}/login`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
      assert.match(server.output(), /SIGTERM: finishing requests in flight/);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });

  if (process.env.DATABASE_URL) {
    test('HEALTHTRACK_WORKERS=2 on PostgreSQL: the primary migrates once, two workers serve, SIGTERM stops them all', async () => {
      const base = process.env.DATABASE_URL!;
      const name = `ht_cluster_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(base);
      url.pathname = `/${name}`;
      const server = await start(
        path.join(outDir, 'server', 'main.js'),
        { DATABASE_URL: url.toString(), HEALTHTRACK_WORKERS: '2', HEALTHTRACK_DEMO: '0', HEALTHTRACK_MIGRATIONS_DIR: path.join(ROOT, 'migrations') },
        /cluster: 2 workers/,
      );
      try {
        // Workers come up after the primary's message: wait until one answers.
        let ready = false;
        for (let i = 0; i < 100 && !ready; i++) {
          ready = await fetch(`${server.url}/readyz`).then((r) => r.ok, () => false);
          if (!ready) await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok(ready, server.output());
        const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/healthz`).then((r) => r.status)));
        assert.deepEqual(new Set(answers), new Set([200]));
        server.child.kill('SIGTERM');
        assert.equal(await server.exited, 0, server.output());
        assert.match(server.output(), /cluster: stopping workers/);
        assert.doesNotMatch(server.output(), /starting a replacement/);
      } finally {
        server.child.kill('SIGKILL');
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  }
});
