// Inputs that pass the JSON schema but not PostgreSQL (a `urn:uuid:` id, the year 0000) answer 400 on the reports and operator usage routes, never 500.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp | undefined;
after(async () => t?.close());

test('odd but schema-valid report and cost inputs are not 500', async () => {
  t = await startTestApp();
  const a = await t.createTenant();
  const id = '3f2b8c1e-8a4e-4c1b-9d2e-1f2a3b4c5d6e';
  const staff = [
    `/api/reports/appointments?providerId=urn:uuid:${id}`,
    '/api/reports/appointments?from=0000-01-01&to=0000-01-02',
    '/api/reports/revenue?from=0000-12-31&to=0001-01-01',
  ];
  const failures: string[] = [];
  for (const url of staff) {
    const res = await t.api(a, a.adminToken, { method: 'GET', url });
    if (res.statusCode >= 500) failures.push(`${url} -> ${res.statusCode} ${res.body}`);
  }
  const op = await t.operatorToken();
  for (const url of ['/platform/costs?from=0000-01-01&to=0000-01-02', `/platform/tenants/${a.id}/usage/daily?from=0000-01-01&to=0000-01-02`]) {
    const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${op}` } });
    if (res.statusCode >= 500) failures.push(`${url} -> ${res.statusCode} ${res.body}`);
  }
  assert.deepEqual(failures, []);
});
