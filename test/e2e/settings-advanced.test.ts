// Settings in a real browser: a price item and a tax jurisdiction made through the UI (with the API's
// errors inline), an email template edited beside its live preview, and a workflow check that shows
// an unreachable state (after the "not in your plan" state on a plan without workflows).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { setPlan } from '../support/plan-fixtures.ts';

describe('web settings: prices, templates, workflows', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  const apiGet = async (url: string) => {
    const res = await web.api(tenant, tenant.adminToken, { method: 'GET', url });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  test('a price item with its first price, and a tax jurisdiction, made through the UI', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/prices`);
      await page.getByRole('heading', { name: 'No price items yet' }).waitFor();
      const form = page.getByRole('form', { name: 'New price item' });
      await form.getByLabel('Code').fill('bad code!');
      await form.getByLabel('Description', { exact: true }).fill('Consultation');
      await form.getByLabel(/^First price/).fill('85.50');
      await form.getByRole('button', { name: 'Add price item' }).click();
      // The API's pattern error shows by the Code field.
      await form.locator('.field-invalid').filter({ has: page.getByLabel('Code') }).getByRole('alert').waitFor();
      await form.getByLabel('Code').fill('CONSULT-1');
      await form.getByRole('button', { name: 'Add price item' }).click();
      const row = page.getByRole('row').filter({ hasText: 'CONSULT-1' });
      await row.getByRole('cell', { name: '$85.50' }).waitFor();
      await assertAccessible(page, 'prices');
      await screenshot(page, 'settings-prices');

      await page.getByRole('tab', { name: 'Tax' }).click();
      await page.getByRole('heading', { name: 'No taxes configured' }).waitFor();
      await page.getByRole('button', { name: 'Add a jurisdiction' }).click();
      const j = page.getByRole('group', { name: /^Jurisdiction 1/ });
      await j.getByLabel('Code').fill('US-NY');
      await j.getByLabel('Name').fill('New York sales tax');
      await j.getByLabel('Exempt categories').fill('medical_service');
      await j.getByLabel('Rate 1 (%)').fill('eight');
      await page.getByRole('button', { name: 'Save taxes' }).click();
      await j.locator('.field-invalid').filter({ has: page.getByLabel('Rate 1 (%)') }).getByRole('alert').waitFor();
      await j.getByLabel('Rate 1 (%)').fill('8.875');
      await page.getByRole('button', { name: 'Save taxes' }).click();
      await page.getByText('Tax configuration saved').waitFor();
      await assertAccessible(page, 'tax jurisdictions');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
    const items = await apiGet('/api/price-items');
    const item = await apiGet(`/api/price-items/${items.items[0].id}`);
    assert.equal(item.code, 'CONSULT-1');
    assert.equal(item.versions[0].unitPrice, 8550, 'minor units, exactly');
    const tax = await apiGet('/api/tax/jurisdictions');
    assert.deepEqual(tax.jurisdictions.map((x: { code: string; rates: { ratePercent: string }[]; exemptCategories: string[] }) => [x.code, x.rates[0]!.ratePercent, x.exemptCategories]), [['US-NY', '8.875', ['medical_service']]]);
  });

  test('editing a template changes its preview; saving makes it the one in use', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/templates`);
      await page.getByRole('link', { name: 'Appointment confirmation' }).click();
      await page.getByRole('heading', { name: 'Email template: Appointment confirmation' }).waitFor();
      const subject = page.getByTestId('preview-subject');
      await subject.waitFor();
      await page.getByLabel('Subject').fill('See you soon, {{ patient.firstName }}!');
      await page.getByTestId('preview-subject').filter({ hasText: 'See you soon, Lena!' }).waitFor();
      // A variable the kind does not have: the preview says so, and saving is refused by the field.
      await page.getByLabel('Subject').fill('Hi {{ patient.ssn }}');
      await page.getByText(/unknown variable/).first().waitFor();
      await page.getByLabel('Subject').fill('See you soon, {{ patient.firstName }}!');
      await page.getByTestId('preview-subject').filter({ hasText: 'See you soon, Lena!' }).waitFor();
      await assertAccessible(page, 'templates');
      await screenshot(page, 'settings-templates');
      await page.getByRole('button', { name: 'Save template' }).click();
      await page.getByText('Your version 1 is in use').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
    const saved = await apiGet('/api/templates/appointment_confirmation');
    assert.equal(saved.inForce.subject, 'See you soon, {{ patient.firstName }}!');
  });

  test('workflows: not in the standard plan; on professional an unreachable state is shown by the check', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/workflows`);
      await page.getByText('Custom workflows are not in your plan').waitFor();
      // The lifecycle in force is still shown.
      await page.getByRole('cell', { name: /Check in/ }).first().waitFor();
      assert.equal(await page.getByRole('button', { name: 'Check the workflow' }).count(), 0);

      await setPlan(web, tenant, 'professional');
      await page.reload();
      await page.getByRole('button', { name: 'Check the workflow' }).waitFor();
      await page.getByRole('button', { name: 'Add a state' }).click();
      const state = page.getByRole('group', { name: /^State 6/ });
      await state.getByLabel('Key').fill('limbo');
      await state.getByLabel('Label').fill('Limbo');
      await page.getByRole('button', { name: 'Check the workflow' }).click();
      await state.getByRole('alert').filter({ hasText: 'is not reachable from the initial state' }).waitFor();
      await page.getByRole('alert').filter({ hasText: 'problems to fix' }).getByText('states.5').first().waitFor();
      await assertAccessible(page, 'workflows');
      await screenshot(page, 'settings-workflows');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
    const wf = await apiGet('/api/workflows/appointment');
    assert.equal(wf.version, 0, 'a check saves nothing');
  });

  test('at 375 px the prices, templates, forms and workflows pages fit the screen', async () => {
    const { context, page, errors } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      for (const [path, ready] of [
        ['/settings/prices', 'Price list'],
        ['/settings/templates/appointment_confirmation', 'Preview with sample data'],
        ['/settings/forms/new', 'Live preview'],
        ['/settings/workflows', 'Versions'],
      ] as const) {
        await page.goto(`${web.baseUrl}${path}`);
        await page.getByRole('heading', { name: ready, exact: true }).first().waitFor();
        assert.equal(await overflowsHorizontally(page), false, `${path} overflows at 375 px`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
