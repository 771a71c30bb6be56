// The operator console in a real browser: its own sign-in, the practices list with usage, the
// onboarding wizard (an API error shown on the step it belongs to, then a practice whose admin can
// sign in), one practice's health page, suspending and reactivating it, its request limits
// (override, enforced, cleared), and the list on a phone.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import { PASSWORD, type TestTenant } from '../support/harness.ts';
import { upsertOperator } from '../../src/platform/operators.ts';

describe('operator console', () => {
  let web: WebTestApp;
  let browser: Browser;
  browserSuite((suite) => ({ web, browser } = suite));
  let existing: TestTenant;
  const operatorEmail = `olive-${randomBytes(3).toString('hex')}@ops.test`;
  before(async () => {
    await upsertOperator(web.services.db, { email: operatorEmail, password: PASSWORD, name: 'Olive Operator' });
    existing = await web.createTenant();
  });

  async function signInOperator(page: Page) {
    await page.goto(`${web.baseUrl}/operator`);
    await page.waitForURL(/\/operator\/login$/);
    await page.getByLabel('Email').fill(operatorEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Practices', level: 1 }).waitFor();
  }

  const staffLogin = (slug: string, email: string) =>
    web.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email, password: PASSWORD } });

  test('an operator signs in, sees the practices and finds one by name', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/operator/login`);
      await assertAccessible(page, 'operator sign-in');
      // A staff password is not an operator's.
      await page.getByLabel('Email').fill(existing.adminEmail);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Those details did not match' }).waitFor();

      await signInOperator(page);
      await page.getByLabel('Search').fill(existing.slug);
      const row = page.getByRole('row').filter({ hasText: existing.slug });
      await row.getByRole('link', { name: `Practice ${existing.slug}` }).waitFor();
      assert.match(await row.textContent() ?? '', /Pooled.*standard.*Active/);
      await page.getByLabel('Status').selectOption('suspended');
      await page.getByRole('heading', { name: 'No practice matches' }).waitFor();
      await page.getByLabel('Status').selectOption('');
      await row.waitFor();
      await page.getByRole('button', { name: 'Measure usage' }).click();
      await page.getByRole('status').filter({ hasText: /Measured \d+ practice/ }).waitFor();
      await assertAccessible(page, 'operator tenants list');
      await screenshot(page, 'operator-tenants');
      // The staff app's session is another thing: the operator is not signed in to any practice.
      await page.goto(`${web.baseUrl}/dashboard`);
      await page.waitForURL(/\/login$/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the wizard onboards a practice; a taken short name is shown on the practice step', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signInOperator(page);
      await page.getByRole('navigation', { name: 'Operator' }).getByRole('link', { name: 'Onboard a practice' }).click();
      await page.getByRole('heading', { name: 'Step 1 of 4: Practice' }).waitFor();
      const suffix = randomBytes(3).toString('hex');
      await page.getByLabel('Practice name').fill(`Maple Family Clinic ${suffix}`);
      assert.equal(await page.getByLabel('Short name').inputValue(), `maple-family-clinic-${suffix}`, 'suggested from the name');
      await page.getByLabel('Short name').fill(existing.slug);
      await page.getByLabel(/Dedicated schema/).check();
      await assertAccessible(page, 'wizard step 1');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 2 of 4: Plan' }).waitFor();
      await page.getByLabel(/Professional/).check();
      await page.getByRole('button', { name: 'Next' }).click();
      const email = `lead-${suffix}@maple.test`;
      await page.getByLabel('Name').fill('Dr Lead');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Use at least 10 characters').waitFor();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Step 4 of 4: Review' }).waitFor();
      await assertAccessible(page, 'wizard review');
      await screenshot(page, 'operator-onboard');
      await page.getByRole('button', { name: 'Create practice' }).click();
      // The API says the short name is taken: back on step 1, next to the field.
      await page.getByRole('heading', { name: 'Step 1 of 4: Practice' }).waitFor();
      await page.getByText('Another practice already uses this short name').waitFor();
      const slug = `maple-${suffix}`;
      await page.getByLabel('Short name').fill(slug);
      for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Create practice' }).click();
      await page.getByRole('heading', { name: `Maple Family Clinic ${suffix} is ready` }).waitFor();
      const url = await page.getByRole('link', { name: /\/login$/ }).textContent();
      assert.equal(url, `${web.practiceUrl(slug)}/login`);

      const login = await staffLogin(slug, email);
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(login.json().tenant.name, `Maple Family Clinic ${suffix}`);
      const tenant = await web.services.tenants.bySlug(slug);
      assert.equal(tenant?.tier, 'schema');
      assert.equal(tenant?.plan, 'professional');
      web.adoptTenant(tenant!.id);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a practice's health page; suspending locks its staff out and reactivating lets them in", async () => {
    const tenant = await web.createTenant();
    await web.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/patients', payload: { firstName: 'Ada', lastName: 'Stone', dateOfBirth: '1980-01-02' } });
    const { context, page, errors } = await newPage(browser);
    try {
      await signInOperator(page);
      await page.goto(`${web.baseUrl}/operator/tenants/${tenant.slug}`);
      await page.getByRole('heading', { name: `Practice ${tenant.slug}`, level: 1 }).waitFor();
      const usage = page.getByRole('region', { name: 'Usage' });
      assert.match((await usage.textContent()) ?? '', /Patients1Active staff1 of \d+ seats/);
      assert.match((await page.getByRole('region', { name: 'Health' }).textContent()) ?? '', /Healthy.*up to date/);
      await assertAccessible(page, 'operator tenant page');
      await screenshot(page, 'operator-tenant');

      await page.getByRole('button', { name: 'Suspend…' }).click();
      const dialog = page.getByRole('dialog', { name: `Suspend Practice ${tenant.slug}?` });
      await dialog.getByLabel(/Reason/).fill('Unpaid invoices');
      await dialog.getByRole('button', { name: 'Suspend practice' }).click();
      await page.getByText('Suspended. Its staff cannot sign in').waitFor();
      const refused = await staffLogin(tenant.slug, tenant.adminEmail);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'tenant_suspended');

      await page.getByRole('button', { name: 'Reactivate…' }).click();
      await page.getByRole('dialog', { name: /Reactivate/ }).getByRole('button', { name: 'Reactivate practice' }).click();
      await page.getByRole('button', { name: 'Suspend…' }).waitFor();
      assert.equal((await staffLogin(tenant.slug, tenant.adminEmail)).statusCode, 200);

      // Plan change from the page.
      await page.getByLabel('Plan', { exact: true }).selectOption('starter');
      await page.getByRole('button', { name: 'Change plan' }).click();
      await page.getByRole('status').filter({ hasText: 'Moved to the Starter plan' }).waitFor();
      assert.equal((await web.services.tenants.bySlug(tenant.slug))?.plan, 'starter');

      // Deleting needs the slug typed.
      await page.getByRole('button', { name: 'Delete…' }).click();
      const del = page.getByRole('dialog', { name: /Delete/ });
      assert.equal(await del.getByRole('button', { name: 'Delete for ever' }).isDisabled(), true);
      await del.getByRole('button', { name: 'Cancel' }).click();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('request limits: the plan\'s are shown, an override is saved, enforced on staff requests, then cleared', async () => {
    const tenant = await web.createTenant();
    const patients = () => web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients' });
    const { context, page, errors } = await newPage(browser);
    try {
      await signInOperator(page);
      await page.goto(`${web.baseUrl}/operator/tenants/${tenant.slug}`);
      const card = page.getByRole('region', { name: 'Request limits' });
      const row = (name: string) => card.getByRole('row', { name: new RegExp(`^${name}`) });
      await row('Requests per minute').filter({ hasText: '1,200' }).filter({ hasText: 'Plan (standard)' }).waitFor();
      await row('Burst').filter({ hasText: '120' }).filter({ hasText: 'Plan (standard)' }).waitFor();
      await row('Concurrent requests').filter({ hasText: '12' }).filter({ hasText: 'Plan (standard)' }).waitFor();
      assert.equal(await card.getByRole('button', { name: 'Clear overrides' }).isDisabled(), true, 'nothing to clear yet');

      // A value the API refuses: its message is shown on that field, and nothing is saved.
      const burst = card.getByLabel('Burst override');
      await burst.fill('0');
      await card.getByRole('button', { name: 'Save limits' }).click();
      await card.locator('input[aria-invalid="true"]').waitFor();
      assert.equal(await burst.getAttribute('aria-invalid'), 'true');
      const describedBy = (await burst.getAttribute('aria-describedby')) ?? '';
      const message = await page.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent();
      assert.ok(message && message.length > 3, `the field names its error: ${message}`);
      assert.equal(await card.getByLabel('Requests per minute override').getAttribute('aria-invalid'), null);
      await assertAccessible(page, 'request limits with a field error');
      assert.equal((await patients()).statusCode, 200);

      // Two requests at once, then one a minute: typed, and saved from the keyboard.
      await burst.fill('2');
      await card.getByLabel('Requests per minute override').fill('1');
      await card.getByLabel('Requests per minute override').press('Enter');
      await page.getByRole('status').filter({ hasText: 'Request limits saved' }).waitFor();
      await row('Burst').filter({ hasText: 'Override (plan: 120)' }).waitFor();
      assert.match((await row('Requests per minute').textContent()) ?? '', /1Override \(plan: 1,200\)/);
      assert.match((await row('Concurrent requests').textContent()) ?? '', /12Plan \(standard\)/);
      assert.equal(await burst.getAttribute('aria-invalid'), null);
      await assertAccessible(page, 'request limits overridden');
      await screenshot(page, 'operator-limits');

      // Applied at once: the third staff request in a row is over the limit.
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await patients());
      assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 429], answers.map((a) => a.body).join('\n'));
      assert.equal(answers[2]!.json().code, 'tenant_rate_limited');

      // Cleared: the plan's limits again, in the card, the API and for staff.
      await card.getByRole('button', { name: 'Clear overrides' }).click();
      await page.getByRole('status').filter({ hasText: 'Overrides cleared' }).waitFor();
      await row('Burst').filter({ hasText: 'Plan (standard)' }).waitFor();
      assert.equal(await burst.inputValue(), '');
      assert.equal(await card.getByRole('button', { name: 'Clear overrides' }).isDisabled(), true);
      const view = await web.app.inject({ method: 'GET', url: `/platform/tenants/${tenant.slug}/limits`, headers: { authorization: `Bearer ${await web.operatorToken()}` } });
      assert.deepEqual(view.json().overrides, {});
      for (let i = 0; i < 3; i++) assert.equal((await patients()).statusCode, 200);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at 375 px the practices list fits the screen (the table scrolls inside its frame)', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signInOperator(page);
      await page.getByRole('table').waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await assertAccessible(page, 'operator tenants at 375 px');
    } finally {
      await context.close();
    }
  });
});
