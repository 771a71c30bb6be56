// Branding through the web app in a real browser: a new name, colour and logo saved in Settings show
// at once in the staff top bar, on the practice's own sign-in page and in the public branding API;
// the page is accessible and fits a phone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { makePng } from '../support/images.ts';

/** `#rrggbb` as the rgb() string getComputedStyle answers. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** Waits until the image has loaded with real pixels (a broken image has naturalWidth 0). */
async function imageLoaded(page: Page, selector: string): Promise<number> {
  await page.waitForFunction((sel) => {
    const img = document.querySelector<HTMLImageElement>(sel);
    return !!img && img.complete && img.naturalWidth > 0;
  }, selector);
  return page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth);
}

describe('web branding settings', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  test('change the branding and see it applied', async () => {
    const name = `Harbour Clinic ${tenant.slug}`;
    const colour = '#7a1f5c';
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Branding' }).click();
      await page.getByRole('heading', { name: 'Branding', level: 1 }).waitFor();
      await assertAccessible(page, 'branding settings');

      // A logo: uploaded on choosing the file; the API's answer shows its size.
      await page.getByLabel('Logo file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: makePng(48, 24, [200, 40, 40]) });
      await page.getByText('PNG, 48 × 24 px').waitFor();

      await page.getByLabel('Display name').fill(name);
      await page.getByLabel('Primary colour', { exact: true }).fill(colour);
      // The live preview follows the form before saving.
      assert.equal(await page.getByTestId('branding-preview').evaluate((el) => getComputedStyle(el).backgroundColor), rgb(colour));
      await page.getByRole('button', { name: 'Save branding' }).click();
      await page.getByRole('status').filter({ hasText: 'Branding saved' }).waitFor();

      // The top bar changed without a reload: name, logo, colour.
      const topbar = page.locator('.topbar');
      await topbar.locator('.brand-name', { hasText: name }).waitFor();
      assert.equal(await imageLoaded(page, '.topbar img.brand-logo'), 48);
      assert.equal(await topbar.evaluate((el) => getComputedStyle(el).backgroundColor), rgb(colour));
      await screenshot(page, 'settings-branding');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }

    // The practice's own sign-in page, in a fresh context, shows the same.
    const other = await newPage(browser);
    try {
      await other.page.goto(`${web.practiceUrl(tenant.slug)}/login`);
      await other.page.getByRole('heading', { name, level: 1 }).waitFor();
      assert.equal(await imageLoaded(other.page, '.auth-brand img'), 48);
      await other.page.waitForFunction((c) => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim() === c, colour);
      assert.equal(await other.page.locator('.auth-page').evaluate((el) => getComputedStyle(el).backgroundImage.includes('rgb(122, 31, 92)')), true);
    } finally {
      await other.context.close();
    }

    // And the public branding API answers it.
    const res = await fetch(`${web.baseUrl}/public/practices/${tenant.slug}/branding`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { displayName: string; primaryColor: string; logoUrl: string | null };
    assert.equal(body.displayName, name);
    assert.equal(body.primaryColor, colour);
    assert.ok(body.logoUrl);
    const logo = await fetch(`${web.baseUrl}${body.logoUrl}`);
    assert.equal(logo.headers.get('content-type'), 'image/png');
  });

  test('a file that is not an image shows the API error; bad values show inline; a poor-contrast colour warns', async () => {
    const t = await web.createTenant();
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, web, t);
      await page.goto(`${web.baseUrl}/settings/branding`);
      await page.getByRole('heading', { name: 'Branding', level: 1 }).waitFor();
      // Declared PNG but not one: the server reads the bytes and refuses.
      await page.getByLabel('Logo file').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
      const logoError = page.locator('.field-error').filter({ hasText: /PNG|image|logo/i });
      await logoError.waitFor();
      assert.equal(await page.getByLabel('Logo file').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Website').fill('not a web address');
      await page.getByRole('button', { name: 'Save branding' }).click();
      const websiteField = page.locator('.field', { has: page.getByLabel('Website') });
      await websiteField.locator('.field-error').waitFor();
      assert.equal(await page.getByLabel('Website').getAttribute('aria-invalid'), 'true');

      await assertAccessible(page, 'branding settings with errors');
      await page.getByLabel('Primary colour', { exact: true }).fill('#12345');
      await page.locator('.field', { has: page.getByLabel('Primary colour', { exact: true }) }).getByText('Use a hex colour like #1f5f8b').waitFor();
      // Mid grey: neither black nor white text on it reads comfortably.
      await page.getByLabel('Primary colour', { exact: true }).fill('#777777');
      await page.getByText(/Warning: text on this primary colour is hard to read/).waitFor();
    } finally {
      await context.close();
    }
  });

  test('the custom subdomain is saved, and a reserved one is refused next to the field', async () => {
    const t = await web.createTenant();
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, web, t);
      await page.goto(`${web.baseUrl}/settings/branding`);
      await page.getByLabel('Subdomain', { exact: true }).fill('www');
      await page.getByRole('button', { name: 'Save subdomain' }).click();
      await page.locator('.field', { has: page.getByLabel('Subdomain', { exact: true }) }).locator('.field-error').waitFor();
      const sub = `c${t.slug}`.slice(0, 40);
      await page.getByLabel('Subdomain', { exact: true }).fill(sub);
      await page.getByRole('button', { name: 'Save subdomain' }).click();
      await page.getByText(`${sub}.localhost`).waitFor();
      const staff = await web.api(t, t.adminToken, { method: 'GET', url: '/api/branding' });
      assert.equal(staff.json().subdomain, sub);
    } finally {
      await context.close();
    }
  });

  test('at 375 px the branding page fits the screen', async () => {
    const { context, page } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/branding`);
      await page.getByRole('heading', { name: 'Branding', level: 1 }).waitFor();
      await page.getByLabel('Display name').waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      await assertAccessible(page, 'branding settings at 375 px');
    } finally {
      await context.close();
    }
  });
});
