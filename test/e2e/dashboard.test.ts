// The dashboard in a real browser: with appointments, a no-show, a payment and new patients made
// through the API, the charts draw and the headline totals match the reporting API; every chart
// reads as a table; the 90-day view; the empty state of a new practice; axe-core and phone width.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { insertAppointmentType, insertLocation, insertProvider, setPracticeRules, tenantRef, type WeeklyHours } from '../support/scheduling-fixtures.ts';

const ZONE = 'America/New_York';
const ALL_WEEK: WeeklyHours = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [['08:00', '18:00']]]));

describe('web dashboard', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));
  let yesterday: DateTime;

  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await web.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  before(async () => {
    // Opening hours and a provider (configuration fixtures); the visits, patients and money through the API.
    const ref = await tenantRef(web, tenant.slug);
    await setPracticeRules(web, ref, { minNoticeMinutes: 0, frontDeskOverride: true });
    const locationId = await insertLocation(web, ref, { timeZone: ZONE, openingHours: ALL_WEEK });
    const providerId = await insertProvider(web, ref, { locationId, hours: ALL_WEEK });
    const typeId = await insertAppointmentType(web, ref, { durationMinutes: 30, providerIds: [providerId] });
    const ada = (await api('POST', '/api/patients', { firstName: 'Ada', lastName: 'Dash', dateOfBirth: '1980-01-01' })).id;
    const ben = (await api('POST', '/api/patients', { firstName: 'Ben', lastName: 'Dash', dateOfBirth: '1981-01-01' })).id;
    yesterday = DateTime.now().setZone(ZONE).minus({ days: 1 }).startOf('day');
    // Visits of yesterday, entered after the fact (an override of the notice rule, as staff would).
    const book = async (hour: number, patientId: string) =>
      (await api('POST', '/api/appointments', {
        patientId, typeId, providerId, locationId, start: yesterday.set({ hour }).toISO(), override: { reason: 'Entered after the visit' },
      })).id;
    await book(10, ada);
    const missed = await book(11, ben);
    await api('POST', `/api/appointments/${missed}/no-show`);
    const seen = await book(12, ada);
    await api('POST', `/api/appointments/${seen}/check-in`);
    await api('POST', `/api/appointments/${seen}/complete`);
    const invoice = await api('POST', '/api/invoices', { patientId: ada, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 15000, quantity: '1' }] });
    await api('POST', `/api/invoices/${invoice.id}/issue`);
    await api('POST', `/api/invoices/${invoice.id}/payments`, { method: 'card', amount: 10000, receivedOn: yesterday.toISODate() });
  });

  test('charts and headline totals from the reporting API', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      const overview = await api('GET', '/api/reports/overview');
      assert.deepEqual(overview.totals, { appointments: 3, noShows: 1, revenue: '10000', newPatients: 2 });
      await signIn(page, web, tenant);
      const totals = page.getByRole('region', { name: 'Totals for the period' });
      const headline = async (label: string, value: string) => {
        await totals.locator('.dashboard-headline').filter({ has: page.getByText(label, { exact: true }) }).getByText(value, { exact: true }).waitFor();
      };
      await headline('Appointments', '3');
      await headline('No-shows', '1');
      await headline('No-show rate', '33.3%');
      await headline('Revenue', '$100.00');
      await headline('New patients', '2');
      for (const name of ['Appointments and no-shows per day', 'Revenue per day', 'New patients per day']) {
        await page.getByRole('figure', { name }).locator('svg.recharts-surface').first().waitFor();
      }
      await assertAccessible(page, 'dashboard');
      await screenshot(page, 'dashboard');

      // The same numbers as a table.
      const visits = page.getByRole('figure', { name: 'Appointments and no-shows per day' });
      await visits.getByRole('button', { name: /^Show as table/ }).click();
      const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(yesterday.year, yesterday.month - 1, yesterday.day));
      await visits.getByRole('row', { name: `${day} 3 1` }).waitFor();
      assert.equal(await visits.getByRole('row').count(), 31, 'a header and 30 days');
      await assertAccessible(page, 'dashboard with a table');

      // 90 days: the same totals (everything happened recently), 90 rows.
      await page.getByLabel('Period', { exact: true }).selectOption('90');
      await visits.getByRole('row').nth(90).waitFor();
      assert.equal(await visits.getByRole('row').count(), 91);
      await headline('Appointments', '3');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a practice without data sees the way to the calendar; the page fits a phone', async () => {
    const fresh = await web.createTenant();
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, fresh);
      await page.getByRole('heading', { name: 'No appointments in this period — book one from the Calendar' }).waitFor();
      await page.getByRole('link', { name: 'Open the Calendar' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await signIn(page, web, tenant);
      await page.getByRole('figure', { name: 'Revenue per day' }).locator('svg.recharts-surface').first().waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await assertAccessible(page, 'dashboard at 375 px');
    } finally {
      await context.close();
    }
  });
});
