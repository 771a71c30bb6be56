// The patients area in a real browser: the empty list, registering a patient through the form
// (the API's field errors shown next to the right field, then a fixed save), finding patients by
// search with "show more" paging, the detail page's tabs (edit, history, forms, invoices, the
// statement PDF), archive and restore behind a confirmation, a role without write permissions,
// and accessibility / phone-width checks of the list, form and detail pages.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, newPage, signIn, screenshot, assertAccessible, overflowsHorizontally, PHONE, type WebTestApp } from '../support/browser.ts';
import { PASSWORD, type TestTenant } from '../support/harness.ts';

describe('web patients', () => {
  let web: WebTestApp;
  let browser: Browser;
  let tenant: TestTenant;
  browserSuite((suite) => ({ web, browser, tenant } = suite));

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object, who: TestTenant = tenant) => {
    const res = await web.api(who, who.adminToken, { method, url, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const createPatient = (body: Record<string, unknown>) => call('POST', '/api/patients', body) as Promise<{ id: string; mrn: string }>;

  /** The inline error of the field labelled `label`: the input is invalid and described by it. */
  async function fieldError(page: Page, label: string): Promise<string> {
    const input = page.getByLabel(label, { exact: true });
    await page.locator('.field-invalid', { has: input }).waitFor();
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
    const error = page.locator('.field', { has: input }).locator('.field-error');
    const errorId = await error.getAttribute('id');
    assert.ok(errorId && describedBy.split(' ').includes(errorId), `${label}: the error is not announced with the field`);
    return (await error.textContent()) ?? '';
  }


  test('register a patient: API field errors inline, fix, save, land on the record, edit a field', async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/patients`);
      await page.getByRole('heading', { name: 'No patients yet — add the first one' }).waitFor();
      await page.getByRole('link', { name: 'Add the first patient' }).click();
      await page.waitForURL(/\/patients\/new$/);

      // Invalid: no last name and a malformed email. The API's errors appear next to those fields.
      await page.getByLabel('First name').fill('Ada');
      await page.getByLabel('Date of birth').fill('1984-03-15');
      await page.getByLabel('Email').fill('ada-at-example');
      await page.getByLabel('Postal code').fill('N1 9GU');
      await page.getByRole('button', { name: 'Save patient' }).click();
      await page.getByRole('alert').filter({ hasText: 'Please check the highlighted fields' }).waitFor();
      assert.match(await fieldError(page, 'Email'), /email/i);
      assert.ok((await fieldError(page, 'Last name')).length > 0);
      // An address with only a postal code: the API names the missing country by its dotted path.
      assert.ok((await fieldError(page, 'Country')).length > 0);
      assert.equal(await page.getByLabel('First name').getAttribute('aria-invalid'), null);
      // Focus moved to the first field the API named, for keyboard and screen-reader users.
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true');
      await assertAccessible(page, 'new patient form with errors');
      await screenshot(page, 'patients-new');
      const none = await call('GET', '/api/patients?status=all');
      assert.equal(none.items.length, 0, 'nothing is saved while the form is invalid');

      // Fixed: saved, and the record opens.
      await page.getByLabel('Last name').fill('Lovelace');
      await page.getByLabel('Email').fill('ada@example.test');
      await page.getByLabel('Address line 1').fill('12 Analytical Row');
      await page.getByLabel('City').fill('London');
      await page.getByLabel('Country').fill('gb');
      await page.getByLabel('Allergies').fill('Penicillin\nLatex');
      await page.getByRole('button', { name: 'Save patient' }).click();
      await page.waitForURL(/\/patients\/[0-9a-f-]{36}$/);
      const id = page.url().split('/').at(-1)!;
      await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
      const saved = await call('GET', `/api/patients/${id}`);
      assert.equal(saved.email, 'ada@example.test');
      assert.deepEqual(saved.address, { line1: '12 Analytical Row', city: 'London', postalCode: 'N1 9GU', country: 'GB' });
      assert.deepEqual(saved.allergies, ['Penicillin', 'Latex']);

      // Edit one field on the Overview tab: only that field is sent, with the version read.
      await page.getByRole('tab', { name: 'Overview', selected: true }).waitFor();
      await page.getByRole('button', { name: 'Edit details' }).click();
      await page.getByLabel('Phone').fill('+44 20 7946 0018');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('button', { name: 'Edit details' }).waitFor();
      await page.getByRole('tabpanel').getByText('+44 20 7946 0018').waitFor();
      const edited = await call('GET', `/api/patients/${id}`);
      assert.equal(edited.phone, '+44 20 7946 0018');
      assert.equal(edited.version, saved.version + 1);
      assert.equal(edited.email, 'ada@example.test');

      // A refused edit (bad email) shows inline and changes nothing.
      await page.getByRole('button', { name: 'Edit details' }).click();
      await page.getByLabel('Email').fill('still wrong');
      await page.getByRole('button', { name: 'Save changes' }).click();
      // The nullable field's union noise ("must be null") is not shown, only the useful message.
      const editError = await fieldError(page, 'Email');
      assert.match(editError, /email/i);
      assert.doesNotMatch(editError, /null|anyOf/);
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await call('GET', `/api/patients/${id}`)).email, 'ada@example.test');

      // History (the admin reads the audit trail): the edit is listed with the field it changed.
      await page.getByRole('tab', { name: 'History' }).click();
      await page.getByRole('cell', { name: 'Changed details: phone' }).waitFor();
      await page.getByRole('cell', { name: 'Registered' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the list searches as you type, pages with "show more", and says when nothing matches', async () => {
    await createPatient({ firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1976-12-09', phone: '(555) 013-4477', email: 'grace@example.test' });
    await createPatient({ firstName: 'Alan', lastName: 'Turing', dateOfBirth: '1972-06-23' });
    await Promise.all(Array.from({ length: 26 }, (_, i) => createPatient({ firstName: `Filler${String(i).padStart(2, '0')}`, lastName: 'Zed', dateOfBirth: '1990-01-01' })));
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/patients`);
      const rows = page.locator('table.patients-table tbody tr');
      await page.getByRole('link', { name: 'Hopper, Grace' }).waitFor();
      assert.equal(await rows.count(), 25);
      await page.getByRole('button', { name: 'Show more patients' }).click();
      await page.getByRole('link', { name: 'Zed, Filler25' }).waitFor();
      assert.equal(await rows.count(), 29);
      assert.equal(await page.getByRole('button', { name: 'Show more patients' }).count(), 0);
      await assertAccessible(page, 'patients list');

      // Names (any order, prefixes), then trailing phone digits.
      const search = page.getByRole('searchbox', { name: 'Search patients' });
      await search.fill('hop gr');
      await page.waitForURL(/q=hop/);
      await page.getByRole('link', { name: 'Hopper, Grace' }).waitFor();
      await page.getByRole('link', { name: 'Turing, Alan' }).waitFor({ state: 'detached' });
      assert.equal(await rows.count(), 1);
      await page.getByRole('cell', { name: 'grace@example.test' }).waitFor();
      await screenshot(page, 'patients-list');
      await search.fill('4477');
      await page.waitForURL(/q=4477/);
      await page.getByRole('link', { name: 'Hopper, Grace' }).waitFor();
      assert.equal(await rows.count(), 1);
      await search.fill('Quixote');
      await page.getByRole('heading', { name: 'No patient matches “Quixote”' }).waitFor();
      // The search is in the address: a reload keeps it.
      await page.reload();
      await page.getByRole('heading', { name: 'No patient matches “Quixote”' }).waitFor();
      assert.equal(await search.inputValue(), 'Quixote');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the record: tabs, form answers with the labels of the version filled in, invoices, balance, statement PDF', async () => {
    const patient = await createPatient({ firstName: 'Mary', lastName: 'Somerville', dateOfBirth: '1980-12-26', email: 'mary@example.test' });
    const form = await call('POST', '/api/forms', {
      key: 'intake',
      title: 'New patient intake',
      sections: [{ id: 'main', title: 'Habits', fields: [
        { id: 'smoker', type: 'yes_no', label: 'Do you smoke?' },
        { id: 'sport', type: 'single_choice', label: 'Favourite exercise', options: [{ value: 'swim', label: 'Swimming' }, { value: 'run', label: 'Running' }] },
      ] }],
    });
    await call('POST', `/api/patients/${patient.id}/form-responses`, { formId: form.id, answers: { smoker: true, sport: 'swim' } });
    // A later version renames the question: the response still reads with its own version's labels.
    await call('PUT', `/api/forms/${form.id}`, {
      title: 'New patient intake',
      sections: [{ id: 'main', title: 'Habits', fields: [
        { id: 'smoker', type: 'yes_no', label: 'Do you use tobacco?' },
        { id: 'sport', type: 'single_choice', label: 'Favourite exercise', options: [{ value: 'swim', label: 'Swimming' }, { value: 'run', label: 'Running' }] },
      ] }],
    });
    const invoice = await call('POST', '/api/invoices', { patientId: patient.id, lines: [{ description: 'Consultation', category: 'medical_service', unitPrice: 8000, quantity: '1' }] });
    const issued = await call('POST', `/api/invoices/${invoice.id}/issue`);

    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/patients/${patient.id}`);
      await page.getByRole('heading', { level: 1, name: 'Mary Somerville' }).waitFor();
      const tabs = page.getByRole('tablist', { name: 'Patient record' }).getByRole('tab');
      assert.deepEqual(await tabs.allTextContents(), ['Overview', 'Appointments', 'Invoices', 'Forms', 'History']);
      const summary = page.getByRole('region', { name: 'Patient summary' });
      const owed = summary.getByText(/\d owed$/);
      await owed.waitFor();
      assert.match((await owed.textContent()) ?? '', /80\.00 owed$/);
      await assertAccessible(page, 'patient detail');
      await screenshot(page, 'patients-detail');

      // Keyboard: arrow keys move along the tabs.
      await page.getByRole('tab', { name: 'Overview' }).focus();
      await page.keyboard.press('ArrowRight');
      await page.getByRole('tab', { name: 'Appointments', selected: true }).waitFor();
      await page.getByRole('heading', { name: 'No appointments in this period' }).waitFor();

      await page.getByRole('tab', { name: 'Invoices' }).click();
      const link = page.getByRole('link', { name: issued.number });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), `/billing/invoices/${invoice.id}`);

      await page.getByRole('tab', { name: 'Forms' }).click();
      await page.getByRole('cell', { name: 'New patient intake v1' }).waitFor();
      await page.getByRole('button', { name: /^Open New patient intake/ }).click();
      const dialog = page.getByRole('dialog', { name: 'New patient intake' });
      await dialog.getByText('Do you smoke?').waitFor();
      assert.equal(await dialog.getByText('Do you use tobacco?').count(), 0);
      await dialog.getByText('Swimming').waitFor();
      assert.equal(await dialog.locator('dt:has-text("Do you smoke?") + dd').textContent(), 'Yes');
      await assertAccessible(page, 'form response dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The tab is in the address: a reload opens the same tab.
      await page.reload();
      await page.getByRole('tab', { name: 'Forms', selected: true }).waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download statement (PDF)' }).click()]);
      assert.equal(download.suggestedFilename(), `statement-${patient.mrn}.pdf`);
      const file = await download.path();
      const { readFileSync } = await import('node:fs');
      assert.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('an edit crossing someone else\'s is refused, not overwritten; archive asks first and blocks editing; restore', async () => {
    const patient = await createPatient({ firstName: 'Emmy', lastName: 'Noether', dateOfBirth: '1982-03-23' });
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/patients/${patient.id}`);

      // Someone else saves while this form is open: the save is refused and their change kept.
      await page.getByRole('button', { name: 'Edit details' }).click();
      await call('PATCH', `/api/patients/${patient.id}`, { phone: '+49 551 3910' });
      await page.getByLabel('Preferred name').fill('Emmy N.');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('alert').filter({ hasText: 'Someone else changed this patient' }).waitFor();
      const afterConflict = await call('GET', `/api/patients/${patient.id}`);
      assert.equal(afterConflict.preferredName, null);
      assert.equal(afterConflict.phone, '+49 551 3910');
      await page.getByRole('button', { name: 'Load the latest version' }).click();
      await page.getByRole('tabpanel').getByText('+49 551 3910').waitFor();
      await page.getByRole('button', { name: 'Archive patient' }).click();
      const dialog = page.getByRole('dialog', { name: 'Archive this patient?' });
      await dialog.waitFor();
      // Cancel changes nothing.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal((await call('GET', `/api/patients/${patient.id}`)).status, 'active');

      await page.getByRole('button', { name: 'Archive patient' }).click();
      await dialog.getByRole('button', { name: 'Archive Emmy Noether' }).click();
      await page.getByText('This patient is archived').waitFor();
      await page.getByRole('button', { name: 'Restore patient' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Edit details' }).count(), 0);
      assert.equal((await call('GET', `/api/patients/${patient.id}`)).status, 'archived');

      await page.goto(`${web.baseUrl}/patients?q=noether`);
      await page.getByRole('heading', { name: 'No patient matches “noether”' }).waitFor();
      await page.getByLabel('Status').selectOption('archived');
      await page.getByRole('link', { name: 'Noether, Emmy' }).waitFor();
      await page.getByRole('row', { name: /Noether, Emmy/ }).getByText('Archived').waitFor();

      await page.getByRole('link', { name: 'Noether, Emmy' }).click();
      await page.getByRole('button', { name: 'Restore patient' }).click();
      await page.getByRole('button', { name: 'Archive patient' }).waitFor();
      await page.getByRole('button', { name: 'Edit details' }).waitFor();
      assert.equal((await call('GET', `/api/patients/${patient.id}`)).status, 'active');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('without write permissions there are no write buttons; history says it needs the audit permission', async () => {
    const email = `billing@${tenant.slug}.test`;
    await call('POST', '/api/staff', { email, name: 'Bill Ing', password: PASSWORD, roles: ['billing'] });
    const patient = await createPatient({ firstName: 'Carl', lastName: 'Gauss', dateOfBirth: '1977-04-30' });
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, web, { slug: tenant.slug, adminEmail: email });
      await page.goto(`${web.baseUrl}/patients?q=gauss`);
      await page.getByRole('link', { name: 'Gauss, Carl' }).click();
      await page.getByRole('heading', { level: 1, name: 'Carl Gauss' }).waitFor();
      await page.getByRole('button', { name: 'Download statement (PDF)' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Edit details' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Archive patient' }).count(), 0);
      // Billing staff do not read the calendar: no Appointments tab.
      assert.deepEqual(await page.getByRole('tab').allTextContents(), ['Overview', 'Invoices', 'Forms', 'History']);
      await page.getByRole('tab', { name: 'History' }).click();
      await page.getByRole('heading', { name: 'History needs the audit permission' }).waitFor();
      await page.goto(`${web.baseUrl}/patients`);
      await page.getByRole('link', { name: 'Gauss, Carl' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Add patient' }).count(), 0);
      await page.goto(`${web.baseUrl}/patients/new`);
      await page.getByRole('heading', { name: 'You cannot register patients' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('at 375 px the list, the form and the record fit the screen', async () => {
    const patient = await createPatient({ firstName: 'Sophie', lastName: 'Germain', dateOfBirth: '1976-04-01', email: 'sophie.germain.with.a.long.address@example.test', phone: '+33 1 23 45 67 89' });
    const { context, page, errors } = await newPage(browser, PHONE);
    try {
      await signIn(page, web, tenant);
      await page.goto(`${web.baseUrl}/patients`);
      await page.getByRole('link', { name: 'Germain, Sophie' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false, 'the list overflows at 375 px');
      await page.goto(`${web.baseUrl}/patients/new`);
      await page.getByLabel('First name').waitFor();
      assert.equal(await overflowsHorizontally(page), false, 'the form overflows at 375 px');
      await page.goto(`${web.baseUrl}/patients/${patient.id}`);
      await page.getByRole('heading', { level: 1, name: 'Sophie Germain' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false, 'the record overflows at 375 px');
      await assertAccessible(page, 'patient detail at 375 px');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
