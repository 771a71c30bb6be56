/** The patient shapes the patients area reads from the API (see src/domain/patients/patient-schemas.ts). */

export interface Address {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country: string;
}

export type Sex = 'female' | 'male' | 'other' | 'unknown';

export interface Patient {
  readonly id: string;
  readonly mrn: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly preferredName: string | null;
  readonly dateOfBirth: string;
  readonly sex: Sex | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly address: Address | null;
  readonly allergies: readonly string[];
  readonly status: 'active' | 'archived';
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly archivedAt: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export const SEX_LABELS: Record<Sex, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

/** "Lastname, Firstname (Preferred)" as the list shows it. */
export function listName(p: Pick<Patient, 'firstName' | 'lastName' | 'preferredName'>): string {
  return `${p.lastName}, ${p.firstName}${p.preferredName ? ` (${p.preferredName})` : ''}`;
}

/** "Firstname Lastname" for headings. */
export function displayName(p: Pick<Patient, 'firstName' | 'lastName'>): string {
  return `${p.firstName} ${p.lastName}`;
}

/** Whole years between a YYYY-MM-DD birth date and today (calendar arithmetic, no time zones). */
export function ageOn(dateOfBirth: string, today = new Date()): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const ty = today.getFullYear();
  const tm = today.getMonth() + 1;
  const td = today.getDate();
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/** One line of an address. */
export function addressLine(a: Address): string {
  return [a.line1, a.line2, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', ');
}
