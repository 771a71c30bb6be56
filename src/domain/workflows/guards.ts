/**
 * Transition guards: JsonLogic over a JSON view of the entity plus the instance's `data`. On save
 * a guard may use only the pure operators bookingCondition allows, is bounded in size and must
 * evaluate against sample views; at run time a guard that throws refuses, like a false one.
 */
import jsonLogic from 'json-logic-js';
import type { FieldError } from '../../errors/catalogue.ts';
import { checkJsonLogic } from '../json-logic-check.ts';
import type { WorkflowKind } from './kinds.ts';

const PATIENT = { ageYears: 42, sex: 'female' };

/** Views shaped like the ones `entity-views.ts` builds, for the save-time evaluation check. */
const SAMPLES: Readonly<Record<WorkflowKind, readonly Record<string, unknown>[]>> = {
  appointment: [
    {
      appointment: {
        status: 'booked', start: '2030-01-02T10:00:00+01:00', weekday: 3, startMinutes: 600, durationMinutes: 30, minutesUntilStart: 1440,
        typeId: '01900000-0000-7000-8000-000000000001', providerId: '01900000-0000-7000-8000-000000000002', locationId: '01900000-0000-7000-8000-000000000003', lateCancel: false,
      },
      patient: PATIENT,
      data: {},
    },
    { appointment: { status: 'checked_in', weekday: 7, startMinutes: 0, durationMinutes: 720, minutesUntilStart: -30, lateCancel: true }, patient: { ageYears: 0, sex: null }, data: { x: 1 } },
  ],
  invoice: [
    { invoice: { status: 'draft', number: null, total: 0, balance: 0, paid: 0, currency: 'USD' }, patient: PATIENT, data: {} },
    { invoice: { status: 'paid', number: 'INV-2030-00001', total: 12500, balance: 0, paid: 12500, currency: 'EUR' }, patient: { ageYears: 0, sex: null }, data: { x: 'y' } },
  ],
  patient_intake: [
    { patient: { ...PATIENT, status: 'active', hasEmail: true, hasPhone: false, hasAddress: true }, forms: { submitted: ['new-patient-intake'], pendingLinks: 0 }, data: {} },
    { patient: { ageYears: 0, sex: null, status: 'archived', hasEmail: false, hasPhone: false, hasAddress: false }, forms: { submitted: [], pendingLinks: 2 }, data: { formsReceived: true } },
  ],
};

/**
 * Field errors for the guard of a transition of `kind` (none when it is valid).
 * @example checkGuard('appointment', 'transitions.0.guard', { '>=': [{ var: 'patient.ageYears' }, 18] }) // []
 */
export function checkGuard(kind: WorkflowKind, field: string, guard: unknown): FieldError[] {
  if (guard === undefined) return [];
  return checkJsonLogic(field, guard, SAMPLES[kind]);
}

/** Whether `guard` holds for `view` (no guard holds; one that throws does not). */
export function guardHolds(guard: Record<string, unknown> | undefined, view: Record<string, unknown>): boolean {
  if (guard === undefined) return true;
  try {
    // JsonLogic's own truthiness: an empty array is false there.
    return jsonLogic.truthy(jsonLogic.apply(guard as jsonLogic.RulesLogic, view));
  } catch {
    return false;
  }
}
