// Settings in a real browser: a location with opening hours and a holiday, a provider with weekly
// hours there and time off, a custom role built from the permission catalogue and given to a staff
// member, and API validation errors shown next to their fields. Each page is checked with axe.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';

describe('web settings: locations, providers, roles', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  test('create a location and a provider with weekly hours through the UI', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/locations`);
      await page.getByRole('heading', { name: 'No locations yet' }).waitFor();
      await page.getByRole('button', { name: 'New location' }).click();

      // A time zone the server does not know: its error appears under the field.
      await page.getByLabel('Name', { exact: true }).fill('Harbour Street');
      await page.getByLabel('Time zone').fill('Mars/Olympus');
      await page.getByLabel('Monday').fill('08:00-12:00, 13:00-17:30');
      await page.getByLabel('Tuesday').fill('9-5');
      await page.getByRole('button', { name: 'Create location' }).click();
      // First the form's own check of the hours text…
      await page.getByText('Tuesday: write times as 09:00-17:00').waitFor();
      await page.getByLabel('Tuesday').fill('09:00-17:00');
      await page.getByRole('button', { name: 'Create location' }).click();
      // …then the API's answer on the time zone, next to that field.
      const tzField = page.locator('.field', { has: page.getByLabel('Time zone') });
      await tzField.locator('.field-error').waitFor();
      assert.equal(await page.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
      await assertAccessible(page, 'new location with an error');

      await page.getByLabel('Time zone').fill('Europe/Berlin');
      await page.getByRole('button', { name: 'Create location' }).click();
      await page.getByRole('heading', { name: 'Harbour Street', level: 1 }).waitFor();
      await page.waitForURL(/\/settings\/locations\/[0-9a-f-]{36}$/);
      const locationId = page.url().split('/').at(-1)!;

      // A holiday on the saved location.
      await page.getByLabel('Holiday date').fill('2027-12-25');
      await page.getByLabel('Holiday name').fill('Christmas Day');
      await page.getByRole('button', { name: 'Add holiday' }).click();
      await page.getByRole('cell', { name: 'Christmas Day', exact: true }).waitFor();
      await assertAccessible(page, 'location editor');

      const loc = await web.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/locations/${locationId}` });
      assert.equal(loc.statusCode, 200);
      assert.equal(loc.json().timeZone, 'Europe/Berlin');
      assert.deepEqual(loc.json().openingHours['1'], [['08:00', '12:00'], ['13:00', '17:30']]);
      assert.deepEqual(loc.json().openingHours['2'], [['09:00', '17:00']]);
      const hol = await web.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/locations/${locationId}/holidays` });
      assert.deepEqual(hol.json().items.map((h: { date: string; name: string }) => [h.date, h.name]), [['2027-12-25', 'Christmas Day']]);

      await page.getByRole('link', { name: 'All locations' }).click();
      await page.getByRole('link', { name: 'Harbour Street' }).waitFor();
      await assertAccessible(page, 'locations list');
      await screenshot(page, 'settings-locations');

      // The provider, then their hours at the new location.
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Providers' }).click();
      await page.getByRole('heading', { name: 'No providers yet' }).waitFor();
      await page.getByRole('button', { name: 'New provider' }).click();
      await page.getByLabel('Display name').fill('Dr. Ada Jones');
      await page.getByRole('button', { name: 'Create provider' }).click();
      await page.getByRole('heading', { name: 'Dr. Ada Jones', level: 1 }).waitFor();
      const providerId = page.url().split('/').at(-1)!;
      const hours = page.getByRole('form', { name: 'Weekly hours' });
      await hours.getByLabel('Location').selectOption({ label: 'Harbour Street' });
      await hours.getByLabel('Wednesday').fill('10:00-14:00');
      await hours.getByRole('button', { name: 'Save hours' }).click();
      await page.getByRole('status').filter({ hasText: 'Weekly hours saved' }).waitFor();

      await page.getByLabel('Time off from').fill('2027-07-01T09:00');
      await page.getByLabel('Time off until').fill('2027-07-03T17:00');
      await page.getByLabel('Reason').fill('Conference');
      await page.getByRole('button', { name: 'Add time off' }).click();
      await page.getByRole('cell', { name: 'Conference', exact: true }).waitFor();
      await assertAccessible(page, 'provider editor');

      const prov = await web.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/providers/${providerId}` });
      assert.deepEqual(prov.json().hours, [{ locationId, hours: { '3': [['10:00', '14:00']] } }]);
      const off = await web.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/providers/${providerId}/time-off` });
      assert.equal(off.json().items.length, 1);
      assert.equal(off.json().items[0].startsAt.slice(0, 16), '2027-07-01T09:00');

      await page.getByRole('link', { name: 'All providers' }).click();
      await page.getByRole('row', { name: /Dr\. Ada Jones.*Harbour Street/ }).waitFor();
      await assertAccessible(page, 'providers list');
      await screenshot(page, 'settings-providers');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('create a custom role from the catalogue and give it to a staff member', async () => {
    const added = await web.api(tenant, tenant.adminToken, {
      method: 'POST',
      url: '/api/staff',
      payload: { email: `desk@${tenant.slug}.test`, name: 'Dana Desk', password: 'a long enough password', roles: ['front_desk'] },
    });
    assert.equal(added.statusCode, 201, added.body);
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/roles`);
      await page.getByRole('cell', { name: /^Dana Desk desk@/ }).waitFor();
      await page.getByRole('button', { name: 'New custom role' }).click();
      await page.getByLabel('Role name').fill('Records clerk');
      assert.equal(await page.getByLabel('Key', { exact: true }).inputValue(), 'records_clerk');
      await page.getByRole('group', { name: 'patients' }).getByRole('checkbox', { name: /patients:read/ }).check();
      await page.getByRole('group', { name: 'patients' }).getByRole('checkbox', { name: /patients:write/ }).check();
      await page.getByRole('checkbox', { name: /scheduling:read/ }).check();
      await assertAccessible(page, 'new custom role');
      await page.getByRole('button', { name: 'Create role' }).click();
      await page.getByRole('link', { name: 'Records clerk' }).waitFor();

      await page.getByRole('button', { name: 'Change roles of Dana Desk' }).click();
      const dialog = page.getByRole('dialog', { name: 'Roles of Dana Desk' });
      await dialog.getByRole('checkbox', { name: /Records clerk/ }).check();
      await dialog.getByRole('checkbox', { name: /Front desk/ }).uncheck();
      await dialog.getByRole('button', { name: 'Save roles' }).click();
      await page.getByRole('row', { name: /Dana Desk.*Records clerk/ }).waitFor();

      // Refusals come through as they are: no roles at all is a field error in the dialog.
      await page.getByRole('button', { name: 'Change roles of Dana Desk' }).click();
      await dialog.getByRole('checkbox', { name: /Records clerk/ }).uncheck();
      await dialog.getByRole('button', { name: 'Save roles' }).click();
      await dialog.getByRole('alert').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await assertAccessible(page, 'staff and roles');
      await screenshot(page, 'settings-roles');

      const staff = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/staff' });
      const dana = staff.json().items.find((s: { name: string }) => s.name === 'Dana Desk');
      assert.deepEqual(dana.roles, ['records_clerk']);
      const roles = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/roles' });
      const clerk = roles.json().items.find((r: { key: string }) => r.key === 'records_clerk');
      assert.deepEqual([...clerk.permissions].sort(), ['patients:read', 'patients:write', 'scheduling:read']);
      assert.equal(clerk.members, 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('granting a permission you do not hold is refused, and the refusal is shown', async () => {
    const role = await web.api(tenant, tenant.adminToken, {
      method: 'POST',
      url: '/api/roles',
      payload: { key: 'office_manager', name: 'Office manager', permissions: ['staff:read', 'staff:manage', 'patients:read'] },
    });
    assert.equal(role.statusCode, 201, role.body);
    const email = `manager@${tenant.slug}.test`;
    const password = 'manager password 123';
    const added = await web.api(tenant, tenant.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Mo Manager', password, roles: ['office_manager'] } });
    assert.equal(added.statusCode, 201, added.body);
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, web, { slug: tenant.slug, adminEmail: email }, password);
      await page.goto(`${web.baseUrl}/settings/roles/new`);
      await page.getByLabel('Role name').fill('Biller plus');
      await page.getByRole('checkbox', { name: /billing:write/ }).check();
      await page.getByRole('button', { name: 'Create role' }).click();
      const banner = page.getByRole('alert').filter({ hasText: 'Could not save the role' });
      await banner.getByText(/only grant permissions you hold yourself.*billing:write/).waitFor();
      const roles = await web.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/roles' });
      assert.equal(roles.json().items.some((r: { key: string }) => r.key === 'biller_plus'), false);
    } finally {
      await context.close();
    }
  });
});
