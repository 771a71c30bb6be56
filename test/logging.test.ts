// Logs carry request ids and tenants but no PHI: no bodies, no query strings, no credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildApp, redactPath } from '../src/http/app.ts';
import { startServices } from '../src/services.ts';
import { testConfig, testOpenOptions, PASSWORD } from './support/harness.ts';
import { createTenant } from '../src/platform/tenant-provisioning.ts';
import { randomBytes } from 'node:crypto';

test('request logs name the request id and path but never patient data or secrets', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const services = await startServices(testConfig({ logLevel: 'info' }), testOpenOptions());
  const app = await buildApp(services, { logger: { stream } });
  try {
    const slug = `log-${randomBytes(4).toString('hex')}`;
    await createTenant(services.db, { slug, name: 'Log Clinic', tier: 'pooled', admin: { email: `a@${slug}.test`, password: PASSWORD, name: 'A' } });
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email: `a@${slug}.test`, password: PASSWORD } });
    const token = login.json().accessToken as string;
    const headers = { authorization: `Bearer ${token}`, 'x-tenant': slug, 'x-request-id': 'req-log-test-0001' };
    await app.inject({ method: 'POST', url: '/api/patients', headers, payload: { firstName: 'Zebulon', lastName: 'Quixotic', dateOfBirth: '1971-07-07', phone: '555-867-5309' } });
    await app.inject({ method: 'GET', url: '/api/patients?q=Quixotic&phone=8675309', headers });
    const linkToken = 'LinkTokenNeverLogged_0123456789abcdefghijklmn';
    await app.inject({ method: 'GET', url: `/public/forms/${slug}/${linkToken}` });
    await app.inject({ method: 'POST', url: `/waitlist/offers/${slug}/${linkToken}/accept` });
    const out = lines.join('');
    assert.match(out, /"path":"\/public\/forms\/[a-z0-9-]+\/:token"/);
    assert.match(out, /req-log-test-0001/);
    assert.match(out, /"path":"\/api\/patients"/);
    for (const secret of ['Zebulon', 'Quixotic', '8675309', '1971-07-07', PASSWORD, token.slice(20, 60), linkToken]) {
      assert.ok(!out.includes(secret), `log output contains ${secret}`);
    }
  } finally {
    await app.close();
    await services.close();
  }
});

test('secrets carried in patient-link and feed paths are redacted from logged paths', () => {
  const token = 'q9XrT4mZ-secret-token_abcdefghijklmnopqrstuv';
  for (const [path, expected] of [
    [`/public/forms/riverside/${token}`, '/public/forms/riverside/:token'],
    [`/p/riverside/forms/${token}`, '/p/riverside/forms/:token'],
    [`/waitlist/offers/riverside/${token}/accept`, '/waitlist/offers/riverside/:token/accept'],
    [`/feeds/riverside/providers/01900000-0000-7000-8000-000000000001/${token}.ics`, '/feeds/riverside/providers/01900000-0000-7000-8000-000000000001/:secret'],
    ['/api/patients/01900000-0000-7000-8000-000000000001', '/api/patients/01900000-0000-7000-8000-000000000001'],
  ] as const) {
    assert.equal(redactPath(path), expected);
    assert.ok(!redactPath(path).includes(token));
  }
});

test('every request line is JSON with its request id; once the practice is known, its id, route, status and duration', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const services = await startServices(testConfig({ logLevel: 'info' }), testOpenOptions());
  const app = await buildApp(services, { logger: { stream } });
  try {
    const slug = `log-${randomBytes(4).toString('hex')}`;
    const created = await createTenant(services.db, { slug, name: 'Log Clinic', tier: 'pooled', admin: { email: `a@${slug}.test`, password: PASSWORD, name: 'A' } });
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email: `a@${slug}.test`, password: PASSWORD } });
    const token = login.json().accessToken as string;
    const headers = { authorization: `Bearer ${token}`, 'x-tenant': slug };
    const name = `Wilhelmina${randomBytes(3).toString('hex')}`;
    const email = `${name.toLowerCase()}@private-mail.test`;
    lines.length = 0;
    const made = await app.inject({ method: 'POST', url: '/api/patients', headers, payload: { firstName: name, lastName: 'Fairweather', dateOfBirth: '1980-02-03', email } });
    assert.equal(made.statusCode, 201, made.body);
    const found = await app.inject({ method: 'GET', url: `/api/patients?q=${name}`, headers });
    assert.equal(found.statusCode, 200);
    assert.equal(found.json().items.length, 1);
    const bad = await app.inject({ method: 'POST', url: '/api/patients', headers, payload: { firstName: name, email, dateOfBirth: 'not-a-date' } });
    assert.equal(bad.statusCode, 400);

    const tenantId = created.tenant.id;
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(entries.length >= 6, `${entries.length} lines`);
    for (const entry of entries) assert.equal(typeof entry.reqId, 'string');
    const completed = entries.filter((e) => e.msg === 'request completed');
    assert.equal(completed.length, 3);
    for (const entry of completed) {
      assert.equal(entry.tenant, tenantId);
      assert.equal(entry.route, '/api/patients');
      assert.equal(typeof entry.responseTime, 'number');
    }
    assert.deepEqual(completed.map((e) => (e.res as { statusCode: number }).statusCode), [201, 200, 400]);
    const out = lines.join('\n');
    for (const secret of [name, name.toLowerCase(), email, 'Fairweather', token, token.slice(-40), PASSWORD]) {
      assert.ok(!out.includes(secret), `log output contains ${secret}`);
    }
  } finally {
    await app.close();
    await services.close();
  }
});
