// Billing in a real browser: a draft invoice built from the price list, issued, paid in two parts
// (a double-clicked submit records once), its PDF downloaded, and the AR aging with its chart;
// axe-core on the invoices list, an invoice and the aging, and the list at phone width.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';

describe('web billing', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));
  let patientId: string;
  let itemId: string;

  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const res = await web.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  before(async () => {
    // The price list and the tax rules come from the API: this test is about billing, not settings.
    patientId = (await api('POST', '/api/patients', { firstName: 'Bea', lastName: 'Billing', dateOfBirth: '1980-02-03' })).id;
    itemId = (await api('POST', '/api/price-items', { code: 'BRACE', description: 'Knee brace', category: 'retail_product', kind: 'product' })).id;
    await api('POST', `/api/price-items/${itemId}/prices`, { unitPrice: 1200, effectiveFrom: '2020-01-01' });
    await api('PUT', '/api/tax/jurisdictions', {
      jurisdictions: [{ code: 'US-NY', name: 'NY sales tax', rates: [{ ratePercent: '8.875', effectiveFrom: '2020-01-01' }], exemptCategories: ['medical_service'] }],
    });
  });

  test('create, issue and pay an invoice; download its PDF; see the aging', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/billing`);
      await page.getByRole('heading', { name: 'No invoices yet' }).waitFor();

      // A new draft: the patient is required (shown next to the field), then lines from the price list.
      await page.getByRole('link', { name: 'Create the first invoice' }).click();
      await page.waitForURL(/\/billing\/invoices\/new$/);
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.getByText('Choose the patient to bill').waitFor();
      await page.getByLabel('Find patient').fill('Billing');
      await page.getByLabel('Patient', { exact: true }).locator(`option[value="${patientId}"]`).waitFor({ state: 'attached' });
      await page.getByLabel('Patient', { exact: true }).selectOption(patientId);
      await page.getByLabel('Item').selectOption(itemId);
      await page.getByLabel('Quantity').fill('0');
      await page.getByLabel('Discount (%)').fill('10');
      await page.getByLabel('Discount reason').fill('Loyalty');
      // The API refuses a zero quantity and says so next to the field.
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.locator('.field-invalid').filter({ has: page.getByLabel('Quantity') }).locator('.field-error').waitFor();
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.waitForURL(/\/billing\/invoices\/[0-9a-f-]{36}$/);
      const invoiceId = page.url().split('/').at(-1)!;
      await page.getByRole('heading', { name: 'Draft invoice' }).waitFor();
      // 2 × 12.00 − 10% = 21.60, plus 8.875% tax (1.92) = 23.52.
      await page.locator('.billing-totals').getByText('$23.52').waitFor();

      await page.getByRole('button', { name: 'Issue invoice' }).click();
      await page.getByRole('heading', { name: /^Invoice \S+/ }).waitFor();
      const issued = await api('GET', `/api/invoices/${invoiceId}`);
      assert.equal(issued.status, 'issued');
      assert.equal(issued.total, 2352);
      await page.getByTestId('balance').getByText('$23.52').waitFor();
      await assertAccessible(page, 'invoice detail');
      await screenshot(page, 'billing-invoice');

      // A partial payment, then the rest with a double-clicked submit: recorded once.
      await page.getByRole('button', { name: 'Record payment' }).click();
      const dialog = page.getByRole('dialog', { name: 'Record a payment' });
      await dialog.getByLabel('Method').selectOption('cash');
      await dialog.getByLabel('Amount (USD)').fill('10.00');
      await dialog.getByRole('button', { name: 'Record payment' }).click();
      await page.getByTestId('balance').getByText('$13.52').waitFor();
      await page.getByText('Partially paid').first().waitFor();
      await page.getByRole('button', { name: 'Record payment' }).click();
      await dialog.getByLabel('Amount (USD)').fill('13.52');
      await dialog.getByRole('button', { name: 'Record payment' }).dblclick();
      await page.getByTestId('balance').getByText('$0.00').waitFor();
      await page.getByText('Paid', { exact: true }).first().waitFor();
      const ledger = await api('GET', `/api/invoices/${invoiceId}/payments`);
      assert.equal(ledger.status, 'paid');
      assert.deepEqual(ledger.items.map((p: { amount: number; method: string }) => [p.amount, p.method]), [[1000, 'cash'], [1352, 'card']]);

      // The PDF.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
      assert.match(download.suggestedFilename(), /\.pdf$/);
      const bytes = readFileSync((await download.path())!);
      assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF');

      // The list: the invoice with its total and balance.
      await page.getByRole('navigation', { name: 'Billing' }).getByRole('link', { name: 'Invoices' }).click();
      const row = page.getByRole('row').filter({ hasText: issued.number });
      await row.getByText('Billing, Bea').waitFor();
      await row.getByText('$23.52').waitFor();
      await assertAccessible(page, 'invoices list');
      await screenshot(page, 'billing-invoices');

      // An open invoice for the aging, issued through the API.
      const open = await api('POST', '/api/invoices', { patientId, lines: [{ description: 'Consultation', category: 'medical_service', unitPrice: 15000, quantity: '1' }] });
      await api('POST', `/api/invoices/${open.id}/issue`);
      await page.getByRole('link', { name: 'AR aging and exports' }).click();
      await page.getByRole('heading', { name: 'Accounts receivable aging' }).waitFor();
      const figure = page.getByRole('figure', { name: 'Open balances by age' });
      await figure.locator('svg.recharts-surface').first().waitFor();
      await page.getByRole('row').filter({ hasText: 'Billing, Bea' }).getByText('$150.00').first().waitFor();
      await assertAccessible(page, 'AR aging');
      await screenshot(page, 'billing-ar-aging');
      await figure.getByRole('button', { name: /^Show as table/ }).click();
      await page.getByRole('row', { name: /0–30 days 1 \$150\.00/ }).waitFor();
      await assertAccessible(page, 'AR aging as a table');
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download invoices CSV' }).click()]);
      assert.match(readFileSync((await csv.path())!, 'utf8'), new RegExp(issued.number));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the invoices list fits a phone', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/billing`);
      await page.getByRole('table').waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await page.goto(`${web.baseUrl}/billing/ar-aging`);
      await page.getByRole('heading', { name: 'Export as CSV' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false);
    } finally {
      await context.close();
    }
  });
});
