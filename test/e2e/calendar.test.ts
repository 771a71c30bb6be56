// The calendar in a real browser: booking from a free slot (and a slot taken meanwhile), the day and
// week views, rescheduling to another slot, check-in, no-show and cancelling with the policy shown,
// each verified through the API too; read-only staff see no write actions; axe on the views and the
// booking dialog; no horizontal overflow at phone width.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import { PASSWORD, type TestTenant } from '../support/harness.ts';
import { WEEKDAYS_9_TO_5, insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef } from '../support/scheduling-fixtures.ts';

const ZONE = 'America/New_York';

/** A weekday at least three days ahead in `zone` (outside the reschedule and cancel windows). */
function bookableDate(zone: string): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  for (let add = 3; ; add++) {
    const day = new Date(Date.UTC(y, m - 1, d + add));
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) return day.toISOString().slice(0, 10);
  }
}

/** The UTC instant of a wall time on `date` in New York (offset read from the slot search answer). */
function at(date: string, time: string, offset: string): string {
  return new Date(`${date}T${time}:00${offset}`).toISOString();
}

interface Setup {
  locationId: string;
  providerId: string;
  typeId: string;
  patients: Record<'ada' | 'grace' | 'alan' | 'edsger', string>;
}

describe('web calendar', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));
  let s: Setup;
  const date = bookableDate(ZONE);
  let offset = '-05:00';

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await web.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  const appointmentsOf = async (patientId: string) =>
    (await call('GET', `/api/appointments?from=${encodeURIComponent(at(date, '00:00', offset))}&to=${encodeURIComponent(at(date, '23:59', offset))}&patientId=${patientId}`)).body.items as {
      id: string; start: string; status: string; cancelReason: string | null;
    }[];
  const bookViaApi = async (patientId: string, time: string) => {
    const res = await call('POST', '/api/appointments', { patientId, typeId: s.typeId, providerId: s.providerId, locationId: s.locationId, start: `${date}T${time}:00${offset}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };

  before(async () => {
    const ref = await tenantRef(web, tenant.slug);
    await setPracticeRules(web, ref, { minNoticeMinutes: 0 });
    const locationId = await insertLocation(web, ref, { name: 'Harbour Clinic', timeZone: ZONE, openingHours: WEEKDAYS_9_TO_5 });
    const providerId = await insertProvider(web, ref, { name: 'Dr Byron', locationId, hours: WEEKDAYS_9_TO_5 });
    // A second provider (mornings only) for the provider filter.
    await insertProvider(web, ref, { name: 'Dr Curie', locationId, hours: { 1: [['09:00', '12:00']], 2: [['09:00', '12:00']], 3: [['09:00', '12:00']], 4: [['09:00', '12:00']], 5: [['09:00', '12:00']] } });
    // The type's own rule (12 hours) overrides the practice default (24 hours): the dialog must show it.
    const typeId = await insertAppointmentType(web, ref, { name: 'Checkup', durationMinutes: 30, providerIds: [providerId], rules: { cancelWindowMinutes: 720 } });
    const patients = {} as Setup['patients'];
    for (const [key, first, last] of [['ada', 'Ada', 'Lovelace'], ['grace', 'Grace', 'Hopper'], ['alan', 'Alan', 'Turing'], ['edsger', 'Edsger', 'Dijkstra']] as const) {
      const res = await web.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: first, lastName: last, dateOfBirth: '1980-05-06' } });
      assert.equal(res.statusCode, 201, res.body);
      patients[key] = res.json().id;
    }
    s = { locationId, providerId, typeId, patients };
    const slots = await call('GET', `/api/scheduling/slots?typeId=${typeId}&locationId=${locationId}&from=${date}&to=${date}`);
    offset = (slots.body.items[0].start as string).slice(-6);
  });

  const openDay = async (page: Page) => {
    await page.goto(`${web.baseUrl}/calendar?date=${date}`);
    await page.getByRole('heading', { level: 2, name: 'Dr Byron' }).waitFor();
  };
  const appointment = (page: Page, time: string, who: string, status: string) =>
    page.getByRole('button', { name: new RegExp(`^${time.replace(' ', '\\s')} – [^,]*?\\s?, ${status}\\s?, ${who}\\s?, Checkup$`) });

  test('book from a free slot, reschedule it, check it in; the day and week views and the booking dialog are accessible', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
      await page.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
      await page.goto(`${web.baseUrl}/calendar?date=${date}`);
      await page.getByRole('heading', { name: 'No appointments this day' }).waitFor();
      assert.ok(await page.getByText(`times in ${ZONE}`).isVisible());

      // Book: type → date → the free slots → a patient.
      await page.getByRole('button', { name: 'Book appointment' }).click();
      const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
      await dialog.getByLabel('Appointment type').selectOption({ label: 'Checkup (30 min)' });
      assert.equal(await dialog.getByLabel('Date').inputValue(), date);
      await dialog.getByRole('radio', { name: /^9:00\sAM – 9:30\sAM, Dr Byron$/ }).check();
      await dialog.getByLabel('Find a patient').fill('Lovel');
      await dialog.getByRole('radio', { name: /^Lovelace, Ada/ }).check();
      await dialog.getByText(/Checkup for Ada Lovelace on/).waitFor();
      await assertAccessible(page, 'booking dialog');
      await screenshot(page, 'calendar-book');
      await dialog.getByRole('button', { name: 'Book appointment' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await appointment(page, '9:00 AM', 'Ada Lovelace', 'Booked').waitFor();
      let [ada] = await appointmentsOf(s.patients.ada);
      assert.equal(ada?.status, 'booked');
      assert.equal(new Date(ada!.start).toISOString(), at(date, '09:00', offset));

      // Reschedule to 10:30 by picking a free slot of the same search.
      await appointment(page, '9:00 AM', 'Ada Lovelace', 'Booked').click();
      const details = page.getByRole('dialog', { name: 'Appointment' });
      await details.getByText('Checkup').waitFor();
      await details.getByRole('button', { name: 'Reschedule' }).click();
      const move = page.getByRole('dialog', { name: 'Reschedule appointment' });
      // The appointment's own time is not offered as a new one.
      await move.getByRole('radio', { name: /^10:30\sAM – 11:00\sAM, Dr Byron$/ }).check();
      assert.equal(await move.getByRole('radio', { name: /^9:00\sAM – 9:30\sAM/ }).count(), 0);
      await move.getByRole('button', { name: 'Move appointment' }).click();
      await appointment(page, '10:30 AM', 'Ada Lovelace', 'Booked').waitFor();
      assert.equal(await appointment(page, '9:00 AM', 'Ada Lovelace', 'Booked').count(), 0);
      [ada] = await appointmentsOf(s.patients.ada);
      assert.equal(new Date(ada!.start).toISOString(), at(date, '10:30', offset));

      // Check in from the day view.
      await appointment(page, '10:30 AM', 'Ada Lovelace', 'Booked').click();
      await page.getByRole('dialog', { name: 'Appointment' }).getByRole('button', { name: 'Check in' }).click();
      await appointment(page, '10:30 AM', 'Ada Lovelace', 'Checked in').waitFor();
      [ada] = await appointmentsOf(s.patients.ada);
      assert.equal(ada?.status, 'checked_in');
      await assertAccessible(page, 'calendar day view');
      await screenshot(page, 'calendar-day');

      // The week view: the appointment in its day's column; a day heading opens that day.
      await page.getByRole('button', { name: 'Week', exact: true }).click();
      await page.getByRole('table').waitFor();
      await appointment(page, '10:30 AM', 'Ada Lovelace', 'Checked in').waitFor();
      assert.match(page.url(), /view=week/);
      await assertAccessible(page, 'calendar week view');
      await screenshot(page, 'calendar-week');
      await page.getByRole('button', { name: /^Next week/ }).click();
      await page.getByRole('table').waitFor();
      assert.equal(await appointment(page, '10:30 AM', 'Ada Lovelace', 'Checked in').count(), 0);
      await page.getByRole('button', { name: /^Previous week/ }).click();
      await appointment(page, '10:30 AM', 'Ada Lovelace', 'Checked in').waitFor();
      // A day's heading opens that day.
      await page.getByRole('button', { name: /show the day/ }).first().click();
      await page.getByRole('heading', { level: 2, name: 'Dr Byron' }).waitFor();
      assert.match(page.url(), /view=day/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a slot taken meanwhile is said plainly and the slots are searched again; a no-show from the day view', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await openDay(page);
      // Book from the free window's own button (provider preset).
      await page.getByRole('button', { name: /^Book with Dr Byron from/ }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
      assert.equal(await dialog.getByLabel('Provider').inputValue(), s.providerId);
      await dialog.getByLabel('Appointment type').selectOption({ label: 'Checkup (30 min)' });
      await dialog.getByRole('radio', { name: /^1:00\sPM – 1:30\sPM/ }).check();
      await dialog.getByLabel('Find a patient').fill('Hopper');
      await dialog.getByRole('radio', { name: /^Hopper, Grace/ }).check();
      // Someone else takes 1 PM first.
      await bookViaApi(s.patients.edsger, '13:00');
      await dialog.getByRole('button', { name: 'Book appointment' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'That slot was just taken' }).waitFor();
      // The search runs again and the taken time is no longer offered.
      await dialog.getByRole('radio', { name: /^1:00\sPM – 1:30\sPM/ }).waitFor({ state: 'detached' });
      await dialog.getByRole('radio', { name: /^1:30\sPM – 2:00\sPM/ }).waitFor();
      assert.equal(await dialog.getByRole('button', { name: 'Book appointment' }).isDisabled(), true);
      await dialog.getByRole('radio', { name: /^1:30\sPM – 2:00\sPM/ }).check();
      await dialog.getByRole('button', { name: 'Book appointment' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await appointment(page, '1:30 PM', 'Grace Hopper', 'Booked').waitFor();
      await appointment(page, '1:00 PM', 'Edsger Dijkstra', 'Booked').waitFor();

      await appointment(page, '1:30 PM', 'Grace Hopper', 'Booked').click();
      await page.getByRole('dialog', { name: 'Appointment' }).getByRole('button', { name: 'Mark no-show' }).click();
      await appointment(page, '1:30 PM', 'Grace Hopper', 'No-show').waitFor();
      const [grace] = await appointmentsOf(s.patients.grace);
      assert.equal(grace?.status, 'no_show');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('cancelling shows the policy of the appointment type and takes a reason', async () => {
    const id = await bookViaApi(s.patients.alan, '15:00');
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await openDay(page);
      await appointment(page, '3:00 PM', 'Alan Turing', 'Booked').click();
      await page.getByRole('dialog', { name: 'Appointment' }).getByRole('button', { name: 'Cancel appointment' }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel appointment' });
      await cancel.getByText('Cancelling less than 12 hours before the start is a late cancellation').waitFor();
      await assertAccessible(page, 'cancel dialog');
      await cancel.getByLabel('Reason (optional)').fill('Patient travelling');
      await cancel.getByRole('button', { name: 'Confirm cancellation' }).click();
      await appointment(page, '3:00 PM', 'Alan Turing', 'Cancelled').waitFor();
      const got = await call('GET', `/api/appointments/${id}`);
      assert.equal(got.body.status, 'cancelled');
      assert.equal(got.body.cancelReason, 'Patient travelling');
      assert.equal(got.body.lateCancel, false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('staff who may only read the calendar see no write actions', async () => {
    const role = await call('POST', '/api/roles', { key: 'calendar_viewer', name: 'Calendar viewer', permissions: ['scheduling:read', 'patients:read'] });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const email = `viewer@${tenant.slug}.test`;
    const staff = await call('POST', '/api/staff', { email, name: 'Viewer', password: PASSWORD, roles: ['calendar_viewer'] });
    assert.equal(staff.status, 201, JSON.stringify(staff.body));
    await bookViaApi(s.patients.edsger, '16:00');
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, web, { slug: tenant.slug, adminEmail: email });
      await openDay(page);
      await appointment(page, '4:00 PM', 'Edsger Dijkstra', 'Booked').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Book appointment' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Book with/ }).count(), 0);
      // By keyboard: Enter on the appointment opens its details, Escape closes them.
      await appointment(page, '4:00 PM', 'Edsger Dijkstra', 'Booked').focus();
      await page.keyboard.press('Enter');
      const details = page.getByRole('dialog', { name: 'Appointment' });
      await details.getByText('Edsger Dijkstra').waitFor();
      await page.keyboard.press('Escape');
      await details.waitFor({ state: 'hidden' });
      await page.waitForFunction(() => document.activeElement?.classList.contains('cal-appt') ?? false);
      await page.keyboard.press('Enter');
      await details.getByText('Edsger Dijkstra').waitFor();
      for (const name of ['Check in', 'Mark no-show', 'Reschedule', 'Cancel appointment']) {
        assert.equal(await details.getByRole('button', { name }).count(), 0, name);
      }
    } finally {
      await context.close();
    }
  });

  test('at phone width the day view is a list without horizontal overflow, and the week scrolls inside its frame; the provider filter', async () => {
    await bookViaApi(s.patients.grace, '16:30');
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      await openDay(page);
      await appointment(page, '4:30 PM', 'Grace Hopper', 'Booked').waitFor();
      await page.getByRole('heading', { level: 2, name: 'Dr Curie' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await screenshot(page, 'calendar-day-phone');
      // The provider filter: only Dr Curie's day, remembered in the address.
      await page.getByLabel('Provider').selectOption({ label: 'Dr Curie' });
      await page.getByRole('heading', { level: 2, name: 'Dr Byron' }).waitFor({ state: 'detached' });
      await page.getByRole('heading', { level: 2, name: 'Dr Curie' }).waitFor();
      assert.match(page.url(), /provider=/);
      await page.getByRole('heading', { name: 'No appointments this day' }).waitFor();
      await page.getByLabel('Provider').selectOption({ label: 'All providers' });
      await appointment(page, '4:30 PM', 'Grace Hopper', 'Booked').waitFor();
      await page.getByRole('button', { name: 'Week', exact: true }).click();
      await page.getByRole('table').waitFor();
      assert.equal(await overflowsHorizontally(page), false);
    } finally {
      await context.close();
    }
  });
});
