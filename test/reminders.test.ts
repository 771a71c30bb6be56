// Durable jobs and appointment reminders: due-time claiming, at-most-once delivery, re-arming on
// reschedule, cancellation, concurrent runners, retry with backoff.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp, type TestTenant } from './support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, tenantRef, WEEKDAYS_9_TO_5 } from './support/scheduling-fixtures.ts';
import { withTenant, asPlatform, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { cancelReminder, scheduleReminder } from '../src/domain/scheduling/reminders.ts';
import { enqueueJob } from '../src/jobs/job-queue.ts';
import { JobRunner } from '../src/jobs/job-runner.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

interface World {
  tenant: TestTenant;
  ref: TenantRef;
  patientId: string;
  providerId: string;
  locationId: string;
  typeId: string;
}

async function world(tier: 'pooled' | 'schema' = 'pooled'): Promise<World> {
  const tenant = await t.createTenant(tier);
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { name: 'Mitte', timeZone: 'Europe/Berlin' });
  const providerId = await insertProvider(t, ref, { name: 'Dr Weber', locationId, hours: WEEKDAYS_9_TO_5 });
  const typeId = await insertAppointmentType(t, ref, { name: 'Check-up', durationMinutes: 30, providerIds: [providerId] });
  const p = await t.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Lena', lastName: 'Kraus', dateOfBirth: '1985-05-05', email: 'lena@example.test' } });
  assert.equal(p.statusCode, 201, p.body);
  return { tenant, ref, patientId: p.json().id, providerId, locationId, typeId };
}

async function insertAppointment(w: World, startsAt: Date): Promise<string> {
  const id = uuidv7();
  const endsAt = new Date(startsAt.getTime() + 30 * 60_000);
  await withTenant(t.services.db, w.ref, async (tx) => {
    await tx.query(
      `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, starts_at, ends_at, blocked)
       values ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7, $8, '[)'))`,
      [tx.tenantId, id, w.patientId, w.providerId, w.locationId, w.typeId, startsAt.toISOString(), endsAt.toISOString()],
    );
    await scheduleReminder(tx, { id, startsAt });
  });
  return id;
}

async function outbox(w: World) {
  return (
    await withTenant(t.services.db, w.ref, (tx) =>
      tx.query<{ message_key: string; to_address: string; subject: string; body_text: string; status: string; attachments: { content: string }[] }>(
        'select message_key, to_address, subject, body_text, status, attachments from email_outbox where tenant_id = $1 order by created_at',
        [tx.tenantId],
      ),
    )
  ).rows;
}

async function job(key: string) {
  return (await asPlatform(t.services.db, (tx) => tx.query<{ status: string; run_at: Date; attempts: number; last_error: string | null }>('select status, run_at, attempts, last_error from jobs where dedupe_key = $1', [key]))).rows[0];
}

const DAY = 86_400_000;

test('a reminder is due a day before, sent once with an iCalendar file, and not again on retry', async () => {
  const w = await world('schema');
  const startsAt = new Date(Date.now() + 3 * DAY);
  startsAt.setUTCHours(9, 0, 0, 0);
  const id = await insertAppointment(w, startsAt);
  const key = `reminder:${w.ref.id}:${id}`;
  assert.equal(new Date((await job(key))!.run_at).getTime(), startsAt.getTime() - DAY);

  await t.services.jobs.runDue(new Date(startsAt.getTime() - DAY - 60_000));
  assert.equal((await outbox(w)).length, 0, 'not yet due one minute before');
  await t.services.jobs.runDue(new Date(startsAt.getTime() - DAY + 60_000));
  const sent = await outbox(w);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.to_address, 'lena@example.test');
  assert.equal(sent[0]!.status, 'kept', 'development mode keeps the message');
  assert.match(sent[0]!.subject, /Check-up/);
  assert.match(sent[0]!.body_text, /Dr Weber/);
  assert.match(sent[0]!.body_text, /Europe\/Berlin/);
  const ics = sent[0]!.attachments[0]!.content;
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.match(ics, new RegExp(`DTSTART:${startsAt.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`));
  assert.equal((await job(key))!.status, 'done');

  // Re-arming the same appointment unchanged (a retried booking, a duplicate job) sends nothing new.
  await withTenant(t.services.db, w.ref, (tx) => scheduleReminder(tx, { id, startsAt }));
  await t.services.jobs.runDue(new Date(startsAt.getTime()));
  assert.equal((await outbox(w)).length, 1);
});

