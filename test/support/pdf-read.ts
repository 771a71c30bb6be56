/**
 * Shared by the billing-document tests (invoice PDF, statement PDF, invoice email).
 * Reads a PDF the way a person's viewer would, with pdfjs-dist (which shares no code with the
 * pdf-lib generator): the texts of each page in drawing order, and the first page's operators
 * (images painted, colours set) for checks that the branding is really drawn.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TestApp, TestTenant } from './harness.ts';

export interface Pdf {
  readonly pages: string[][];
  readonly text: string;
  readonly numPages: number;
  readonly ops: { fn: number; args: unknown[] }[];
}

const STANDARD_FONTS = pathToFileURL(path.resolve('node_modules/pdfjs-dist/standard_fonts') + '/').href;

export async function readPdf(bytes: Uint8Array): Promise<Pdf> {
  const doc = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const pages: string[][] = [];
  const ops: Pdf['ops'] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).filter((s) => s.trim() !== ''));
    if (n === 1) {
      const list = await page.getOperatorList();
      list.fnArray.forEach((fn, i) => ops.push({ fn, args: list.argsArray[i] as unknown[] }));
    }
  }
  await doc.destroy();
  return { pages, text: pages.map((p) => p.join('\n')).join('\n'), numPages: pages.length, ops };
}

/** The practice branding the document tests save before rendering. */
export const BRAND = '#0b6e4f';
export const BRANDING = {
  displayName: 'Maple Street Family Clinic',
  tagline: 'Family medicine since 1998',
  primaryColor: BRAND,
  accentColor: '#f2a541',
  address: { line1: '12 Maple Street', line2: 'Suite 4', city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' },
  phone: '+1 (217) 555-0100',
  email: 'billing@maple.example',
  website: 'https://maple.example',
};

/** A practice of the document tests and the patient the documents are for. */
export interface DocPractice {
  tenant: TestTenant;
  patientId: string;
}

type Method = 'GET' | 'POST' | 'PUT';

/** Calls as the practice's admin (or `token`) on the test app `t()` (read when called, set in `before`). */
export function practiceCaller(t: () => TestApp) {
  return (p: DocPractice, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}, token = p.tenant.adminToken): Promise<LightMyRequestResponse> =>
    t().api(p.tenant, token, { method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** Asserts the status and returns the JSON body. */
export async function ok(res: Promise<LightMyRequestResponse>, status = 200): Promise<Record<string, any>> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r.json();
}
