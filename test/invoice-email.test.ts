/**
 * POST /api/invoices/{id}/send: the outbox row carries the practice's `invoice` template rendered
 * for this invoice (the default reads well without a link; a practice's own version wins) and the
 * invoice PDF, whose text names the invoice; explicit `to`; drafts, void invoices, credit notes and
 * patients without an email answer 409 and queue nothing; Idempotency-Key makes a retry queue
 * nothing more; the delivery job hands the PDF to the mailer as base64; audit and permission.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { ok, practiceCaller, readPdf, type DocPractice } from './support/pdf-read.ts';
import { PASSWORD, startTestApp, type TestApp } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import type { MailAttachment, MailMessage } from '../src/infra/mailer.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Practice = DocPractice;
const call = practiceCaller(() => t);

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code);
}

async function practice(email: string | null = 'harriet@patients.example'): Promise<Practice> {
  const tenant = await t.createTenant('pooled');
  const p: Practice = { tenant, patientId: '' };
  await ok(call(p, 'PUT', '/api/branding', { displayName: 'Maple Street Family Clinic', primaryColor: '#0b6e4f', phone: '+1 (217) 555-0100' }));
  const patient = await ok(call(p, 'POST', '/api/patients', { firstName: 'Harriet', lastName: 'Quimby', dateOfBirth: '1975-05-11', ...(email ? { email } : {}) }), 201);
  p.patientId = patient.id;
  return p;
}

async function issued(p: Practice, unitPrice = 12500): Promise<Record<string, any>> {
  const d = await ok(call(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: 'Initial consultation', category: 'medical_service', unitPrice, quantity: '1' }] }), 201);
  return ok(call(p, 'POST', `/api/invoices/${d.id}/issue`));
}

interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  template_kind: string | null;
  status: string;
  attachments: MailAttachment[];
}

async function outbox(p: Practice): Promise<OutboxRow[]> {
  const ref = await tenantRef(t, p.tenant.slug);
  return withTenant(t.services.db, ref, async (tx) =>
    (await tx.query<OutboxRow>('select id, to_address, subject, body_text, body_html, template_kind, status, attachments from email_outbox where tenant_id = $1 order by created_at, id', [tx.tenantId])).rows,
  );
}

async function pdfText(base64: string): Promise<string> {
  return (await readPdf(Buffer.from(base64, 'base64'))).text;
}

describe('sending an invoice by email', () => {
  test('queues the default invoice template for the patient with the invoice PDF attached; 202 with the message id; audited', async () => {
    const p = await practice();
    const inv = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${inv.id}/payments`, { method: 'card', amount: 2500 }), 201);
    const res = await call(p, 'POST', `/api/invoices/${inv.id}/send`);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.deepEqual(body, { messageId: body.messageId, invoiceId: inv.id, to: 'harriet@patients.example', status: 'queued' });

    const [msg, ...rest] = await outbox(p);
    assert.equal(rest.length, 0);
    assert.equal(msg!.id, body.messageId);
    assert.equal(msg!.to_address, 'harriet@patients.example');
    assert.equal(msg!.template_kind, 'invoice');
    assert.equal(msg!.status, 'pending');
    assert.equal(msg!.subject, `Invoice ${inv.number} from Maple Street Family Clinic`);
    assert.ok(msg!.body_text.startsWith('Dear Harriet,'), msg!.body_text);
    assert.ok(msg!.body_text.includes(`Your invoice ${inv.number} for $125.00 is ready. Amount due: $100.00.`), msg!.body_text);
    assert.ok(msg!.body_text.includes('Maple Street Family Clinic (+1 (217) 555-0100)'), msg!.body_text);
    // There is no patient-facing invoice page: the default leaves the link out rather than print an empty one.
    assert.ok(!msg!.body_text.includes('View it here'), msg!.body_text);
    assert.ok(!/\n{3,}/.test(msg!.body_text), `no gap where the link was:\n${msg!.body_text}`);
    assert.ok(msg!.body_html!.includes(`<strong>${inv.number}</strong>`));
    assert.ok(!msg!.body_html!.includes('View invoice') && !msg!.body_html!.includes('href=""'));

    assert.equal(msg!.attachments.length, 1);
    const pdf = msg!.attachments[0]!;
    assert.deepEqual({ ...pdf, content: undefined }, { filename: `${inv.number}.pdf`, contentType: 'application/pdf', encoding: 'base64', content: undefined });
    assert.equal(Buffer.from(pdf.content, 'base64').subarray(0, 5).toString('latin1'), '%PDF-');
    const text = await pdfText(pdf.content);
    for (const expected of [inv.number, 'Maple Street Family Clinic', 'Harriet Quimby', 'Initial consultation', '$100.00']) assert.ok(text.includes(expected), `${expected} in:\n${text}`);

    // The outbox API shows the attachment with its encoding, so a viewer can decode it.
    const viewed = await ok(call(p, 'GET', `/api/outbox/${body.messageId}`));
    assert.equal(viewed.attachments[0].encoding, 'base64');
    assert.equal(viewed.attachments[0].content, pdf.content);

    const audit = (await ok(call(p, 'GET', '/api/audit-events?action=invoice.send'))).items;
    assert.equal(audit.length, 1);
    assert.equal(audit[0].resourceId, inv.id);
    assert.deepEqual(audit[0].details, { number: inv.number, messageId: body.messageId, recipient: 'patient' });
    assert.ok(!JSON.stringify(audit[0]).includes('harriet@'), 'the address stays out of the audit trail');
  });

  test("the practice's own invoice template is used; an explicit `to` overrides the patient's address", async () => {
    const p = await practice();
    const inv = await issued(p);
    await ok(
      call(p, 'PUT', '/api/templates/invoice', {
        subject: 'Your bill {{ invoice.number }} ({{ invoice.balanceDue }})',
        bodyHtml: '',
        bodyText: 'Hi {{ patient.firstName }} {{ patient.lastName }}: {{ invoice.total }} at {{ practice.name }}.{% if invoice.url %} {{ invoice.url }}{% endif %}',
      }),
    );
    const res = await ok(call(p, 'POST', `/api/invoices/${inv.id}/send`, { to: 'guardian@family.example' }), 202);
    assert.equal(res.to, 'guardian@family.example');
    const [msg] = await outbox(p);
    assert.equal(msg!.to_address, 'guardian@family.example');
    assert.equal(msg!.subject, `Your bill ${inv.number} ($125.00)`);
    assert.equal(msg!.body_text, 'Hi Harriet Quimby: $125.00 at Maple Street Family Clinic.');
    assert.equal(msg!.body_html, null, 'an empty HTML body sends plain text');
    assert.ok((await pdfText(msg!.attachments[0]!.content)).includes(inv.number));
    const audit = (await ok(call(p, 'GET', '/api/audit-events?action=invoice.send'))).items;
    assert.equal(audit[0].details.recipient, 'other');
  });

  test('the delivery job hands the PDF to the mailer as base64 and marks the message', async () => {
    const p = await practice();
    const inv = await issued(p);
    const to = `accounts@${p.tenant.slug}.example`;
    const { messageId } = await ok(call(p, 'POST', `/api/invoices/${inv.id}/send`, { to }), 202);
    // SMTP is the one thing we cannot run here: listen on the development mailer's send.
    const mailer = t.services.mailer as { send: (m: MailMessage) => Promise<void> };
    const original = mailer.send;
    const sent: MailMessage[] = [];
    mailer.send = async (m) => {
      if (m.to === to) sent.push(m);
    };
    try {
      await t.services.jobs.runDue(new Date(Date.now() + 60_000));
    } finally {
      mailer.send = original;
    }
    const [msg] = await outbox(p);
    assert.equal(msg!.id, messageId);
    assert.equal(msg!.status, 'kept', 'delivered through the development mailer');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.subject, `Invoice ${inv.number} from Maple Street Family Clinic`);
    const [attachment] = sent[0]!.attachments;
    assert.equal(attachment!.encoding, 'base64');
    assert.ok((await pdfText(attachment!.content)).includes(inv.number));
  });

  test('no email on file and no `to`: 409 patient_has_no_email, nothing queued; with `to` it goes out', async () => {
    const p = await practice(null);
    const inv = await issued(p);
    assertProblem(await call(p, 'POST', `/api/invoices/${inv.id}/send`, {}), 409, 'patient_has_no_email');
    assert.equal((await outbox(p)).length, 0);
    await ok(call(p, 'POST', `/api/invoices/${inv.id}/send`, { to: 'harriet@elsewhere.example' }), 202);
    assert.equal((await outbox(p)).length, 1);
  });

  test('drafts, void invoices and credit notes: 409 invoice_not_draft, nothing queued; a paid invoice goes out', async () => {
    const p = await practice();
    const draft = await ok(call(p, 'POST', '/api/invoices', { patientId: p.patientId, lines: [{ description: 'Visit', category: 'medical_service', unitPrice: 5000, quantity: '1' }] }), 201);
    assertProblem(await call(p, 'POST', `/api/invoices/${draft.id}/send`), 409, 'invoice_not_draft');
    const voided = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${voided.id}/void`, { reason: 'Billed twice' }));
    assertProblem(await call(p, 'POST', `/api/invoices/${voided.id}/send`), 409, 'invoice_not_draft');
    const credited = await issued(p);
    const credit = await ok(call(p, 'POST', `/api/invoices/${credited.id}/credit-notes`, { lines: [{ line: 0, quantity: '1' }] }), 201);
    assertProblem(await call(p, 'POST', `/api/invoices/${credit.id}/send`), 409, 'invoice_not_draft');
    assert.equal((await outbox(p)).length, 0);

    const paid = await issued(p);
    await ok(call(p, 'POST', `/api/invoices/${paid.id}/payments`, { method: 'cash', amount: paid.total }), 201);
    await ok(call(p, 'POST', `/api/invoices/${paid.id}/send`), 202);
    const [msg] = await outbox(p);
    assert.ok(msg!.body_text.includes('Amount due: $0.00.'), msg!.body_text);
  });

  test('Idempotency-Key: a retry answers the first result and queues once; without a key every call sends again', async () => {
    const p = await practice();
    const inv = await issued(p);
    const headers = { 'idempotency-key': `send-${inv.id}` };
    const first = await call(p, 'POST', `/api/invoices/${inv.id}/send`, {}, headers);
    assert.equal(first.statusCode, 202, first.body);
    const retry = await call(p, 'POST', `/api/invoices/${inv.id}/send`, {}, headers);
    assert.equal(retry.statusCode, 202, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json(), first.json());
    assert.equal((await outbox(p)).length, 1);
    assert.equal((await ok(call(p, 'GET', '/api/audit-events?action=invoice.send'))).items.length, 1);
    assertProblem(await call(p, 'POST', `/api/invoices/${inv.id}/send`, { to: 'other@family.example' }, headers), 422, 'idempotency_key_reused');

    await ok(call(p, 'POST', `/api/invoices/${inv.id}/send`), 202);
    assert.equal((await outbox(p)).length, 2, 'a resend without a key is a new message');
  });

  test('bad input is a 400 naming the field; unknown ids 404; needs billing:write', async () => {
    const p = await practice();
    const inv = await issued(p);
    for (const [payload, field] of [[{ to: 'not an address' }, 'to'], [{ cc: 'x@y.example' }, 'cc'], [{ to: 42 }, 'to']] as const) {
      const res = await call(p, 'POST', `/api/invoices/${inv.id}/send`, payload);
      assertProblem(res, 400, 'validation_failed');
      assert.ok(res.json().errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(payload)} names ${field}: ${res.body}`);
    }
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) assertProblem(await call(p, 'POST', `/api/invoices/${id}/send`), 404, 'not_found');
    const email = `desk@${p.tenant.slug}.test`;
    await ok(call(p, 'POST', '/api/staff', { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] }), 201);
    const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.tenant.slug, email, password: PASSWORD } });
    assertProblem(await call(p, 'POST', `/api/invoices/${inv.id}/send`, {}, {}, login.json().accessToken), 403, 'permission_denied');
    assert.equal((await outbox(p)).length, 0);
  });
});
