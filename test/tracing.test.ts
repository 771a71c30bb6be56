// OpenTelemetry tracing: off by default; with an OTLP endpoint, a server span per request (route
// template, status, practice id) with database statement spans as children, joined to the
// caller's W3C trace, exported over OTLP/HTTP JSON, and nothing that could be PHI; background job
// runs as spans of their own with their statements as children.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startTestApp, testConfig, type TestApp } from './support/harness.ts';
import { monitoringConfig } from '../src/observability/monitoring-config.ts';
import { parentFromTraceparent } from '../src/observability/tracing.ts';
import { trace } from '@opentelemetry/api';
import { asPlatform } from '../src/tenancy/tenant-db.ts';
import { enqueueJobsOnce } from '../src/jobs/job-queue.ts';
import { USAGE_STORAGE_JOB } from '../src/platform/usage-jobs.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}

/** A tiny OTLP/HTTP receiver on loopback that keeps every span and raw body it is sent. */
let receiver: Server;
let url: string;
const spans: OtlpSpan[] = [];
const bodies: string[] = [];
const services: string[] = [];

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      assert.equal(req.url, '/v1/traces');
      assert.match(String(req.headers['content-type']), /application\/json/);
      const doc = JSON.parse(body) as {
        resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of doc.resourceSpans) {
        services.push(String(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue));
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

test('tracing is off unless an OTLP endpoint is set', () => {
  assert.equal(monitoringConfig({}).tracesUrl, undefined);
  assert.equal(monitoringConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracesUrl, 'http://collector:4318/v1/traces');
  assert.equal(monitoringConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' }).tracesUrl, 'http://c:4318/custom');
  assert.equal(monitoringConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', HEALTHTRACK_TRACING: '0' }).tracesUrl, undefined);
});

test('traceparent headers are followed only when well formed', () => {
  const ok = trace.getSpanContext(parentFromTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'));
  assert.equal(ok?.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(ok?.isRemote, true);
  for (const bad of ['00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'garbage', undefined]) {
    assert.equal(trace.getSpanContext(parentFromTraceparent(bad)), undefined, String(bad));
  }
});

test('requests and background job runs become spans with statement children, requests in the caller trace, without PHI', async () => {
  let t: TestApp | undefined;
  const closed = { done: false };
  try {
    t = await startTestApp({ monitoring: { ...testConfig().monitoring, tracesUrl: `${url}/v1/traces` } });
    const tenant = await t.createTenant();
    const name = `Ottoline${randomBytes(3).toString('hex')}`;
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const made = await t.api(tenant, tenant.adminToken, {
      method: 'POST',
      url: '/api/patients',
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
      payload: { firstName: name, lastName: 'Quillfeather', dateOfBirth: '1975-05-06', email: `${name}@mail.test` },
    });
    assert.equal(made.statusCode, 201, made.body);
    const found = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients?q=${name}` });
    assert.equal(found.json().items.length, 1);
    // Two job runs of this practice: a storage measurement, and one with no handler (it fails and is queued again).
    const day = new Date().toISOString().slice(0, 10);
    const unknownKind = `tracing.unknown.${randomBytes(3).toString('hex')}`;
    await asPlatform(t.services.db, (tx) =>
      enqueueJobsOnce(tx, [
        { tenantId: tenant.id, kind: USAGE_STORAGE_JOB, payload: { day }, runAt: new Date(Date.now() - 1000), dedupeKey: `${USAGE_STORAGE_JOB}:${tenant.id}:${day}:tracing` },
        { tenantId: tenant.id, kind: unknownKind, payload: {}, runAt: new Date(Date.now() - 1000), dedupeKey: `${unknownKind}:${tenant.id}` },
      ]),
    );
    assert.ok((await t.services.jobs.runDue(new Date())) >= 2);
    await t.close(); // flushes the batch
    closed.done = true;

    assert.ok(services.every((s) => s === 'healthtrack') && services.length > 0);
    const create = spans.find((s) => s.traceId === traceId && s.kind === 2);
    assert.ok(create, 'the request joined the caller trace');
    assert.equal(create.parentSpanId, parentId);
    assert.equal(create.name, 'POST /api/patients');
    assert.equal(attr(create, 'http.route'), '/api/patients');
    assert.equal(attr(create, 'http.response.status_code'), 201);
    assert.equal(attr(create, 'healthtrack.tenant.id'), tenant.id);
    const statements = spans.filter((s) => s.parentSpanId === create.spanId);
    assert.ok(statements.length > 0, 'statement spans are children of the request span');
    for (const s of statements) {
      assert.equal(s.name, 'db.statement');
      assert.equal(s.traceId, traceId);
    }
    const search = spans.find((s) => s.name === 'GET /api/patients' && attr(s, 'healthtrack.tenant.id') === tenant.id);
    assert.ok(search, 'a request without traceparent starts its own trace');
    assert.notEqual(search.traceId, traceId);
    assert.equal(search.parentSpanId ?? '', '');

    // Each job run is a consumer span of its own trace, with its statements as children.
    const job = spans.find((s) => s.name === `job ${USAGE_STORAGE_JOB}` && attr(s, 'healthtrack.tenant.id') === tenant.id);
    assert.ok(job, 'the job run was exported as a span');
    assert.equal(job.kind, 5); // CONSUMER
    assert.equal(job.parentSpanId ?? '', '');
    assert.equal(attr(job, 'healthtrack.job.kind'), USAGE_STORAGE_JOB);
    assert.equal(attr(job, 'healthtrack.job.outcome'), 'done');
    const jobStatements = spans.filter((s) => s.parentSpanId === job.spanId);
    assert.ok(jobStatements.length > 0, 'the statements the job ran are its children');
    for (const s of jobStatements) assert.equal(s.name, 'db.statement');
    const failed = spans.find((s) => s.name === `job ${unknownKind}`) as (OtlpSpan & { status?: { code?: number } }) | undefined;
    assert.ok(failed, 'a failing run is traced too');
    assert.equal(attr(failed, 'healthtrack.job.outcome'), 'retry');
    assert.equal(failed.status?.code, 2); // ERROR
    const exported = bodies.join('');
    for (const secret of [name, 'Quillfeather', '1975-05-06', tenant.adminToken.slice(-40), tenant.slug]) {
      assert.ok(!exported.includes(secret), `exported spans contain ${secret}`);
    }
  } finally {
    if (t && !closed.done) await t.close();
  }
});
