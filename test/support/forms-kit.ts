/** Shared helpers of the intake form tests: a practice with a patient, and definitions to build on. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp, TestTenant } from './harness.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** Calls a staff route as the practice admin. */
export function staffCall(t: TestApp, tenant: TestTenant, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.api(tenant, tenant.adminToken, { method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

export function assertProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
  return res.json();
}

/** Asserts a 400 naming exactly these fields (in any order); returns field → message. */
export function assertFields(res: LightMyRequestResponse, fields: readonly string[]): Record<string, string> {
  const body = assertProblem(res, 400, 'validation_failed');
  const errors = body.errors as { field: string; message: string }[];
  assert.deepEqual([...new Set(errors.map((e) => e.field))].sort(), [...fields].sort(), JSON.stringify(errors, null, 1));
  return Object.fromEntries(errors.map((e) => [e.field, e.message]));
}

export async function addPatient(t: TestApp, tenant: TestTenant, extra: Record<string, unknown> = {}): Promise<{ id: string; lastName: string }> {
  const lastName = `Quill${Math.random().toString(36).slice(2, 8)}`;
  const res = await staffCall(t, tenant, 'POST', '/api/patients', { firstName: 'Nora', lastName, dateOfBirth: '1987-04-02', ...extra });
  assert.equal(res.statusCode, 201, res.body);
  return { id: res.json().id, lastName };
}

export async function createForm(t: TestApp, tenant: TestTenant, body: Record<string, unknown>): Promise<{ id: string; currentVersion: number }> {
  const res = await staffCall(t, tenant, 'POST', '/api/forms', body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

/** A realistic intake form: contact details mapped to the record, a conditional question, consent. */
export function intakeForm(key = 'new-patient-intake'): Record<string, unknown> {
  return {
    key,
    title: 'New patient intake',
    description: 'Please complete before your first visit.',
    sections: [
      {
        id: 'contact',
        title: 'Contact details',
        fields: [
          { id: 'phone', type: 'text', label: 'Mobile phone', required: true, mapsTo: 'phone' },
          { id: 'email', type: 'text', label: 'Email', mapsTo: 'email' },
        ],
      },
      {
        id: 'health',
        title: 'Health',
        fields: [
          { id: 'smoker', type: 'yes_no', label: 'Do you smoke?', required: true },
          { id: 'packs', type: 'number', label: 'Packs per day', required: true, validation: { min: 0, max: 10 }, visibleIf: { '==': [{ var: 'smoker' }, true] } },
          {
            id: 'allergyList',
            type: 'multiple_choice',
            label: 'Known allergies',
            options: [
              { value: 'penicillin', label: 'Penicillin' },
              { value: 'latex', label: 'Latex' },
              { value: 'nuts', label: 'Nuts' },
            ],
            validation: { maxSelected: 2 },
            mapsTo: 'allergies',
          },
          { id: 'otherAllergies', type: 'long_text', label: 'Other allergies, one per line', mapsTo: 'allergies' },
        ],
      },
      {
        id: 'agreement',
        title: 'Consent',
        fields: [{ id: 'privacy', type: 'consent', label: 'Privacy notice', required: true, consent: { text: 'I agree that the practice stores my health information.' } }],
      },
    ],
  };
}

export const CONSENT = { agreed: true, signatureName: 'Nora Quill' };
