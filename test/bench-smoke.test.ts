/**
 * Benchmarks cannot rot: each one runs here with tiny sizes as a child process on the current
 * database and must finish and print its figures and the ratio to its baseline. Timing is never
 * asserted (benchmarks do not decide CI's colour). Point read measures PostgreSQL round trips, so
 * it exists only in the PostgreSQL run; the others run on both databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHILD_NODE_FLAGS } from './support/child-node.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NUMBER = String.raw`\d+(\.\d+)?`;

/** Runs `bench/<file>` with `args`; resolves with its output once it exits by itself. */
function runBench(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, '--import', 'tsx', `bench/${file}`, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function assertLines(output: string, patterns: readonly RegExp[]): void {
  for (const pattern of patterns) assert.match(output, pattern, `expected ${pattern} in:\n${output}`);
}

const LATENCY = new RegExp(`p50 ${NUMBER} ms\\s+p95 ${NUMBER} ms\\s+p99 ${NUMBER} ms`);

test('bench/mixed-workload.ts prints throughput, latencies per operation and overall, and the ratio to one practice', async () => {
  const { code, output } = await runBench('mixed-workload.ts', ['2', '6', '2', '200', '3']);
  assert.equal(code, 0, output);
  for (const op of ['search', 'slots', 'book', 'invoice', 'issue', 'payment', 'overall']) {
    assertLines(output, [new RegExp(`^\\s+${op}\\s+${NUMBER} ok/s\\s+(p50 (${NUMBER}|NaN) ms.*)?races \\d+\\s+refused \\d+\\s+errors \\d+`, 'm')]);
  }
  assertLines(output, [/2 practices/, /baseline: 1 practice/, new RegExp(`ratio 2 practices / 1 practice: throughput (${NUMBER}x|n/a), p95 (${NUMBER}x|n/a), p99 (${NUMBER}x|n/a)`)]);
  // The overall line of the many-practice phase has answered requests.
  assert.match(output, new RegExp(`overall\\s+${NUMBER} ok/s\\s+${LATENCY.source}`));
});

test('bench/mixed-workload.ts with BENCH_WORKERS=2 drives the real server in cluster mode (PostgreSQL only)', async () => {
  const { code, output } = await runBench('mixed-workload.ts', ['2', '6', '2', '200', '3'], { BENCH_WORKERS: '2' });
  if (!process.env.DATABASE_URL) {
    // The embedded database belongs to one process: the bench says so instead of measuring something else.
    assert.notEqual(code, 0, output);
    assert.match(output, /Cluster mode needs PostgreSQL \(DATABASE_URL\)/);
    return;
  }
  assert.equal(code, 0, output);
  assertLines(output, [/on postgres, cluster of 2 workers: 2 practices/, new RegExp(`overall\\s+${NUMBER} ok/s\\s+${LATENCY.source}`)]);
});

test('bench/noisy-neighbour.ts prints the quiet practices\' p99 with and without the noisy one, the ratio and the refusals', async () => {
  const { code, output } = await runBench('noisy-neighbour.ts', ['2', '3', '2', '10', '1']);
  assert.equal(code, 0, output);
  assertLines(output, [
    new RegExp(`round 1: fair share only\\s+quiet practices: ${NUMBER} ok/s\\s+${LATENCY.source}`),
    new RegExp(`round 1: with one practice at 10x\\s+quiet practices: ${NUMBER} ok/s\\s+${LATENCY.source}`),
    new RegExp(`all rounds, quiet practices without: ${LATENCY.source}\\s+with: ${LATENCY.source}`),
    /noisy practice\s+\d+(\.\d+)? ok\/s\s+refused \d+ of \d+/,
    new RegExp(`p99 quiet practices: ${NUMBER} ms without, ${NUMBER} ms with the noisy practice`),
    new RegExp(`ratio p99 with/without: ${NUMBER}x`),
  ]);
});

test('bench/onboarding.ts prints time and bytes per practice for each tier and the ratios', async () => {
  const { code, output } = await runBench('onboarding.ts', ['3', '1', '1']);
  assert.equal(code, 0, output);
  const row = (label: string, n: number) => new RegExp(`${label}\\s+n=\\s*${n}\\s+mean ${NUMBER} ms\\s+p50 ${NUMBER} ms\\s+p95 ${NUMBER} ms\\s+-?${NUMBER} KiB/tenant`);
  assertLines(output, [
    row('pooled', 3),
    row('schema', 1),
    new RegExp(`pooled: ${NUMBER} ms \\(target < 50 ms\\), -?${NUMBER} KiB \\(target < 50 KB\\)`),
    /ratio schema\/pooled: time (\d+(\.\d+)?x|n\/a), bytes (\d+(\.\d+)?x|n\/a)/,
  ]);
  if (process.env.DATABASE_URL) {
    assertLines(output, [row('database', 1), /ratio database\/pooled: time \d+(\.\d+)?x, bytes (\d+(\.\d+)?x|n\/a)/]);
  } else {
    assertLines(output, [/database-per-practice baseline: PostgreSQL only/]);
  }
});

// Round trips to a server are what point read measures: PGlite has none, so the test exists only here.
if (process.env.DATABASE_URL) {
  test('bench/point-read.ts prints the bare lookup, the full stack with and without the access cache, and the ratios', async () => {
    const { code, output } = await runBench('point-read.ts', ['1', '4', '10']);
    assert.equal(code, 0, output);
    assertLines(output, [
      /bare PK lookup \(baseline\)\s+\d+ req\/s/,
      /auth only: GET \/api\/me\s+\d+ req\/s/,
      /full stack, access cache off \(2 round trips\)\s+\d+ req\/s/,
      /full stack GET \/api\/patients\/:id\s+\d+ req\/s\s+p50/,
      /ratio full\/bare, access cache off: (\d+(\.\d+)?x|n\/a)/,
      /ratio full\/bare: (\d+(\.\d+)?x|n\/a)/,
    ]);
    // Every full-stack request was answered: the access cache never turns a read into an error.
    assert.match(output, /full stack GET \/api\/patients\/:id.*errors 0$/m);
  });
}
