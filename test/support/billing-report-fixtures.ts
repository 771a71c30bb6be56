/**
 * Billing-report fixtures. Issuing always stamps today's date, so reports over past dates need
 * invoices issued earlier: `backdatedInvoice` computes a real document through the API (a draft), then
 * writes it as an issued invoice of an earlier date through the tenancy door (as legacy imports would),
 * and drops the draft. Everything else (payments, refunds, credit notes, voids) goes through the API.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { uuidv7 } from '../../src/db/uuid.ts';
import { withTenant } from '../../src/tenancy/tenant-db.ts';
import type { TestApp, TestTenant } from './harness.ts';
import { tenantRef } from './scheduling-fixtures.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

export function call(t: TestApp, tenant: TestTenant, method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** `date` plus `days`, on YYYY-MM-DD. */
export function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function createPatient(t: TestApp, tenant: TestTenant, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call(t, tenant, 'POST', '/api/patients', { firstName: 'Pat', lastName: 'Ient', dateOfBirth: '1980-05-06', ...body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

/** An invoice issued today through the API: `{ id, number, issueDate, total }`. */
export async function issueToday(t: TestApp, tenant: TestTenant, patientId: string, unitPrice: number, quantity = '1') {
  const draft = await call(t, tenant, 'POST', '/api/invoices', { patientId, lines: [{ description: 'Consultation', category: 'medical_service', unitPrice, quantity }] });
  assert.equal(draft.statusCode, 201, draft.body);
  const issued = await call(t, tenant, 'POST', `/api/invoices/${draft.json().id}/issue`);
  assert.equal(issued.statusCode, 200, issued.body);
  const body = issued.json();
  return { id: body.id as string, number: body.number as string, issueDate: body.issueDate as string, total: body.total as number };
}

/** An issued invoice dated `issueDate` for one line of `unitPrice`: `{ id, number }`. */
export async function backdatedInvoice(t: TestApp, tenant: TestTenant, patientId: string, issueDate: string, unitPrice: number) {
  const draft = await call(t, tenant, 'POST', '/api/invoices', { patientId, lines: [{ description: 'Earlier visit', category: 'medical_service', unitPrice, quantity: '1' }] });
  assert.equal(draft.statusCode, 201, draft.body);
  const document = { ...draft.json().document, issueDate };
  const id = uuidv7();
  const number = `OLD-${issueDate}-${randomBytes(3).toString('hex')}`;
  await withTenant(t.services.db, await tenantRef(t, tenant.slug), async (tx) => {
    await tx.query(
      `insert into invoices (tenant_id, id, number, patient_id, status, kind, currency, issue_date, computed, inputs, total, tax_total, issued_at)
       values ($1, $2, $3, $4, 'issued', 'invoice', $5, $6, $7, $8, $9, $10, $6::date + time '12:00')`,
      [tx.tenantId, id, number, patientId, document.currency, issueDate, JSON.stringify(document), JSON.stringify({ lines: [], invoiceDiscounts: [] }), String(document.total), String(document.taxTotal)],
    );
    await tx.query('delete from invoices where tenant_id = $1 and id = $2', [tx.tenantId, draft.json().id]);
  });
  return { id, number };
}

export async function pay(t: TestApp, tenant: TestTenant, invoiceId: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  const res = await call(t, tenant, 'POST', `/api/invoices/${invoiceId}/payments`, { method: 'card', ...body });
  assert.equal(res.statusCode, 201, res.body);
  return res;
}

/** A credit note for `quantity` of the invoice's first line; returns its number. */
export async function creditNote(t: TestApp, tenant: TestTenant, invoiceId: string, quantity = '1'): Promise<string> {
  const res = await call(t, tenant, 'POST', `/api/invoices/${invoiceId}/credit-notes`, { lines: [{ line: 0, quantity }] });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().number;
}

/** Parses RFC 4180 text (after a BOM) into records of fields; checks that every record ends in CRLF. */
export function parseCsv(text: string): string[][] {
  assert.ok(text.startsWith('\uFEFF'), 'starts with a UTF-8 byte-order mark');
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      let j = i + 1;
      for (;;) {
        if (text[j] === '"' && text[j + 1] === '"') {
          field += '"';
          j += 2;
        } else if (text[j] === '"') break;
        else if (j >= text.length) throw new Error('unterminated quoted field');
        else field += text[j++];
      }
      i = j + 1;
      assert.ok([',', '\r'].includes(text[i]!), `a quoted field ends at a separator (offset ${i})`);
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r') {
      assert.equal(text[i + 1], '\n', 'records end with CRLF');
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(c, '\n', 'a bare LF appears only inside quotes');
      assert.notEqual(c, '"', 'a quote appears only in a quoted field');
      field += c;
      i++;
    }
  }
  assert.ok(field === '' && record.length === 0, 'the last record ends with CRLF');
  return records;
}