test('a rescheduled appointment is reminded at its new time only; a cancelled one not at all', async () => {
  const w = await world();
  const first = new Date(Date.now() + 5 * DAY);
  const id = await insertAppointment(w, first);
  const moved = new Date(first.getTime() + 2 * DAY);
  await withTenant(t.services.db, w.ref, async (tx) => {
    await tx.query(`update appointments set starts_at = $3, ends_at = $4, blocked = tstzrange($3, $4, '[)') where tenant_id = $1 and id = $2`, [
      tx.tenantId,
      id,
      moved.toISOString(),
      new Date(moved.getTime() + 30 * 60_000).toISOString(),
    ]);
    await scheduleReminder(tx, { id, startsAt: moved });
  });
  await t.services.jobs.runDue(new Date(first.getTime() - DAY + 60_000));
  assert.equal((await outbox(w)).length, 0, 'the old due time has passed without a message');
  await t.services.jobs.runDue(new Date(moved.getTime() - DAY + 60_000));
  assert.equal((await outbox(w)).length, 1);

  const other = await insertAppointment(w, new Date(Date.now() + 4 * DAY));
  await withTenant(t.services.db, w.ref, async (tx) => {
    await tx.query(`update appointments set status = 'cancelled' where tenant_id = $1 and id = $2`, [tx.tenantId, other]);
    await cancelReminder(tx, other);
  });
  assert.equal((await job(`reminder:${w.ref.id}:${other}`))!.status, 'cancelled');
  await t.services.jobs.runDue(new Date(Date.now() + 10 * DAY));
  assert.equal((await outbox(w)).length, 1);
});

test('two runners racing over the same due jobs send each reminder exactly once', async () => {
  const w = await world();
  const starts = Array.from({ length: 8 }, (_, i) => new Date(Date.now() + (2 + i) * DAY));
  for (const s of starts) await insertAppointment(w, s);
  const handlers = (t.services.jobs as unknown as { handlers: ReadonlyMap<string, never> }).handlers;
  const other = new JobRunner(t.services.db, handlers, { batchSize: 3 });
  const late = new Date(Date.now() + 20 * DAY);
  await Promise.all([t.services.jobs.runDue(late), other.runDue(late), t.services.jobs.runDue(late), other.runDue(late)]);
  await Promise.all([t.services.jobs.runDue(late), other.runDue(late)]);
  const keys = (await outbox(w)).map((m) => m.message_key);
  assert.equal(keys.length, 8);
  assert.equal(new Set(keys).size, 8);
});

test('a failing job is retried later with backoff, and gives up after its attempts', async () => {
  const w = await world();
  const key = `test-unknown:${w.ref.id}`;
  await withTenant(t.services.db, w.ref, (tx) => enqueueJob(tx, { tenantId: tx.tenantId, kind: 'no.such.kind', payload: {}, runAt: new Date(), dedupeKey: key, maxAttempts: 2 }));
  const before = Date.now();
  await t.services.jobs.runDue(new Date());
  let row = (await job(key))!;
  assert.equal(row.status, 'queued');
  assert.equal(row.attempts, 1);
  assert.match(row.last_error ?? '', /no handler/);
  assert.ok(new Date(row.run_at).getTime() >= before + 29_000, 'retried no sooner than the backoff');
  await t.services.jobs.runDue(new Date(Date.now() + 120_000));
  row = (await job(key))!;
  assert.equal(row.status, 'failed');
  assert.equal(row.attempts, 2);
});
