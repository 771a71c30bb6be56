// Settings in a real browser, part two: appointment types with the practice's scheduling rules, and
// webhooks: the "not in your plan" state, an endpoint created with its secret shown once, a test
// event that fails at the receiver, its attempts in the delivery log, and a retry that succeeds.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { setPlan } from '../support/plan-fixtures.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

describe('web settings: appointment types and webhooks', () => {
  let web: WebTestApp;
  let browser: Browser;
  let receiver: Receiver;
  let tenant: TestTenant;
  // The receiver listens on 127.0.0.1, which the SSRF guard refuses unless told otherwise.
  browserSuite((suite) => ({ web, browser, tenant } = suite), { webhookAllowPrivate: true });
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
  });

  test('an appointment type with a provider, and the practice scheduling rules', async () => {
    const provider = await web.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/providers', payload: { displayName: 'Dr. Lin' } });
    assert.equal(provider.statusCode, 201, provider.body);
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/appointment-types`);
      await page.getByRole('heading', { name: 'No appointment types yet' }).waitFor();
      // The practice rules: a slot length, and a value the API refuses shown under its field.
      const rules = page.getByRole('form', { name: 'Practice scheduling rules' });
      await rules.getByLabel('Slot length (minutes)').fill('20');
      await rules.getByLabel('Booking horizon (days)').fill('5000');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.locator('.field', { has: page.getByLabel('Booking horizon (days)') }).locator('.field-error').waitFor();
      await rules.getByLabel('Booking horizon (days)').fill('60');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await page.getByRole('status').filter({ hasText: 'Scheduling rules saved' }).waitFor();
      const saved = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/scheduling/rules' });
      assert.equal(saved.json().rules.slotMinutes, 20);
      assert.equal(saved.json().rules.horizonDays, 60);

      await page.getByRole('button', { name: 'New appointment type' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Consultation');
      await page.getByLabel('Duration (minutes)').fill('45');
      await page.getByLabel('Buffer after (minutes)').fill('10');
      await page.getByRole('checkbox', { name: 'Dr. Lin' }).check();
      // An override for this type; the practice's 20 shows as what applies otherwise.
      assert.equal(await page.getByLabel('Slot length (minutes)').getAttribute('placeholder'), '20');
      await page.getByLabel('Slot length (minutes)').fill('15');
      await assertAccessible(page, 'new appointment type');
      await page.getByRole('button', { name: 'Create appointment type' }).click();
      await page.getByRole('heading', { name: 'Consultation', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'All appointment types' }).click();
      await page.getByRole('row', { name: /Consultation.*45 min/ }).waitFor();
      await assertAccessible(page, 'appointment types');
      await screenshot(page, 'settings-appointment-types');

      const types = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/appointment-types' });
      const t = types.json().items[0];
      assert.equal(t.durationMinutes, 45);
      assert.equal(t.bufferAfterMinutes, 10);
      assert.deepEqual(t.providerIds, [provider.json().id]);
      assert.deepEqual(t.rules, { slotMinutes: 15 });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('webhooks: not in the plan, then an endpoint, its secret once, a failed test event and a retry', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/webhooks`);
      await page.getByRole('heading', { name: 'Webhooks are not in your plan' }).waitFor();
      await assertAccessible(page, 'webhooks not in plan');

      await setPlan(web, tenant, 'professional');
      await page.reload();
      await page.getByRole('heading', { name: 'No webhook endpoints yet' }).waitFor();
      // A URL the API refuses is named under the field; no events is named too.
      await page.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText('Choose at least one event').waitFor();
      await page.getByRole('checkbox', { name: /patient\.created/ }).check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.locator('.field', { has: page.getByLabel('Endpoint URL') }).locator('.field-error').waitFor();

      await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hook`);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByTestId('webhook-secret').textContent();
      assert.match(secret ?? '', /^whsec_/);
      await page.getByRole('link', { name: `${receiver.url}/hook` }).waitFor();
      await assertAccessible(page, 'webhooks list');
      await screenshot(page, 'settings-webhooks');
      await page.getByRole('button', { name: 'I have stored it' }).click();
      assert.equal(await page.getByTestId('webhook-secret').count(), 0);

      await page.getByRole('link', { name: `${receiver.url}/hook` }).click();
      await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();
      receiver.script(500);
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByRole('cell', { name: /webhook\.test/ }).waitFor();
      while ((await web.services.jobs.runDue(new Date())) > 0);
      await receiver.waitFor(1);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('table .badge', { hasText: 'Failed, no retries left' }).waitFor();
      await page.getByText(/1 attempt, last HTTP 500/).click();
      await page.getByText(/HTTP 500 in \d+ ms/).waitFor();
      await assertAccessible(page, 'webhook deliveries');

      await page.getByRole('button', { name: /^Retry delivery/ }).click();
      await page.getByRole('status').filter({ hasText: 'Retry queued' }).waitFor();
      while ((await web.services.jobs.runDue(new Date())) > 0);
      await receiver.waitFor(2);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('table .badge', { hasText: 'Delivered' }).waitFor();

      // Rotating shows the new secret once, different from the first.
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      const rotated = await page.getByTestId('webhook-secret').textContent();
      assert.match(rotated ?? '', /^whsec_/);
      assert.notEqual(rotated, secret);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at 375 px the settings pages fit the screen', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      for (const [path, heading] of [
        ['appointment-types', 'Appointment types and rules'],
        ['locations/new', 'New location'],
        ['providers', 'Providers'],
        ['roles', 'Staff and roles'],
        ['webhooks', 'Webhooks'],
      ] as const) {
        await page.goto(`${web.baseUrl}/settings/${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        assert.equal(await overflowsHorizontally(page), false, `/settings/${path} is wider than the phone`);
      }
    } finally {
      await context.close();
    }
  });
});
