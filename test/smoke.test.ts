import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

test('a pooled and a schema tenant each create and read a patient', async () => {
  for (const tier of ['pooled', 'schema'] as const) {
    const tenant = await t.createTenant(tier);
    const created = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' } });
    assert.equal(created.statusCode, 201, created.body);
    const got = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${created.json().id}` });
    assert.equal(got.json().lastName, 'Lovelace');
  }
});
