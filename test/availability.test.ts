/**
 * Availability: the pure slot engine on daylight-saving days and at every rule's boundary (fixed
 * `now`), then `checkBookable` and GET /api/scheduling/slots on the real database.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { computeSlots, evaluateStart, checkBookable, type SlotSearchInput, type ProviderAvailability } from '../src/domain/scheduling/availability.ts';
import { DEFAULT_RULES, type SchedulingRules } from '../src/domain/scheduling/rules.ts';
import { toZonedIso, wallToInstant, wallEndToInstant } from '../src/domain/scheduling/time.ts';
import { uuidv7 } from '../src/db/uuid.ts';
import { withTenant, type TenantRef } from '../src/tenancy/tenant-db.ts';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import {
  insertAppointmentType, insertLocation, insertProvider, insertResource, setPracticeRules, tenantRef, WEEKDAYS_9_TO_5, type WeeklyHours,
} from './support/scheduling-fixtures.ts';

const EVERY_DAY_9_TO_5: WeeklyHours = { ...WEEKDAYS_9_TO_5, 6: [['09:00', '17:00']], 7: [['09:00', '17:00']] };
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const P1 = '01900000-0000-7000-8000-0000000000a1';
const R1 = '01900000-0000-7000-8000-0000000000b1';
const R2 = '01900000-0000-7000-8000-0000000000b2';

function hoursRows(hours: WeeklyHours): ProviderAvailability['weeklyHours'] {
  return Object.entries(hours).flatMap(([weekday, list]) => list.map(([start, end]) => ({ weekday: Number(weekday), start, end })));
}

function provider(over: Partial<ProviderAvailability> = {}): ProviderAvailability {
  return { id: P1, weeklyHours: hoursRows(EVERY_DAY_9_TO_5), overrides: {}, timeOff: [], appointments: [], ...over };
}

/** A search with lenient rules (no notice, long horizon, hourly slots of one hour) unless overridden. */
function input(over: Partial<Omit<SlotSearchInput, 'rules'>> & { rules?: Partial<SchedulingRules>; zone?: string } = {}): SlotSearchInput {
  const { rules, zone, ...rest } = over;
  return {
    rules: { ...DEFAULT_RULES, slotMinutes: 60, minNoticeMinutes: 0, horizonDays: 730, ...rules },
    type: { id: 'type-1', durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 },
    location: { id: 'loc-1', timeZone: zone ?? NY, openingHours: {}, holidays: [] },
    providers: [provider()],
    resourcePool: null,
    now: new Date('2026-01-01T00:00:00Z'),
    from: '2026-03-10',
    to: '2026-03-10',
    ...rest,
  };
}

/** A wall time in a zone as an instant (tests only: Luxon's own resolution). */
function at(zone: string, local: string): Date {
  return DateTime.fromISO(local, { zone }).toJSDate();
}

function localStarts(slots: { start: Date }[], zone: string): string[] {
  return slots.map((s) => DateTime.fromJSDate(s.start, { zone }).toFormat('HH:mm'));
}

function firstPerDay(slots: { start: Date }[], zone: string): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const s of slots) {
    const d = DateTime.fromJSDate(s.start, { zone }).toISODate()!;
    if (!out.has(d)) out.set(d, s.start);
  }
  return out;
}

const HOUR = 3_600_000;

describe('wall time in a zone', () => {
  test('a spring-forward gap time does not exist; an ambiguous fall-back time is the earlier instant', () => {
    assert.equal(wallToInstant('2026-03-08', 2 * 60 + 30, NY), null);
    assert.equal(wallToInstant('2026-03-29', 2 * 60 + 30, BERLIN), null);
    assert.equal(wallToInstant('2026-11-01', 90, NY)?.toISOString(), '2026-11-01T05:30:00.000Z'); // 01:30 EDT, not EST
    assert.equal(wallToInstant('2026-10-25', 150, BERLIN)?.toISOString(), '2026-10-25T00:30:00.000Z'); // 02:30 CEST
    assert.equal(wallToInstant('2026-03-08', 3 * 60, NY)?.toISOString(), '2026-03-08T07:00:00.000Z');
    // An interval END in the gap is the transition itself.
    assert.equal(wallEndToInstant('2026-03-08', 2 * 60 + 30, NY).toISOString(), '2026-03-08T07:00:00.000Z');
  });
});

