/**
 * Validation of a practice's `bookingCondition` (JsonLogic) on save: only a whitelist of pure
 * operators, bounded size, and it must evaluate without throwing against sample bookings, so a
 * condition that would break every booking later is refused now.
 */
import type { FieldError } from '../../../errors/catalogue.ts';
import { checkJsonLogic } from '../../json-logic-check.ts';

/** The shapes bookings will be evaluated against (see `RulesPatch.bookingCondition`). */
const SAMPLES: readonly Record<string, unknown>[] = [
  {
    patient: { ageYears: 42, sex: 'female' },
    appointment: { weekday: 3, startMinutes: 600, durationMinutes: 30, typeId: '01900000-0000-7000-8000-000000000001', providerId: '01900000-0000-7000-8000-000000000002' },
  },
  {
    patient: { ageYears: 0, sex: 'unknown' },
    appointment: { weekday: 7, startMinutes: 0, durationMinutes: 720, typeId: '01900000-0000-7000-8000-000000000003', providerId: '01900000-0000-7000-8000-000000000004' },
  },
];

/**
 * Field errors for a booking condition (none when valid or null), named `field`.
 * @example checkBookingCondition('bookingCondition', { method: [{ var: 'patient' }, 'toString'] }) // one error: operator not allowed
 */
export function checkBookingCondition(field: string, condition: unknown): FieldError[] {
  if (condition === null || condition === undefined) return [];
  return checkJsonLogic(field, condition, SAMPLES);
}
