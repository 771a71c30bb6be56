#!/usr/bin/env node
// Runs the test suite with Node's test runner. On the embedded database (no DATABASE_URL) it first
// builds one migrated PGlite data directory, which every test file then loads in about a second
// instead of running initdb and all migrations again.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'support' ? [] : findTests(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

// The longest files start first, so that the two concurrency slots finish together instead of one
// slot running a long file alone at the end (wall times on the 2-core CI machine).
const SLOWEST_FIRST = [
  'test/no-500.test.ts',
  'test/migrations.test.ts',
  'test/production-build.test.ts',
  'test/bench-smoke.test.ts',
  'test/start.test.ts',
  'test/db-recovery.test.ts',
  'test/demo-seed.test.ts',
  'test/webhooks.test.ts',
];
function slowestFirst(list) {
  const rank = (f) => {
    const i = SLOWEST_FIRST.indexOf(f.split(path.sep).join('/'));
    if (i >= 0) return i;
    return f.split(path.sep).includes('e2e') ? SLOWEST_FIRST.length : SLOWEST_FIRST.length + 1;
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : slowestFirst(findTests('test'));
// V8 compiles PGlite's WebAssembly with its baseline compiler only: every test process opens a
// database and runs briefly, so optimising the hot functions costs more CPU than it saves
// (about 2-4 s per PGlite test file on the CI machine). Test files inherit this flag.
const NODE_FLAGS = ['--liftoff-only'];
const env = {
  // The suite makes many fast requests per practice (e.g. 50 bookings at once): plan limits ×1000
  // keep it clear of them. test/tenant-limits.test.ts sets real low limits per practice instead.
  HEALTHTRACK_TENANT_LIMITS_SCALE: '1000',
  ...process.env,
};

console.log(`Database: ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (embedded)'}; ${files.length} test files`);
if (!env.DATABASE_URL) {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'healthtrack-test-')), 'template.tar');
  const built = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'test/support/build-template.ts', out], { stdio: 'inherit', env });
  if (built.status !== 0) process.exit(built.status ?? 1);
  env.HEALTHTRACK_TEST_TEMPLATE = out;
}

// Browser tests serve the built web app: build it once per run into a directory of this run's own.
if (files.some((f) => f.split(path.sep).includes('e2e')) && !env.HEALTHTRACK_WEB_DIR) {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'healthtrack-web-')), 'web');
  console.log('Building the web app for the browser tests');
  const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
    env: { ...env, HEALTHTRACK_WEB_OUT: out },
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
  env.HEALTHTRACK_WEB_DIR = out;
}

const result = spawnSync(
  process.execPath,
  [...NODE_FLAGS, '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