describe('computeSlots on daylight-saving days', () => {
  for (const [zone, name, before, day, after, hoursOnDay, beforeOffset, afterOffset] of [
    [NY, 'New York spring forward', '2026-03-07', '2026-03-08', '2026-03-09', 23, '-05:00', '-04:00'],
    [NY, 'New York fall back', '2026-10-31', '2026-11-01', '2026-11-02', 25, '-04:00', '-05:00'],
    [BERLIN, 'Berlin spring forward', '2026-03-28', '2026-03-29', '2026-03-30', 23, '+01:00', '+02:00'],
    [BERLIN, 'Berlin fall back', '2026-10-24', '2026-10-25', '2026-10-26', 25, '+02:00', '+01:00'],
  ] as const) {
    test(`${name}: 09:00–17:00 wall hours start at 09:00 local each day`, () => {
      const slots = computeSlots(input({ zone, from: before, to: after }));
      const first = firstPerDay(slots, zone);
      assert.deepEqual([...first.keys()], [before, day, after]);
      for (const d of [before, day, after]) {
        assert.equal(localStarts(slots.filter((s) => DateTime.fromJSDate(s.start, { zone }).toISODate() === d), zone).join(','), '09:00,10:00,11:00,12:00,13:00,14:00,15:00,16:00');
      }
      const [b, d, a] = [first.get(before)!, first.get(day)!, first.get(after)!];
      assert.equal(d.getTime() - b.getTime(), hoursOnDay * HOUR, 'the DST day is 23 or 25 hours long');
      assert.equal(a.getTime() - d.getTime(), 24 * HOUR);
      assert.ok(toZonedIso(b, zone).endsWith(beforeOffset), toZonedIso(b, zone));
      assert.equal(toZonedIso(d, zone), `${day}T09:00:00${afterOffset}`);
      assert.ok(toZonedIso(a, zone).endsWith(afterOffset));
      for (const s of slots) assert.equal(s.end.getTime() - s.start.getTime(), HOUR);
    });
  }

  test('hours spanning the spring-forward gap offer no 02:xx start and keep real durations', () => {
    const p = provider({ overrides: { '2026-03-08': [['01:00', '04:00']] } });
    const half = computeSlots(input({ providers: [p], from: '2026-03-08', to: '2026-03-08', rules: { slotMinutes: 30 }, type: { id: 't', durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 } }));
    assert.deepEqual(localStarts(half, NY), ['01:00', '01:30', '03:00', '03:30']);
    for (const s of half) assert.equal(s.end.getTime() - s.start.getTime(), 30 * 60_000);
    assert.equal(toZonedIso(half[1]!.end, NY), '2026-03-08T03:00:00-04:00', '01:30 EST + 30 min is 03:00 EDT');
    // An hour-long visit: 01:30 EST ends 03:30 EDT (inside), 03:30 EDT would end 04:30 (outside).
    const hour = computeSlots(input({ providers: [p], from: '2026-03-08', to: '2026-03-08', rules: { slotMinutes: 30 } }));
    assert.deepEqual(localStarts(hour, NY), ['01:00', '01:30', '03:00']);
    assert.deepEqual(hour.map((s) => toZonedIso(s.end, NY)), ['2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00', '2026-03-08T04:00:00-04:00']);
    assert.equal(evaluateStart(input({ providers: [p], rules: { slotMinutes: 30 } }), P1, new Date('2026-03-08T07:30:00Z')).ok, false);
  });

  test('fall back: the repeated hour is offered once, at the earlier offset', () => {
    const p = provider({ overrides: { '2026-11-01': [['00:00', '03:00']] } });
    const slots = computeSlots(input({ providers: [p], from: '2026-11-01', to: '2026-11-01', rules: { slotMinutes: 30 }, type: { id: 't', durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 } }));
    assert.deepEqual(localStarts(slots, NY), ['00:00', '00:30', '01:00', '01:30', '02:00', '02:30']);
    assert.equal(toZonedIso(slots[2]!.start, NY), '2026-11-01T01:00:00-04:00');
    assert.equal(toZonedIso(slots[3]!.start, NY), '2026-11-01T01:30:00-04:00');
    assert.equal(toZonedIso(slots[4]!.start, NY), '2026-11-01T02:00:00-05:00');
    assert.equal(slots[4]!.start.getTime() - slots[3]!.start.getTime(), 90 * 60_000, 'the second 01:xx hour has no starts');
    const base = input({ providers: [p], rules: { slotMinutes: 30 }, type: { id: 't', durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 } });
    assert.equal(evaluateStart(base, P1, new Date('2026-11-01T01:30:00-04:00')).ok, true);
    const second = evaluateStart(base, P1, new Date('2026-11-01T01:30:00-05:00'));
    assert.equal(second.ok ? 'ok' : second.rule, 'slot_alignment');
  });
});

