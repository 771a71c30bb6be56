/**
 * The patient form's values (all strings, as typed) and the request bodies made from them: the
 * whole record for a create, only the changed fields for an edit (so the audit trail names what
 * really changed and an untouched field is never overwritten).
 */
import type { Address, Patient, Sex } from './types.ts';

export interface PatientFormValues {
  firstName: string;
  lastName: string;
  preferredName: string;
  dateOfBirth: string;
  sex: string;
  phone: string;
  email: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  allergies: string;
}

export const EMPTY_VALUES: PatientFormValues = {
  firstName: '', lastName: '', preferredName: '', dateOfBirth: '', sex: '', phone: '', email: '',
  line1: '', line2: '', city: '', region: '', postalCode: '', country: '', allergies: '',
};

export function valuesFrom(p: Patient): PatientFormValues {
  return {
    firstName: p.firstName,
    lastName: p.lastName,
    preferredName: p.preferredName ?? '',
    dateOfBirth: p.dateOfBirth,
    sex: p.sex ?? '',
    phone: p.phone ?? '',
    email: p.email ?? '',
    line1: p.address?.line1 ?? '',
    line2: p.address?.line2 ?? '',
    city: p.address?.city ?? '',
    region: p.address?.region ?? '',
    postalCode: p.address?.postalCode ?? '',
    country: p.address?.country ?? '',
    allergies: p.allergies.join('\n'),
  };
}

interface Normalized {
  firstName: string;
  lastName: string;
  preferredName: string | null;
  dateOfBirth: string;
  sex: Sex | null;
  phone: string | null;
  email: string | null;
  address: Address | null;
  allergies: string[];
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function normalize(v: PatientFormValues): Normalized {
  const addressParts = [v.line1, v.line2, v.city, v.region, v.postalCode, v.country];
  let address: Address | null = null;
  if (addressParts.some((s) => s.trim() !== '')) {
    // The required parts go as typed (even empty) so the API names what is missing.
    address = {
      line1: v.line1.trim(),
      ...(v.line2.trim() ? { line2: v.line2.trim() } : {}),
      city: v.city.trim(),
      ...(v.region.trim() ? { region: v.region.trim() } : {}),
      ...(v.postalCode.trim() ? { postalCode: v.postalCode.trim() } : {}),
      country: v.country.trim().toUpperCase(),
    };
  }
  return {
    firstName: v.firstName.trim(),
    lastName: v.lastName.trim(),
    preferredName: orNull(v.preferredName),
    dateOfBirth: v.dateOfBirth.trim(),
    sex: (orNull(v.sex) as Sex | null),
    phone: orNull(v.phone),
    email: orNull(v.email),
    address,
    allergies: v.allergies.split('\n').map((s) => s.trim()).filter(Boolean),
  };
}

/** POST /api/patients body: empty optional fields left out. */
export function createBody(v: PatientFormValues): Record<string, unknown> {
  const n = normalize(v);
  const body: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(n)) {
    if (value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    body[k] = value;
  }
  // Names and date of birth always go, even empty, so the API names them when missing.
  body.firstName = n.firstName;
  body.lastName = n.lastName;
  body.dateOfBirth = n.dateOfBirth;
  return body;
}

/** PATCH /api/patients/{id} body: only what differs from `original`; null clears a field. */
export function updateBody(original: Patient, v: PatientFormValues): Record<string, unknown> {
  const before = normalize(valuesFrom(original));
  const after = normalize(v);
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof Normalized)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) body[key] = after[key];
  }
  return body;
}
