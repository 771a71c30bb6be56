// Signing in through the web app in a real browser: the practice typed on the shared host, or
// known from its own host (`<practice>.localhost`), wrong passwords, the session surviving a
// reload, signing out, and the sign-in page's accessibility at desktop and phone widths.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import { PASSWORD, type TestTenant } from '../support/harness.ts';

describe('web sign-in', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  test('the shared host asks for the practice; signing in lands on the dashboard in the practice name', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/patients`);
      // Not signed in: sent to sign-in, and back to where they were going afterwards.
      await page.waitForURL(/\/login$/);
      await assertAccessible(page, 'sign-in page');
      await screenshot(page, 'sign-in');
      await page.getByLabel('Practice').fill(tenant.slug);
      await page.getByLabel('Email').fill(tenant.adminEmail);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/patients$/);
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      assert.equal(await page.locator('.topbar .brand-name').textContent(), `Practice ${tenant.slug}`);
      // A reload keeps the session.
      await page.reload();
      await page.getByRole('link', { name: 'Patients' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows an error and stays on the sign-in page', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${web.baseUrl}/login`);
      await page.getByLabel('Practice').fill(tenant.slug);
      await page.getByLabel('Email').fill(tenant.adminEmail);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Those details did not match' }).waitFor();
      assert.match(page.url(), /\/login$/);
    } finally {
      await context.close();
    }
  });

  test("on the practice's own host there is no practice field, and signing out returns to sign-in", async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${web.practiceUrl(tenant.slug)}/login`);
      await page.getByRole('heading', { name: `Practice ${tenant.slug}` }).waitFor();
      assert.equal(await page.getByLabel('Practice').count(), 0);
      await page.getByLabel('Email').fill(tenant.adminEmail);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/dashboard$/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login$/);
      // Signed out means signed out: the workspace sends back to sign-in.
      await page.goto(`${web.practiceUrl(tenant.slug)}/dashboard`);
      await page.waitForURL(/\/login$/);
    } finally {
      await context.close();
    }
  });

  test('at 375 px the sign-in page and the workspace fit the screen, with the menu behind a button', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await page.goto(`${web.baseUrl}/login`);
      assert.equal(await overflowsHorizontally(page), false);
      await signIn(page, web, tenant);
      assert.equal(await overflowsHorizontally(page), false);
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.isVisible(), false);
      await page.getByRole('button', { name: 'Menu' }).click();
      await nav.getByRole('link', { name: 'Patients' }).click();
      await page.waitForURL(/\/patients$/);
      await assertAccessible(page, 'workspace at 375 px');
      await screenshot(page, 'workspace-phone');
    } finally {
      await context.close();
    }
  });

  test('unknown paths outside the API get the app (its not-found page); API paths keep problem+json', async () => {
    const page = await fetch(`${web.baseUrl}/no/such/page`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<div id="root">/);
    // The build's assets: cached for a year, never sniffed; nothing outside the build, no dotfiles.
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await (await fetch(`${web.baseUrl}/login`, { headers: { accept: 'text/html' } })).text())?.[1];
    assert.ok(script, 'index.html names its script');
    const asset = await fetch(`${web.baseUrl}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    for (const probe of ['/assets/', '/assets/x/../', '/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/.env', '/assets/index.js.map']) {
      const res = await fetch(`${web.baseUrl}${probe}`);
      assert.ok(res.status === 404 || res.status === 403, `${probe}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /"name": "healthtrack"/);
    }
    const api = await fetch(`${web.baseUrl}/api/no-such-route`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal(api.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  });
});
