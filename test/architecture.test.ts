// Structural rules from STYLE.md, checked on the source: layers import one way, no cycles, and the
// database is reached only through the tenancy door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(ROOT);
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
const imports = new Map<string, string[]>();
const packages = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => (m[1] ?? m[2])!);
  imports.set(rel(file), specs.filter((s) => s.startsWith('.')).map((s) => rel(path.resolve(path.dirname(file), s))));
  packages.set(rel(file), specs.filter((s) => !s.startsWith('.')));
}

test('the import graph has no cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
      return;
    }
    state.set(node, 'visiting');
    for (const next of imports.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of imports.keys()) visit(node, []);
  assert.deepEqual(cycles, []);
});

test('domain code never imports the HTTP layer or Fastify', () => {
  const offenders = [...imports.entries()]
    .filter(([file]) => file.startsWith('domain/'))
    .flatMap(([file, deps]) => [
      ...deps.filter((d) => d.startsWith('http/')).map((d) => `${file} imports ${d}`),
      ...(packages.get(file) ?? []).filter((p) => p.startsWith('fastify') || p.startsWith('@fastify')).map((p) => `${file} imports ${p}`),
    ]);
  assert.deepEqual(offenders, []);
});

test('only the db layer opens database drivers', () => {
  const offenders = [...packages.entries()]
    .filter(([file, pkgs]) => !file.startsWith('db/') && pkgs.some((p) => p === 'pg' || p.startsWith('@electric-sql/pglite')))
    .map(([file]) => file);
  assert.deepEqual(offenders, []);
});

test('transactions are opened only by the tenancy door and the db layer', () => {
  const offenders = files
    .filter((f) => /\.(runtimeTransaction|ownerTransaction)\(/.test(readFileSync(f, 'utf8')))
    .map(rel)
    .filter((f) => !f.startsWith('db/') && f !== 'tenancy/tenant-db.ts');
  assert.deepEqual(offenders, []);
});

test('the tenancy core knows nothing of clinics', () => {
  const offenders = [...imports.entries()]
    .filter(([file]) => file.startsWith('tenancy/') || file.startsWith('db/'))
    .flatMap(([file, deps]) => deps.filter((d) => /^(domain|http|platform|identity)\//.test(d)).map((d) => `${file} imports ${d}`));
  assert.deepEqual(offenders, []);
});

test('server modules the web app imports are plain modules with no imports of their own', () => {
  // The web build bundles them; an import would drag server code (or Node) into the browser.
  const webFiles = (function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : /\.tsx?$/.test(full) ? [full] : [];
    });
  })(path.resolve('web', 'src'));
  const shared = new Set<string>();
  for (const file of webFiles) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (target.startsWith(ROOT + path.sep)) shared.add(rel(target));
    }
  }
  assert.ok(shared.has('platform/daily-usage-types.ts') && shared.has('domain/forms/mapping-targets.ts'), [...shared].join(', '));
  const offenders = [...shared].filter((f) => (imports.get(f) ?? []).length > 0 || (packages.get(f) ?? []).length > 0 || !imports.has(f));
  assert.deepEqual(offenders, []);
});
