// Which driver errors mean "the database is unreachable" (503 database_unavailable with Retry-After),
// and the outage log that speaks once per outage. The behaviour against a real restarting database
// is in db-recovery.test.ts (PostgreSQL runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvailabilityWatch, isDatabaseUnavailable, retryWhileUnavailable, type AvailabilityEvent } from '../src/db/availability.ts';
import { toAppError } from '../src/http/problem.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('connection failures are database_unavailable; statement failures are not', () => {
  const unavailable = [
    withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    withCode('ECONNRESET', 'read ECONNRESET'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006', 'connection failure'),
    withCode('08P01', 'protocol violation'),
    withCode('53300', 'sorry, too many clients already'),
    new Error('Connection terminated unexpectedly'),
    new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Query read timeout'),
    new Error('Client has encountered a connection error and is not queryable'),
    new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'),
  ];
  for (const err of unavailable) {
    assert.ok(isDatabaseUnavailable(err), err.message);
    const mapped = toAppError(err);
    assert.equal(mapped.code, 'database_unavailable', err.message);
    assert.equal(mapped.status, 503);
    assert.equal(mapped.extra.retryAfterSeconds, 5);
  }
  const others = [withCode('23505', 'duplicate key'), withCode('42P01', 'relation does not exist'), withCode('57014', 'canceling statement due to statement timeout'), new Error('boom'), 'ECONNRESET', null];
  for (const err of others) assert.equal(isDatabaseUnavailable(err), false, String(err));
});

test('an outage is reported once when it starts and once when it ends', () => {
  const events: AvailabilityEvent[] = [];
  const watch = new AvailabilityWatch((e) => events.push(e));
  watch.succeeded();
  watch.failed(new Error('boom'));
  assert.equal(events.length, 0);
  for (let i = 0; i < 5; i++) watch.failed(withCode('ECONNREFUSED'));
  watch.succeeded();
  watch.succeeded();
  watch.failed(new Error('Connection terminated unexpectedly'));
  watch.succeeded();
  assert.deepEqual(events.map((e) => e.kind), ['down', 'up', 'down', 'up']);
});

test('startup retries only while the database is unreachable, and gives up after the wait', async () => {
  const lines: string[] = [];
  let calls = 0;
  const value = await retryWhileUnavailable(async () => {
    if (++calls < 3) throw withCode('ECONNREFUSED', 'connect ECONNREFUSED');
    return 'up';
  }, { waitMs: 10_000, log: (l) => lines.push(l) });
  assert.equal(value, 'up');
  assert.equal(calls, 3);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /retrying in 0\.5 s \(attempt 2\)/);

  calls = 0;
  await assert.rejects(retryWhileUnavailable(async () => {
    calls++;
    throw new Error('password authentication failed');
  }, { waitMs: 10_000, log: () => undefined }), /password/);
  assert.equal(calls, 1);

  calls = 0;
  await assert.rejects(retryWhileUnavailable(async () => {
    calls++;
    throw withCode('ECONNREFUSED', 'connect ECONNREFUSED');
  }, { waitMs: 0, log: () => undefined }), /ECONNREFUSED/);
  assert.equal(calls, 1);
});
