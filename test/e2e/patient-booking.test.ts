// Patient-facing booking in a real browser, without a login: the practice's booking page in its
// name, booking a free slot, following the manage link, cancelling with the policy shown (checked
// through the staff API), answering a waitlist offer, the empty state, axe on the booking and manage
// pages, and no horizontal overflow at phone width.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DateTime } from 'luxon';
import { browserSuite, newPage, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { WEEKDAYS_9_TO_5, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef } from '../support/scheduling-fixtures.ts';
import { withTenant } from '../../src/tenancy/tenant-db.ts';

const ZONE = 'America/New_York';
/** A weekday at least a week ahead in New York (outside the cancellation window and minimum notice). */
const DAY = (() => {
  let d = DateTime.now().setZone(ZONE).plus({ days: 7 }).startOf('day');
  while (d.weekday > 5) d = d.plus({ days: 1 });
  return d;
})();

describe('patient booking pages', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));
  let typeId = '';
  let providerId = '';
  let locationId = '';

  const staff = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) => {
    const res = await web.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  const dayAppointments = async () => {
    const from = encodeURIComponent(DAY.toISO()!);
    const to = encodeURIComponent(DAY.plus({ days: 1 }).toISO()!);
    return (await staff('GET', `/api/appointments?from=${from}&to=${to}`)).body.items as { id: string; status: string; start: string; patientId: string; lateCancel: boolean }[];
  };

  before(async () => {
    const ref = await tenantRef(web, tenant.slug);
    await setPracticeRules(web, ref, { cancelWindowMinutes: 24 * 60, lateCancel: 'flag', waitlistOfferMinutes: 60 });
    locationId = await insertLocation(web, ref, { name: 'Harbour Clinic', timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
    providerId = await insertProvider(web, ref, { name: 'Dr Online', locationId, hours: WEEKDAYS_9_TO_5 });
    typeId = await insertAppointmentType(web, ref, { name: 'Check-up', durationMinutes: 30, providerIds: [providerId] });
    const patch = await staff('PATCH', `/api/appointment-types/${typeId}`, { onlineBooking: true });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
  });

  test('a patient books a free slot, follows the manage link and cancels with the policy shown', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/p/${tenant.slug}/book`);
      await page.getByRole('heading', { name: 'Book an appointment' }).waitFor();
      assert.equal(await page.locator('.public-header .brand-name').textContent(), `Practice ${tenant.slug}`);
      assert.equal(await page.getByLabel('Appointment type', { exact: true }).inputValue(), typeId, 'the only online type is chosen already');
      await page.getByLabel('Day').fill(DAY.toISODate()!);
      const slot = page.getByRole('button', { name: /^10:00\sAM with Dr Online/ });
      await slot.click();
      assert.equal(await slot.getAttribute('aria-pressed'), 'true');
      await assertAccessible(page, 'booking page');
      await screenshot(page, 'patient-book');
      await page.getByRole('button', { name: /^Continue with 10:00/ }).click();

      await page.getByRole('heading', { name: 'Your details' }).waitFor();
      await page.getByLabel('First name').fill('Lena');
      await page.getByLabel('Last name').fill('Kraus');
      await page.getByLabel('Date of birth').fill('1985-04-12');
      await page.getByLabel('Email').fill('lena@example.test');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Check and confirm' }).waitFor();
      await page.getByRole('button', { name: 'Confirm booking' }).click();
      await page.getByRole('heading', { name: 'You are booked' }).waitFor();

      const [booked] = await dayAppointments();
      assert.ok(booked, 'the staff API sees the booking');
      assert.equal(booked.status, 'booked');
      assert.equal(DateTime.fromISO(booked.start).toMillis(), DAY.set({ hour: 10 }).toMillis());

      await page.getByRole('link', { name: 'See or cancel your appointment' }).click();
      await page.waitForURL(new RegExp(`/p/${tenant.slug}/appointments/[A-Za-z0-9_-]{43}$`));
      await page.getByRole('heading', { name: 'Your appointment' }).waitFor();
      await page.getByText('Cancelling less than 24 hours before it starts is recorded as a late cancellation').waitFor();
      await page.getByText('Dr Online').waitFor();
      await assertAccessible(page, 'manage page');
      await screenshot(page, 'patient-manage');

      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      await page.getByRole('heading', { name: 'Cancel this appointment?' }).waitFor();
      await page.getByLabel('Reason (optional)').fill('Feeling better');
      await page.getByRole('button', { name: 'Yes, cancel appointment' }).click();
      await page.getByText('This appointment is cancelled.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Cancel appointment' }).count(), 0);

      const [after] = await dayAppointments();
      assert.equal(after!.status, 'cancelled');
      assert.equal(after!.lateCancel, false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a waiting patient books a freed time from the offer page', async () => {
    const ann = await staff('POST', '/api/patients', { firstName: 'Ann', lastName: 'Wait', dateOfBirth: '1980-02-02', email: 'ann@example.test' });
    const bob = await staff('POST', '/api/patients', { firstName: 'Bob', lastName: 'Wait', dateOfBirth: '1980-02-02', email: 'bob@example.test' });
    const start = DAY.set({ hour: 15 }).toISO({ suppressMilliseconds: true })!;
    const appt = await staff('POST', '/api/appointments', { patientId: ann.body.id, typeId, providerId, locationId, start });
    assert.equal(appt.status, 201, JSON.stringify(appt.body));
    const waiting = await staff('POST', '/api/waitlist', { patientId: bob.body.id, typeId, earliest: DAY.toISODate()!, latest: DAY.toISODate()! });
    assert.equal(waiting.status, 201, JSON.stringify(waiting.body));
    await staff('POST', `/api/appointments/${appt.body.id}/cancel`, { reason: 'travel' });
    await web.services.jobs.runDue(new Date());
    const ref = await tenantRef(web, tenant.slug);
    const mail = await withTenant(web.services.db, ref, (tx) =>
      tx.query<{ body_text: string }>(`select body_text from email_outbox where tenant_id = $1 and to_address = 'bob@example.test' and message_key like 'waitlist-offer:%'`, [tx.tenantId]),
    );
    const link = /\/p\/[^/\s]+\/waitlist\/[^\s/]+/.exec(mail.rows[0]?.body_text ?? '')?.[0];
    assert.ok(link, 'the offer email links the offer page');

    const { context, page, errors } = await newPage(browser, PHONE);
    try {
      await page.goto(`${web.baseUrl}${link}`);
      await page.getByRole('heading', { name: 'A time has become free' }).waitFor();
      await page.getByText('Check-up').waitFor();
      assert.equal(await overflowsHorizontally(page), false, 'offer page fits a phone');
      await page.getByRole('button', { name: 'Book this time' }).click();
      await page.getByRole('heading', { name: 'You are booked' }).waitFor();
      const rebooked = (await dayAppointments()).find((a) => a.patientId === bob.body.id);
      assert.equal(rebooked?.status, 'booked');
      await page.reload();
      await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at phone width the booking and manage pages fit, and a day without times says what to do', async () => {
    const res = await web.app.inject({
      method: 'POST',
      url: `/public/practices/${tenant.slug}/appointments`,
      payload: { typeId, providerId, locationId, start: DAY.set({ hour: 11 }).toISO({ suppressMilliseconds: true }), patient: { firstName: 'Mia', lastName: 'Phone', dateOfBirth: '1990-01-01', email: 'mia@example.test' } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const managePath = new URL(res.json().manageUrl).pathname;
    const { context, page } = await newPage(browser, PHONE);
    try {
      await page.goto(`${web.baseUrl}/p/${tenant.slug}/book`);
      await page.getByLabel('Day').fill(DAY.toISODate()!);
      await page.getByRole('button', { name: /^11:30\sAM with Dr Online/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^11:00\sAM with/ }).count(), 0, 'the booked time is not offered');
      assert.equal(await overflowsHorizontally(page), false, 'booking page fits a phone');
      // A Saturday: no hours, so no times, and the page says what to do next.
      const saturday = DAY.plus({ days: 6 - DAY.weekday });
      await page.getByLabel('Day').fill(saturday.toISODate()!);
      await page.getByRole('heading', { name: 'No free times on this day' }).waitFor();
      await page.getByRole('button', { name: 'Try the next day' }).waitFor();

      await page.goto(`${web.baseUrl}${managePath}`);
      await page.getByRole('heading', { name: 'Your appointment' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false, 'manage page fits a phone');
    } finally {
      await context.close();
    }
  });

  test('a practice that offers nothing online says so, and a bad link says it is not valid', async () => {
    const other = await web.createTenant();
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/p/${other.slug}/book`);
      await page.getByRole('heading', { name: 'Online booking is not available' }).waitFor();
      await page.goto(`${web.baseUrl}/p/${tenant.slug}/appointments/${'x'.repeat(43)}`);
      await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
