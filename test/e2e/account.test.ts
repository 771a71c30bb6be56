// Account pages in a real browser: a person who is staff of two practices switches between them
// from the top bar, and a forgotten password is reset through the two password pages with the
// link from the practice's outbox.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { withTenant } from '../../src/tenancy/tenant-db.ts';

describe('account pages', () => {
  let web: WebTestApp;
  let browser: Browser;
  browserSuite((suite) => ({ web, browser } = suite));

  test("a person in two practices switches from the top bar and sees the other practice's name", async () => {
    const a = await web.createTenant();
    const b = await web.createTenant();
    const added = await web.api(b, b.adminToken, { method: 'POST', url: '/api/staff', payload: { email: a.adminEmail, name: 'Admin of A', roles: ['admin'] } });
    assert.equal(added.statusCode, 201, added.body);
    const only = await web.createTenant(); // its admin is in one practice: no switcher
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, a);
      const switcher = page.getByRole('form', { name: 'Switch practice' });
      await switcher.getByLabel('Practice').selectOption({ label: `Practice ${b.slug}` });
      await switcher.getByRole('button', { name: 'Switch' }).click();
      await page.waitForURL(/\/dashboard$/);
      await page.locator('.topbar .brand-name').filter({ hasText: `Practice ${b.slug}` }).waitFor();
      const me = await page.evaluate(() => JSON.parse(localStorage.getItem('healthtrack.session') ?? '{}').slug);
      assert.equal(me, b.slug);
      assert.equal(await switcher.getByLabel('Practice').inputValue(), b.slug);
      await assertAccessible(page, 'workspace with the practice switcher');
      // And back.
      await switcher.getByLabel('Practice').selectOption(a.slug);
      await switcher.getByRole('button', { name: 'Switch' }).click();
      await page.locator('.topbar .brand-name').filter({ hasText: `Practice ${a.slug}` }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
    // On a phone the switcher fits the top bar.
    const phone = await newPage(browser, PHONE);
    try {
      await signIn(phone.page, web, a);
      await phone.page.getByRole('form', { name: 'Switch practice' }).getByLabel('Practice').waitFor();
      assert.equal(await overflowsHorizontally(phone.page), false);
    } finally {
      await phone.context.close();
    }
    // Someone in one practice has nothing to switch to.
    const single = await newPage(browser);
    try {
      const practicesLoaded = single.page.waitForResponse((r) => r.url().endsWith('/auth/practices'));
      await signIn(single.page, web, only);
      assert.equal((await practicesLoaded).status(), 200);
      await single.page.getByRole('button', { name: 'Sign out' }).waitFor();
      assert.equal(await single.page.getByRole('form', { name: 'Switch practice' }).count(), 0);
    } finally {
      await single.context.close();
    }
  });

  async function resetLink(tenant: TestTenant): Promise<string> {
    await web.services.jobs.runDue(new Date());
    const ref = (await web.services.tenants.bySlug(tenant.slug))!;
    const mails = await withTenant(web.services.db, ref, (tx) =>
      tx.query<{ body_text: string }>(`select body_text from email_outbox where tenant_id = $1 and template_kind = 'password_reset' order by created_at desc, id desc`, [tx.tenantId]),
    );
    const url = /(http\S+\/reset-password#token=[A-Za-z0-9_-]{43})/.exec(mails.rows[0]?.body_text ?? '')?.[1];
    assert.ok(url, 'the email carries the link');
    return url;
  }

  test('a forgotten password is reset through the pages, then the new one signs in', async () => {
    const tenant = await web.createTenant();
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/login`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
      await assertAccessible(page, 'forgot-password page');
      await page.getByLabel('Practice').fill(tenant.slug);
      await page.getByLabel('Email').fill(tenant.adminEmail);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      const neutral = await page.getByRole('status').filter({ hasText: 'If' }).textContent();

      // An unknown email gets exactly the same answer.
      await page.goto(`${web.baseUrl}/forgot-password`);
      await page.getByLabel('Practice').fill(tenant.slug);
      await page.getByLabel('Email').fill('nobody@nowhere.test');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      assert.equal((await page.getByRole('status').filter({ hasText: 'If' }).textContent())?.replace('nobody@nowhere.test', tenant.adminEmail), neutral);

      const link = await resetLink(tenant);
      // The server sends links at its public URL; the test server listens elsewhere.
      await page.goto(`${web.baseUrl}/reset-password${link.slice(link.indexOf('#'))}`);
      await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
      assert.doesNotMatch(page.url(), /token=/, 'the token leaves the address bar');
      await assertAccessible(page, 'reset-password page');
      await page.getByLabel('New password', { exact: true }).fill('a-new-passphrase-1');
      await page.getByLabel('Repeat the new password').fill('a-different-one-2');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByText('The two passwords are not the same').waitFor();
      await page.getByLabel('New password', { exact: true }).fill('short');
      await page.getByLabel('Repeat the new password').fill('short');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.locator('.field-error').first().waitFor(); // the API's error on the password field
      await screenshot(page, 'account-reset');
      await page.getByLabel('New password', { exact: true }).fill('a-new-passphrase-1');
      await page.getByLabel('Repeat the new password').fill('a-new-passphrase-1');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('heading', { name: 'Password changed' }).waitFor();
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/login$/);
      await page.getByLabel('Practice').fill(tenant.slug);
      await page.getByLabel('Email').fill(tenant.adminEmail);
      await page.getByLabel('Password').fill('a-new-passphrase-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/dashboard$/);

      // The same link a second time is refused, with a way to ask for a new one.
      await page.goto(`${web.baseUrl}/reset-password${link.slice(link.indexOf('#'))}`);
      await page.getByLabel('New password', { exact: true }).fill('yet-another-pass-3');
      await page.getByLabel('Repeat the new password').fill('yet-another-pass-3');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('alert').filter({ hasText: 'This link cannot be used' }).waitFor();
      await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
