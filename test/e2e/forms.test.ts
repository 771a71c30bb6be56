// Intake forms in a real browser: a form built in the visual builder (its live preview showing and
// hiding a conditional question), sent to a patient from the UI, then filled by the patient from the
// link in a fresh browser without a login, at phone width, with the API's answer errors inline.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import type { TestTenant } from '../support/harness.ts';
import { withTenant } from '../../src/tenancy/tenant-db.ts';

describe('web intake forms', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await web.api(tenant, tenant.adminToken, { method, url, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  test('build a form and fill it from the patient link', async () => {
    const patient = await api('POST', '/api/patients', { firstName: 'Odile', lastName: 'Varga', dateOfBirth: '1984-05-06', email: 'odile@patients.test' });

    const { context, page, errors } = await newPage(browser);
    let linkUrl: string;
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/settings/forms`);
      await page.getByRole('heading', { name: 'No forms yet' }).waitFor();
      await page.getByRole('link', { name: 'Build your first form' }).click();
      await page.waitForURL(/\/settings\/forms\/new$/);
      await page.getByLabel('Form key').fill('welcome-e2e');
      await page.getByLabel('Form title').fill('Welcome form');

      const addQuestion = async (type: string) => {
        await page.getByLabel('Type of the new question in section 1').selectOption({ label: type });
        await page.getByRole('button', { name: 'Add question to section 1' }).click();
      };
      const field = (n: number) => page.getByRole('group', { name: new RegExp(`^Field ${n}:`) });

      await addQuestion('Short text');
      await field(1).getByLabel('Question', { exact: true }).fill('Preferred name');
      await addQuestion('Yes / no');
      await field(2).getByLabel('Question', { exact: true }).fill('Do you have allergies?');
      await field(2).getByLabel('Required', { exact: true }).check();
      assert.equal(await field(2).getByLabel('Key', { exact: true }).inputValue(), 'doYouHaveAllergies', 'the key follows the question');
      await addQuestion('Short text');
      await field(3).getByLabel('Question', { exact: true }).fill('Which allergies?');
      await field(3).getByLabel('Show this question').selectOption({ label: 'Only if an earlier answer is…' });
      await field(3).getByLabel('Earlier question').selectOption({ label: 'Do you have allergies?' });
      await field(3).getByLabel('Is', { exact: true }).selectOption({ label: 'Yes' });
      await addQuestion('Consent with signature');
      await field(4).getByLabel('Question', { exact: true }).fill('Privacy notice');
      await field(4).getByLabel('Consent text').fill('I agree that the practice stores my health information.');
      await field(4).getByLabel(/^Required/).check();

      // The live preview renders the unsaved form, and the condition works in it.
      const preview = page.getByRole('region', { name: 'Preview of the form' });
      await preview.getByRole('heading', { name: 'Welcome form' }).waitFor();
      const conditional = preview.getByLabel('Which allergies?');
      assert.equal(await conditional.count(), 0, 'hidden until the yes/no is answered yes');
      const allergiesGroup = preview.getByRole('group', { name: /Do you have allergies\?/ });
      await allergiesGroup.getByLabel('Yes').check();
      await conditional.waitFor();
      await allergiesGroup.getByLabel('No').check();
      await conditional.waitFor({ state: 'detached' });
      await allergiesGroup.getByLabel('Yes').check();
      await conditional.waitFor();

      await assertAccessible(page, 'form builder');
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'settings-forms-builder');

      // A save-time problem is shown by the question and rule it names (sections[0].fields[0].validation.pattern).
      await field(1).getByText('Validation rules').click();
      await field(1).getByLabel('Pattern').fill('(a+)+');
      await page.getByRole('button', { name: 'Publish form' }).click();
      await field(1).locator('.field-invalid').filter({ has: page.getByLabel('Pattern') }).getByRole('alert').waitFor();
      await field(1).getByLabel('Pattern').fill('');
      await page.getByRole('button', { name: 'Publish form' }).click();
      await page.waitForURL(/\/settings\/forms\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Form: Welcome form' }).waitFor();
      await page.getByRole('cell', { name: /^1\s*in use$/ }).waitFor();

      // Send it to the patient from the UI.
      await page.getByRole('button', { name: 'Send to patient' }).click();
      const dialog = page.getByRole('dialog', { name: /Send “Welcome form” to a patient/ });
      await dialog.getByLabel('Find a patient').fill('Varga');
      await dialog.getByRole('button', { name: /Odile Varga/ }).click();
      await dialog.getByRole('button', { name: 'Create link' }).click();
      await dialog.getByText('It was emailed to the patient.').waitFor();
      linkUrl = await dialog.getByLabel('Form link').inputValue();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }

    // The link is the patient's page, and it is the one in the email.
    const path = new URL(linkUrl).pathname;
    assert.match(path, new RegExp(`^/p/${tenant.slug}/forms/[A-Za-z0-9_-]{43}$`));
    const outbox = await api('GET', '/api/outbox');
    const email = outbox.items.find((m: { kind: string; to: string }) => m.kind === 'intake_link' && m.to === 'odile@patients.test');
    assert.ok(email, 'the link was emailed');
    const message = await api('GET', `/api/outbox/${email.id}`);
    assert.ok(message.text.includes(linkUrl), 'the email carries the same link');

    // The patient: a fresh browser, no login, phone width.
    const patientSide = await newPage(browser, PHONE);
    try {
      const p = patientSide.page;
      await p.goto(`${web.baseUrl}${path}`);
      await p.getByRole('heading', { name: 'Welcome form' }).waitFor();
      assert.equal((await p.locator('.public-header .brand-name').textContent())?.trim(), `Practice ${tenant.slug}`);
      await p.getByText('Hello Odile').waitFor();
      assert.equal(await overflowsHorizontally(p), false, 'the form fits a phone');
      await assertAccessible(p, 'patient form page');
      await screenshot(p, 'patient-form');

      // Without the required answers: the API's errors show by their questions, and nothing is used up.
      await p.getByLabel('Preferred name').fill('Odie');
      await p.getByRole('button', { name: 'Send my answers' }).click();
      await p.getByRole('alert').filter({ hasText: 'Please check your answers' }).waitFor();
      const yesNo = p.getByRole('group', { name: /Do you have allergies\?/ });
      await yesNo.getByRole('alert').filter({ hasText: 'is required' }).waitFor();
      await p.getByRole('group', { name: /Privacy notice/ }).getByRole('alert').waitFor();
      assert.equal(await p.getByLabel('Which allergies?').count(), 0);

      await yesNo.getByLabel('Yes').check();
      await p.getByLabel('Which allergies?').fill('Latex');
      await p.getByLabel('I agree').check();
      await p.getByLabel('Type your full name to sign').fill('Odile Varga');
      await p.getByRole('button', { name: 'Send my answers' }).click();
      await p.getByRole('heading', { name: 'Thank you, Odile' }).waitFor();

      // The link works once.
      await p.reload();
      await p.getByRole('heading', { name: 'This form has already been sent' }).waitFor();
      assert.equal(await overflowsHorizontally(p), false);
      assert.deepEqual(patientSide.errors, []);
    } finally {
      await patientSide.context.close();
    }

    // The response is the patient's, with the answers given.
    const responses = await api('GET', `/api/patients/${patient.id}/form-responses`);
    assert.equal(responses.items.length, 1);
    const response = await api('GET', `/api/form-responses/${responses.items[0].id}`);
    assert.equal(response.answers.preferredName, 'Odie');
    assert.equal(response.answers.doYouHaveAllergies, true);
    assert.equal(response.answers.whichAllergies, 'Latex');
    assert.equal(response.answers.privacyNotice.agreed, true);
    assert.equal(response.answers.privacyNotice.signatureName, 'Odile Varga');
  });

  test('an expired link and an unknown link say so in plain words', async () => {
    const patient = await api('POST', '/api/patients', { firstName: 'Piet', lastName: 'Moll', dateOfBirth: '1990-01-02' });
    const form = await api('POST', '/api/forms', {
      key: 'short-e2e',
      title: 'Short form',
      sections: [{ id: 'main', title: 'Main', fields: [{ id: 'note', type: 'text', label: 'Anything to add?' }] }],
    });
    const link = await api('POST', `/api/forms/${form.id}/links`, { patientId: patient.id, expiresInHours: 1 });
    const ref = (await web.services.tenants.bySlug(tenant.slug))!;
    await withTenant(web.services.db, ref, (tx) => tx.query(`update form_links set expires_at = now() - interval '1 second' where tenant_id = $1 and id = $2`, [tx.tenantId, link.id]));
    const { context, page, errors } = await newPage(browser, PHONE);
    try {
      await page.goto(`${web.baseUrl}${new URL(link.url).pathname}`);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
      await page.goto(`${web.baseUrl}/p/${tenant.slug}/forms/${'x'.repeat(43)}`);
      await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
