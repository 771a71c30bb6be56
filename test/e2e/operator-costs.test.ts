// The operator's Costs page in a real browser: the chart of the most expensive practices (and its
// table), the rates, a bad period named on its field, the CSV download; then a practice's daily
// usage chart on its page.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, screenshot, assertAccessible, type WebTestApp } from '../support/browser.ts';
import { PASSWORD, type TestTenant } from '../support/harness.ts';
import { upsertOperator } from '../../src/platform/operators.ts';

describe('operator costs', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));
  const operatorEmail = `cora-${randomBytes(3).toString('hex')}@ops.test`;
  before(async () => {
    await upsertOperator(web.services.db, { email: operatorEmail, password: PASSWORD, name: 'Cora Costs' });
    // Real requests, then a large day so the practice tops the chart even in a shared database.
    for (let i = 0; i < 3; i++) await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients' });
    web.services.usage.count(tenant.id, { requests: 900_000_000 });
    await web.services.usage.flush();
  });

  async function signInOperator(page: Page) {
    await page.goto(`${web.baseUrl}/operator/login`);
    await page.getByLabel('Email').fill(operatorEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Practices', level: 1 }).waitFor();
  }

  test('costs per practice as a chart and a table, the rates, a CSV; daily usage on the practice page', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signInOperator(page);
      await page.getByRole('navigation', { name: 'Operator' }).getByRole('link', { name: 'Costs' }).click();
      await page.getByRole('heading', { name: 'Costs', level: 1 }).waitFor();
      const chart = page.getByRole('figure', { name: /Cost per practice, top/ });
      await chart.getByRole('img', { name: /\(chart;/ }).waitFor();
      await page.getByRole('heading', { name: 'Rates in use' }).waitFor();
      assert.match((await page.getByText('per million requests').locator('xpath=following-sibling::dd[1]').textContent()) ?? '', /0\.40 USD/);
      const row = page.getByRole('row').filter({ hasText: `Practice ${tenant.slug}` }).first();
      await row.waitFor();
      await assertAccessible(page, 'operator costs');
      await screenshot(page, 'operator-costs');
      await chart.getByRole('button', { name: /Show as table/ }).click();
      await chart.getByRole('row').filter({ hasText: `Practice ${tenant.slug}` }).waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^costs-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync((await download.path())!, 'utf8');
      assert.match(csv, /^\uFEFFPractice,Slug,Requests/);
      assert.ok(csv.includes(`,${tenant.slug},`), 'the practice is in the CSV');

      // A period that ends before it starts is named on its field.
      await page.getByLabel('From', { exact: true }).fill('2026-03-10');
      await page.getByLabel('To', { exact: true }).fill('2026-03-01');
      await page.getByRole('button', { name: 'Show costs' }).click();
      await page.getByText('must not be after to').waitFor();

      await page.goto(`${web.baseUrl}/operator/tenants/${tenant.slug}`);
      const daily = page.getByRole('figure', { name: 'Daily usage, last 30 days' });
      await daily.getByRole('img', { name: /\(chart;/ }).waitFor();
      await daily.getByRole('button', { name: /Show as table/ }).click();
      const today = new Date().toISOString().slice(0, 10);
      assert.match((await daily.getByRole('row').filter({ hasText: today }).textContent()) ?? '', /90000000\d/);
      await assertAccessible(page, 'practice daily usage');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
