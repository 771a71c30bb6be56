/** Rules the schema cannot express: plausible birth dates, phone digits, trimmed names. */
import { validationError, type FieldError } from '../../errors/catalogue.ts';

export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

function isRealDate(iso: string): boolean {
  const d = new Date(iso + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

interface Checkable {
  firstName?: string | undefined;
  lastName?: string | undefined;
  dateOfBirth?: string | undefined;
  phone?: string | null | undefined;
}

/** Throws `validation_failed` naming every offending field. */
export function checkPatientFields(input: Checkable, today: string = new Date().toISOString().slice(0, 10)): void {
  const errors: FieldError[] = [];
  for (const field of ['firstName', 'lastName'] as const) {
    const value = input[field];
    if (value !== undefined && value.trim() === '') errors.push({ field, message: 'must not be blank' });
  }
  if (input.dateOfBirth !== undefined) {
    if (!isRealDate(input.dateOfBirth)) errors.push({ field: 'dateOfBirth', message: 'is not a real calendar date' });
    else if (input.dateOfBirth > today) errors.push({ field: 'dateOfBirth', message: 'must not be in the future' });
    else if (input.dateOfBirth < '1900-01-01') errors.push({ field: 'dateOfBirth', message: 'must be on or after 1900-01-01' });
  }
  if (input.phone !== undefined && input.phone !== null) {
    const n = phoneDigits(input.phone).length;
    if (n < 7 || n > 15) errors.push({ field: 'phone', message: 'must contain 7 to 15 digits' });
  }
  if (errors.length > 0) throw validationError(errors);
}