function rule(v: ReturnType<typeof evaluateStart>): string {
  return v.ok ? 'ok' : v.rule;
}

describe('rules at their boundaries (New York, Tuesday 2026-03-10, EDT)', () => {
  const nine = at(NY, '2026-03-10T09:00');

  test('minimum notice: exactly the notice, one minute more, one minute less', () => {
    const withNow = (local: string) => input({ rules: { minNoticeMinutes: 120 }, now: at(NY, local) });
    assert.equal(rule(evaluateStart(withNow('2026-03-10T07:00'), P1, nine)), 'ok');
    assert.equal(rule(evaluateStart(withNow('2026-03-10T06:59'), P1, nine)), 'ok');
    assert.equal(rule(evaluateStart(withNow('2026-03-10T07:01'), P1, nine)), 'min_notice');
    assert.equal(localStarts(computeSlots(withNow('2026-03-10T07:01')), NY)[0], '10:00');
    assert.equal(localStarts(computeSlots(withNow('2026-03-10T07:00')), NY)[0], '09:00');
  });

  test('horizon: the last allowed local day versus the next, and local midnight moving "today"', () => {
    const withNow = (local: string) => input({ rules: { horizonDays: 10 }, now: at(NY, local), from: '2026-03-19', to: '2026-03-22' });
    const lastDayLastSlot = at(NY, '2026-03-20T16:00');
    const nextDayFirstSlot = at(NY, '2026-03-21T09:00');
    assert.equal(rule(evaluateStart(withNow('2026-03-10T23:59'), P1, lastDayLastSlot)), 'ok');
    assert.equal(rule(evaluateStart(withNow('2026-03-10T23:59'), P1, nextDayFirstSlot)), 'horizon');
    assert.equal(rule(evaluateStart(withNow('2026-03-11T00:00'), P1, nextDayFirstSlot)), 'ok');
    assert.deepEqual([...firstPerDay(computeSlots(withNow('2026-03-10T23:59')), NY).keys()], ['2026-03-19', '2026-03-20']);
    assert.deepEqual([...firstPerDay(computeSlots(withNow('2026-03-11T00:00')), NY).keys()], ['2026-03-19', '2026-03-20', '2026-03-21']);
  });

  test('window end: ending exactly at closing is allowed, one minute over is not', () => {
    const type = (durationMinutes: number) => ({ id: 't', durationMinutes, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 });
    assert.equal(rule(evaluateStart(input({ type: type(60) }), P1, at(NY, '2026-03-10T16:00'))), 'ok');
    assert.equal(rule(evaluateStart(input({ type: type(61) }), P1, at(NY, '2026-03-10T16:00'))), 'outside_hours');
    assert.equal(localStarts(computeSlots(input({ type: type(60) })), NY).at(-1), '16:00');
    assert.equal(localStarts(computeSlots(input({ type: type(61) })), NY).at(-1), '15:00');
    // Buffers must fit in working hours too: 5 minutes after a visit ending at 17:00 is outside.
    assert.equal(rule(evaluateStart(input({ type: { id: 't', durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 5 } }), P1, at(NY, '2026-03-10T16:00'))), 'outside_hours');
    assert.equal(localStarts(computeSlots(input({ rules: { slotMinutes: 15 }, type: { id: 't', durationMinutes: 30, bufferBeforeMinutes: 10, bufferAfterMinutes: 0 } })), NY)[0], '09:15');
  });

  test('buffers touching an existing appointment are fine; overlapping it by one minute is a conflict', () => {
    const type = { id: 't', durationMinutes: 30, bufferBeforeMinutes: 10, bufferAfterMinutes: 5 };
    const booked = (fromLocal: string, toLocal: string) =>
      provider({ appointments: [{ startsAt: at(NY, fromLocal), blocked: { from: at(NY, fromLocal), to: at(NY, toLocal) } }] });
    // Candidate 11:00 blocks 10:50–11:35.
    const base = { type, rules: { slotMinutes: 30 } };
    assert.equal(rule(evaluateStart(input({ ...base, providers: [booked('2026-03-10T10:00', '2026-03-10T10:50')] }), P1, at(NY, '2026-03-10T11:00'))), 'ok');
    assert.equal(rule(evaluateStart(input({ ...base, providers: [booked('2026-03-10T10:00', '2026-03-10T10:51')] }), P1, at(NY, '2026-03-10T11:00'))), 'conflict');
    assert.equal(rule(evaluateStart(input({ ...base, providers: [booked('2026-03-10T11:35', '2026-03-10T12:00')] }), P1, at(NY, '2026-03-10T11:00'))), 'ok');
    assert.equal(rule(evaluateStart(input({ ...base, providers: [booked('2026-03-10T11:34', '2026-03-10T12:00')] }), P1, at(NY, '2026-03-10T11:00'))), 'conflict');
    // 09:00 is out (its 10-minute buffer starts before opening), 09:30–11:00 meet the booking.
    const after = ['11:30', '12:00', '12:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00'];
    assert.deepEqual(localStarts(computeSlots(input({ ...base, providers: [booked('2026-03-10T10:00', '2026-03-10T10:51')] })), NY), after);
    assert.deepEqual(localStarts(computeSlots(input({ ...base, providers: [booked('2026-03-10T10:00', '2026-03-10T10:50')] })), NY), ['11:00', ...after]);
  });

  test('time off: touching edges are free, one minute into it is not', () => {
    const off = (from: string, to: string) => provider({ timeOff: [{ from: at(NY, `2026-03-10T${from}`), to: at(NY, `2026-03-10T${to}`) }] });
    assert.equal(rule(evaluateStart(input({ providers: [off('12:00', '13:00')] }), P1, at(NY, '2026-03-10T11:00'))), 'ok');
    assert.equal(rule(evaluateStart(input({ providers: [off('12:00', '13:00')] }), P1, at(NY, '2026-03-10T13:00'))), 'ok');
    assert.equal(rule(evaluateStart(input({ providers: [off('11:59', '13:00')] }), P1, at(NY, '2026-03-10T11:00'))), 'time_off');
    assert.equal(rule(evaluateStart(input({ providers: [off('12:00', '13:01')] }), P1, at(NY, '2026-03-10T13:00'))), 'time_off');
    assert.deepEqual(localStarts(computeSlots(input({ providers: [off('12:00', '13:01')] })), NY), ['09:00', '10:00', '11:00', '14:00', '15:00', '16:00']);
  });

  test('holiday closes the location for the day only', () => {
    const base = input({ location: { id: 'loc-1', timeZone: NY, openingHours: {}, holidays: ['2026-03-10'] }, from: '2026-03-10', to: '2026-03-11' });
    assert.equal(rule(evaluateStart(base, P1, nine)), 'holiday');
    assert.deepEqual([...firstPerDay(computeSlots(base), NY).keys()], ['2026-03-11']);
  });

  test('opening hours narrow provider hours; a weekday missing from non-empty opening hours is closed', () => {
    const location = { id: 'loc-1', timeZone: NY, openingHours: { '2': [['10:00', '12:00'] as const, ['13:00', '15:30'] as const] }, holidays: [] };
    assert.deepEqual(localStarts(computeSlots(input({ location })), NY), ['10:00', '11:00', '13:00', '14:00']);
    assert.deepEqual(computeSlots(input({ location, from: '2026-03-11', to: '2026-03-11' })), []);
  });

  test('an override replaces the weekly hours; an empty override is a day off', () => {
    const replaced = input({ providers: [provider({ overrides: { '2026-03-10': [['13:00', '15:00']] } })], from: '2026-03-10', to: '2026-03-11' });
    assert.deepEqual(localStarts(computeSlots(replaced), NY), ['13:00', '14:00', '09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    assert.equal(rule(evaluateStart(replaced, P1, nine)), 'outside_hours');
    assert.equal(rule(evaluateStart(replaced, P1, at(NY, '2026-03-10T14:00'))), 'ok');
    const off = input({ providers: [provider({ overrides: { '2026-03-10': [] } })] });
    assert.deepEqual(computeSlots(off), []);
    assert.equal(rule(evaluateStart(off, P1, nine)), 'outside_hours');
  });

  test('weekly hours honour their validity dates', () => {
    const p = provider({ weeklyHours: [{ weekday: 2, start: '09:00', end: '10:00', validFrom: '2026-03-11' }, { weekday: 2, start: '15:00', end: '16:00', validTo: '2026-03-10' }] });
    assert.deepEqual(localStarts(computeSlots(input({ providers: [p] })), NY), ['15:00']);
  });

  test('max per provider per day: n booked refuses, n−1 allows; days are local days', () => {
    const appt = (local: string) => ({ startsAt: at(NY, local), blocked: { from: at(NY, local), to: new Date(at(NY, local).getTime() + HOUR) } });
    const late = appt('2026-03-10T23:30'); // 03:30Z on 03-11, but the 10th in New York
    const one = input({ rules: { maxPerProviderPerDay: 2 }, providers: [provider({ appointments: [late] })] });
    const two = input({ rules: { maxPerProviderPerDay: 2 }, providers: [provider({ appointments: [late, appt('2026-03-10T09:00')] })] });
    assert.equal(rule(evaluateStart(one, P1, at(NY, '2026-03-10T10:00'))), 'ok');
    assert.equal(rule(evaluateStart(two, P1, at(NY, '2026-03-10T10:00'))), 'max_per_provider_per_day');
    assert.equal(computeSlots(one).length, 8);
    assert.deepEqual(computeSlots(two), []);
  });

  test('resource pool: the first free room by id; none when both are taken', () => {
    const busy = { from: at(NY, '2026-03-10T09:00'), to: at(NY, '2026-03-10T10:00') };
    const oneTaken = input({ resourcePool: [{ id: R2, busy: [] }, { id: R1, busy: [busy] }] });
    const bothTaken = input({ resourcePool: [{ id: R1, busy: [busy] }, { id: R2, busy: [busy] }] });
    const free = input({ resourcePool: [{ id: R2, busy: [] }, { id: R1, busy: [] }] });
    const v1 = evaluateStart(oneTaken, P1, nine);
    assert.ok(v1.ok && v1.resourceId === R2);
    const v0 = evaluateStart(free, P1, nine);
    assert.ok(v0.ok && v0.resourceId === R1);
    assert.equal(rule(evaluateStart(bothTaken, P1, nine)), 'resource_unavailable');
    const slots = computeSlots(bothTaken);
    assert.equal(localStarts(slots, NY)[0], '10:00');
    assert.equal(slots[0]!.resourceId, R1);
    assert.deepEqual(computeSlots(input({ resourcePool: [] })), [], 'a type needing a room with none here has no slots');
  });

  test('booking condition: true allows, false refuses (only when the patient is known)', () => {
    const adults = { '>=': [{ var: 'patient.ageYears' }, 18] };
    assert.equal(rule(evaluateStart(input({ rules: { bookingCondition: adults }, patient: { ageYears: 18, sex: 'female' } }), P1, nine)), 'ok');
    assert.equal(rule(evaluateStart(input({ rules: { bookingCondition: adults }, patient: { ageYears: 17, sex: 'female' } }), P1, nine)), 'booking_condition');
    const mornings = { '<': [{ var: 'appointment.startMinutes' }, 12 * 60] };
    assert.deepEqual(localStarts(computeSlots(input({ rules: { bookingCondition: mornings }, patient: { ageYears: 40, sex: null } })), NY), ['09:00', '10:00', '11:00']);
    assert.equal(computeSlots(input({ rules: { bookingCondition: mornings } })).length, 8);
  });

  test('slot alignment: starts every slotMinutes from the start of working hours', () => {
    const base = input({ rules: { slotMinutes: 30 } });
    assert.equal(rule(evaluateStart(base, P1, at(NY, '2026-03-10T09:30'))), 'ok');
    assert.equal(rule(evaluateStart(base, P1, at(NY, '2026-03-10T09:15'))), 'slot_alignment');
    assert.equal(rule(evaluateStart(base, P1, at(NY, '2026-03-10T09:31'))), 'slot_alignment');
    const offHour = input({ rules: { slotMinutes: 30 }, providers: [provider({ overrides: { '2026-03-10': [['09:10', '11:00']] } })] });
    assert.deepEqual(localStarts(computeSlots(offHour), NY), ['09:10', '09:40']);
    assert.equal(rule(evaluateStart(offHour, P1, at(NY, '2026-03-10T09:30'))), 'slot_alignment');
  });

  test('several providers: slots ordered by start, then provider', () => {
    const P2 = '01900000-0000-7000-8000-0000000000a2';
    const slots = computeSlots(input({ providers: [provider({ id: P2 }), provider()] }));
    assert.equal(slots.length, 16);
    assert.deepEqual(slots.slice(0, 2).map((s) => s.providerId), [P1, P2]);
  });
});

// ---------------------------------------------------------------------------------------------
// On the real database.

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

interface Setup {
  tenant: TestTenant;
  ref: TenantRef;
  locationId: string;
  providerId: string;
  typeId: string;
}

async function setup(opts: { resources?: number; rules?: Record<string, unknown> } = {}): Promise<Setup & { resourceIds: string[] }> {
  const tenant = await t.createTenant();
  const ref = await tenantRef(t, tenant.slug);
  const locationId = await insertLocation(t, ref, { timeZone: NY });
  const providerId = await insertProvider(t, ref, { locationId, hours: WEEKDAYS_9_TO_5 });
  const resourceIds: string[] = [];
  for (let i = 0; i < (opts.resources ?? 0); i++) resourceIds.push(await insertResource(t, ref, { locationId, name: `Room ${i + 1}` }));
  const typeId = await insertAppointmentType(t, ref, { durationMinutes: 30, providerIds: [providerId], resourceIds, ...(opts.rules ? { rules: opts.rules } : {}) });
  return { tenant, ref, locationId, providerId, typeId, resourceIds };
}

async function createPatient(s: Setup, dateOfBirth = '1980-05-05'): Promise<string> {
  const res = await t.api(s.tenant, s.tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ann', lastName: 'Lee', dateOfBirth } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function insertAppointment(s: Setup, patientId: string, startIso: string, minutes = 30, resourceId: string | null = null): Promise<string> {
  const id = uuidv7();
  const start = new Date(startIso);
  const end = new Date(start.getTime() + minutes * 60_000);
  await withTenant(t.services.db, s.ref, (tx) =>
    tx.query(
      `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, resource_id, starts_at, ends_at, blocked)
       values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, tstzrange($8::timestamptz, $9::timestamptz))`,
      [tx.tenantId, id, patientId, s.providerId, s.locationId, s.typeId, resourceId, start.toISOString(), end.toISOString()],
    ),
  );
  return id;
}

/** The Monday at least `weeksAhead` weeks from today in New York. */
function futureMonday(weeksAhead = 2): string {
  const d = DateTime.now().setZone(NY).plus({ weeks: weeksAhead }).startOf('week');
  return d.toISODate()!;
}

describe('checkBookable on the database', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const monday = '2026-03-09'; // EDT from the 8th

  test('a free aligned start is bookable and placed; caps, conflicts and conditions refuse', async () => {
    const s = await setup({ resources: 2, rules: { maxOpenPerPatient: 1 } });
    const patientId = await createPatient(s);
    const q = { typeId: s.typeId, providerId: s.providerId, locationId: s.locationId, patientId, now };
    const check = (start: string, extra: Record<string, unknown> = {}) => withTenant(t.services.db, s.ref, (tx) => checkBookable(tx, { ...q, start, ...extra }));
    const ok = await check(`${monday}T09:00:00-04:00`);
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.equal(ok.start.toISOString(), '2026-03-09T13:00:00.000Z');
    assert.equal(ok.end.toISOString(), '2026-03-09T13:30:00.000Z');
    assert.equal(ok.resourceId, [...s.resourceIds].sort()[0]);
    assert.equal(ok.rules.maxOpenPerPatient, 1);

    const rule = async (start: string, extra: Record<string, unknown> = {}) => {
      const r = await check(start, extra);
      return r.ok ? 'ok' : r.rule;
    };
    assert.equal(await rule(`${monday}T09:10:00-04:00`), 'slot_alignment');
    assert.equal(await rule(`${monday}T08:30:00-04:00`), 'outside_hours');
    assert.equal(await rule('2026-03-08T10:00:00-04:00'), 'outside_hours'); // Sunday
    assert.equal(await rule('not a time'), 'slot_alignment');

    // The patient's one upcoming appointment reaches maxOpenPerPatient = 1 …
    const existing = await insertAppointment(s, patientId, '2026-03-10T13:00:00Z', 30, s.resourceIds[0]!);
    assert.equal(await rule(`${monday}T09:00:00-04:00`), 'max_open_per_patient');
    // … unless that is the appointment being moved; it also does not conflict with itself.
    assert.equal(await rule('2026-03-10T09:00:00-04:00'), 'conflict');
    assert.equal(await rule('2026-03-10T09:00:00-04:00', { excludeAppointmentId: existing }), 'ok');
    // Once it is in the past it no longer counts as open.
    assert.equal(await rule('2026-03-11T09:00:00-04:00', { now: new Date('2026-03-10T14:00:00Z') }), 'ok');

    const other = await createPatient(s);
    assert.equal(await rule('2026-03-10T09:30:00-04:00', { patientId: other }), 'ok');
    await insertAppointment(s, other, '2026-03-10T13:30:00Z', 30, s.resourceIds[0]!);
    assert.equal(await rule('2026-03-10T09:30:00-04:00', { patientId: await createPatient(s) }), 'conflict');
  });

  test('unknown ids and a provider not offering the type', async () => {
    const s = await setup();
    const other = await insertProvider(t, s.ref, { locationId: s.locationId, hours: WEEKDAYS_9_TO_5, name: 'Dr Other' });
    const base = { typeId: s.typeId, providerId: s.providerId, locationId: s.locationId, start: `${monday}T09:00:00-04:00`, now };
    const run = (over: Record<string, string>) =>
      withTenant(t.services.db, s.ref, async (tx) => {
        const r = await checkBookable(tx, { ...base, ...over });
        return r.ok ? 'ok' : r.rule;
      });
    assert.equal(await run({}), 'ok');
    assert.equal(await run({ typeId: uuidv7() }), 'unknown_type');
    assert.equal(await run({ locationId: uuidv7() }), 'unknown_type');
    assert.equal(await run({ providerId: uuidv7() }), 'unknown_type');
    assert.equal(await run({ patientId: uuidv7() }), 'unknown_type');
    assert.equal(await run({ typeId: 'nope' }), 'unknown_type');
    assert.equal(await run({ providerId: other }), 'provider_not_offering');
  });

  test('booking condition over the patient and the appointment', async () => {
    const s = await setup({ rules: { bookingCondition: { and: [{ '>=': [{ var: 'patient.ageYears' }, 18] }, { '==': [{ var: 'appointment.weekday' }, 1] }] } } });
    const adult = await createPatient(s, '2008-03-09'); // 18 on Monday the 9th
    const minor = await createPatient(s, '2008-03-10'); // 18 the day after
    const run = (patientId: string, start: string) =>
      withTenant(t.services.db, s.ref, async (tx) => {
        const r = await checkBookable(tx, { typeId: s.typeId, providerId: s.providerId, locationId: s.locationId, start, patientId, now });
        return r.ok ? 'ok' : r.rule;
      });
    assert.equal(await run(adult, `${monday}T09:00:00-04:00`), 'ok');
    assert.equal(await run(minor, `${monday}T09:00:00-04:00`), 'booking_condition');
    assert.equal(await run(adult, '2026-03-10T09:00:00-04:00'), 'booking_condition');
  });

  test('practice rules apply under per-type overrides', async () => {
    const s = await setup({ rules: { slotMinutes: 60 } });
    await setPracticeRules(t, s.ref, { slotMinutes: 15, maxPerProviderPerDay: 1 });
    const patientId = await createPatient(s);
    await insertAppointment(s, patientId, '2026-03-09T13:00:00Z');
    const r = await withTenant(t.services.db, s.ref, (tx) =>
      checkBookable(tx, { typeId: s.typeId, providerId: s.providerId, locationId: s.locationId, start: `${monday}T11:00:00-04:00`, now }),
    );
    assert.ok(!r.ok);
    assert.equal(r.rule, 'max_per_provider_per_day');
    assert.equal(r.rules?.slotMinutes, 60);
    assert.equal(r.rules?.maxPerProviderPerDay, 1);
  });
});

describe('GET /api/scheduling/slots', () => {
  test('returns the slots of a fixture with the location offset', async () => {
    const s = await setup({ resources: 1 });
    const patientId = await createPatient(s);
    const day = futureMonday();
    const start = DateTime.fromISO(`${day}T10:00`, { zone: NY });
    await insertAppointment(s, patientId, start.toUTC().toISO()!, 30, s.resourceIds[0]!);
    const res = await t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { typeId: s.typeId, locationId: s.locationId, from: day, to: day } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.timeZone, NY);
    const times = body.items.map((i: { start: string }) => i.start.slice(11, 16));
    // Default rules: 15-minute slots of a 30-minute visit, 09:00 to 16:30, minus those overlapping 10:00–10:30.
    const expected: string[] = [];
    for (let m = 9 * 60; m <= 16 * 60 + 30; m += 15) if (m + 30 <= 10 * 60 || m >= 10 * 60 + 30) expected.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    assert.deepEqual(times, expected);
    const offset = start.toFormat('ZZ');
    for (const item of body.items) {
      assert.ok(item.start.startsWith(day) && item.start.endsWith(offset), item.start);
      assert.equal(item.providerId, s.providerId);
      assert.equal(item.locationId, s.locationId);
      assert.equal(item.resourceId, s.resourceIds[0]);
      assert.equal(Date.parse(item.end) - Date.parse(item.start), 30 * 60_000);
    }
    // The same answer for that one provider; none on the weekend.
    const one = await t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { typeId: s.typeId, locationId: s.locationId, providerId: s.providerId, from: day, to: day } });
    assert.deepEqual(one.json(), body);
    const saturday = DateTime.fromISO(day).plus({ days: 5 }).toISODate()!;
    const weekend = await t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { typeId: s.typeId, locationId: s.locationId, from: saturday, to: DateTime.fromISO(saturday).plus({ days: 1 }).toISODate()! } });
    assert.deepEqual(weekend.json().items, []);
  });

  test('a range over 31 days, a reversed range or a bad date is validation_failed naming the field', async () => {
    const s = await setup();
    const get = (from: string, to: string) => t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { typeId: s.typeId, locationId: s.locationId, from, to } });
    assert.equal((await get('2026-03-01', '2026-03-31')).statusCode, 200);
    const long = await get('2026-03-01', '2026-04-01');
    assert.equal(long.statusCode, 400, long.body);
    assert.equal(long.json().code, 'validation_failed');
    assert.deepEqual(long.json().errors.map((e: { field: string }) => e.field), ['to']);
    const reversed = await get('2026-03-02', '2026-03-01');
    assert.deepEqual(reversed.json().errors.map((e: { field: string }) => e.field), ['to']);
    const bad = await get('2026-02-30', '2026-03-01');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field), ['from']);
    const missing = await t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { locationId: s.locationId, from: '2026-03-01', to: '2026-03-02' } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'validation_failed');
  });

  test('unknown ids answer 404 not_found', async () => {
    const s = await setup();
    for (const query of <Record<string, string>[]>[
      { typeId: uuidv7(), locationId: s.locationId },
      { typeId: s.typeId, locationId: uuidv7() },
      { typeId: s.typeId, locationId: s.locationId, providerId: uuidv7() },
      { typeId: 'x', locationId: s.locationId },
    ]) {
      const res = await t.api(s.tenant, s.tenant.adminToken, { method: 'GET', url: '/api/scheduling/slots', query: { ...query, from: '2026-03-09', to: '2026-03-09' } });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().code, 'not_found');
    }
  });

  test('needs scheduling:read: the billing role gets 403', async () => {
    const s = await setup();
    const email = `bill@${s.tenant.slug}.test`;
    const added = await t.api(s.tenant, s.tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Bill', password: PASSWORD, roles: ['billing'] } });
    assert.equal(added.statusCode, 201, added.body);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: s.tenant.slug, email, password: PASSWORD } });
    assert.equal(login.statusCode, 200, login.body);
    const res = await t.api(s.tenant, login.json().accessToken, { method: 'GET', url: '/api/scheduling/slots', query: { typeId: s.typeId, locationId: s.locationId, from: '2026-03-09', to: '2026-03-09' } });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().code, 'permission_denied');
  });
});
