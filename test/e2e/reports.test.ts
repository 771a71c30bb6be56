// The Reports page in a real browser, over the hand-built week of test/support/report-fixtures.ts:
// reached from the menu; the empty state for a period without appointments; a range over the week
// draws the charts, whose table view shows the same totals as the API; a CSV downloads; axe-core;
// and at phone width nothing overflows.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { seed } from '../support/report-fixtures.ts';

describe('web reports', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  async function openWeek(page: Page): Promise<void> {
    await page.getByLabel('From', { exact: true }).fill('2025-01-06');
    await page.getByLabel('To', { exact: true }).fill('2025-01-12');
    await page.getByRole('figure', { name: 'Appointments by day' }).locator('svg.recharts-surface').first().waitFor();
  }

  test('charts, their tables and a CSV download', async () => {
    await seed(web, tenant);
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      await page.waitForURL(/\/reports/);
      // The default period (the last 30 days) has no appointments.
      await page.getByRole('heading', { name: 'No appointments in this period' }).waitFor();

      await openWeek(page);
      for (const name of ['No-show and late-cancel rates by provider', 'New and returning patients by month', 'Revenue by month', 'Payments by day']) {
        await page.getByRole('figure', { name }).locator('svg.recharts-surface').first().waitFor();
      }
      assert.equal(await page.getByRole('heading', { name: 'No appointments in this period' }).count(), 0);
      await assertAccessible(page, 'reports');
      await screenshot(page, 'reports');

      // The appointments chart as a table: its total row says what the API's totals say.
      const api = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/reports/appointments?from=2025-01-06&to=2025-01-12' });
      const totals = api.json().totals;
      const visits = page.getByRole('figure', { name: 'Appointments by day' });
      await visits.getByRole('button', { name: /^Show as table/ }).click();
      const expected = [totals.completed, totals.checkedIn, totals.booked, totals.noShows, totals.cancelled, totals.lateCancels, totals.appointments].join(' ');
      assert.equal(expected, '2 1 1 1 2 1 7');
      await visits.getByRole('row', { name: `Total ${expected}` }).waitFor();
      assert.equal(await visits.getByRole('row').count(), 1 + 7 + 1, 'a header, seven days and the total');
      await assertAccessible(page, 'reports with a table');

      // Revenue by service as CSV: the file the API makes for the same period and grouping.
      await page.getByLabel('Group revenue by').selectOption('service');
      await page.getByRole('figure', { name: 'Revenue by service' }).waitFor();
      const button = page.getByRole('region', { name: 'Revenue', exact: true }).getByRole('button', { name: /^Download CSV/ });
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      assert.equal(download.suggestedFilename(), 'revenue-service-2025-01-06-2025-01-12.csv');
      const csv = readFileSync((await download.path())!, 'utf8');
      assert.match(csv, /^\uFEFFKey,Service,Billed \(USD\),Collected \(USD\)\r\n/);
      assert.ok(csv.includes('\r\ntotal,Total,205.00,160.00\r\n'), csv);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('provider and location filters narrow the reports, live in the address and say when nothing matches', async () => {
    const own = await web.createTenant();
    const data = await seed(web, own);
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, own);
      await page.goto(`${web.baseUrl}/reports?from=2025-01-06&to=2025-01-12`);
      const visits = page.getByRole('figure', { name: 'Appointments by day' });
      await visits.locator('svg.recharts-surface').first().waitFor();
      await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Dr Ada' });
      await page.waitForURL((url) => url.searchParams.get('provider') === data.p1 && url.searchParams.get('from') === '2025-01-06');

      // The appointments table's total row is the API's for Dr Ada alone (4 of the week's 7).
      const api = await web.api(own, own.adminToken, { method: 'GET', url: `/api/reports/appointments?from=2025-01-06&to=2025-01-12&providerId=${data.p1}` });
      const totals = api.json().totals;
      const expected = [totals.completed, totals.checkedIn, totals.booked, totals.noShows, totals.cancelled, totals.lateCancels, totals.appointments].join(' ');
      assert.equal(expected, '1 0 1 0 2 1 4');
      await visits.getByRole('button', { name: /^Show as table/ }).click();
      await visits.getByRole('row', { name: `Total ${expected}` }).waitFor();
      // Revenue follows the same filter: Dr Ada's invoices only.
      const revenue = await web.api(own, own.adminToken, { method: 'GET', url: `/api/reports/revenue?from=2025-01-06&to=2025-01-12&providerId=${data.p1}` });
      const all = await web.api(own, own.adminToken, { method: 'GET', url: '/api/reports/revenue?from=2025-01-06&to=2025-01-12' });
      assert.notEqual(revenue.json().totals.billed, all.json().totals.billed, 'the filter changes the revenue');
      const money = page.getByRole('figure', { name: 'Revenue by month' });
      await money.getByRole('button', { name: /^Show as table/ }).click();
      const billed = Number(revenue.json().totals.billed) / 100;
      await money.getByRole('row', { name: new RegExp(`^Total \\$${billed.toFixed(2).replace('.', '\\.')} `) }).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'No data matches these filters' }).count(), 0);
      await assertAccessible(page, 'reports filtered by provider');
      await screenshot(page, 'reports-filtered');

      // The address carries the filter: opened afresh, the page shows the same.
      await page.goto(page.url());
      // The choices come from the providers list: the value shows once they have loaded.
      await page.getByLabel('Provider', { exact: true }).locator(`option[value="${data.p1}"]`).waitFor({ state: 'attached' });
      assert.equal(await page.getByLabel('Provider', { exact: true }).inputValue(), data.p1);
      await visits.getByRole('button', { name: /^Show as table/ }).click();
      await visits.getByRole('row', { name: `Total ${expected}` }).waitFor();

      // Dr Ada never worked at the North wing after the 7th: nothing matches, and the page says so.
      await page.getByLabel('Location', { exact: true }).selectOption({ label: '=North wing' });
      await page.getByLabel('From', { exact: true }).fill('2025-01-08');
      await page.getByRole('heading', { name: 'No data matches these filters' }).waitFor();
      await visits.getByRole('button', { name: /^Show as chart/ }).click();
      await visits.getByText('No data matches the filters in this period.').waitFor();
      assert.equal(new URL(page.url()).searchParams.get('location'), data.l2);
      await assertAccessible(page, 'reports with nothing matching');
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.waitForURL((url) => !url.searchParams.has('provider') && !url.searchParams.has('location'));
      await page.getByRole('figure', { name: 'Appointments by day' }).locator('svg.recharts-surface').first().waitFor();
      assert.equal(await page.getByRole('heading', { name: 'No data matches these filters' }).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at phone width the page fits', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/reports`);
      await openWeek(page);
      assert.equal(await overflowsHorizontally(page), false);
      await assertAccessible(page, 'reports at 375 px');
      await screenshot(page, 'reports-phone');
    } finally {
      await context.close();
    }
  });
});
