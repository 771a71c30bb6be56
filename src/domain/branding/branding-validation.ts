/**
 * Branding rules the schema cannot express, checked again here so that callers other than HTTP
 * (CLI, imports, tests) get the same answers: colours, email, website scheme, lengths, single lines.
 */
import { validationError, type FieldError } from '../../errors/catalogue.ts';
import { phoneDigits } from '../patients/patient-validation.ts';
import type { BrandingInput } from './branding-schemas.ts';

export const DEFAULT_PRIMARY_COLOR = '#1f5f8b';
export const DEFAULT_ACCENT_COLOR = '#e07a2e';

const COLOR_RE = /^#[0-9a-f]{6}$/i;
// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the practice's concern.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL_RE = /\p{Cc}/u;

/** The branding as stored: trimmed, colours lower-case, absent optional fields null. */
export interface NormalizedBranding {
  readonly displayName: string;
  readonly tagline: string | null;
  readonly primaryColor: string;
  readonly accentColor: string;
  readonly address: NonNullable<BrandingInput['address']> | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly website: string | null;
}

const blankToNull = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

/** Checks `value` is a plain http(s) URL a browser can open (no credentials, no other scheme). */
function websiteProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not contain a user name or password';
  return null;
}

function text(errors: FieldError[], field: string, value: string | null, max: number): void {
  if (value === null) return;
  if (value.length > max) errors.push({ field, message: `must be at most ${max} characters` });
  if (CONTROL_RE.test(value)) errors.push({ field, message: 'must be a single line without control characters' });
}

/** Validates and normalises a PUT body; throws `validation_failed` naming every offending field. */
export function normalizeBranding(input: BrandingInput): NormalizedBranding {
  const errors: FieldError[] = [];
  const out: NormalizedBranding = {
    displayName: (input.displayName ?? '').trim(),
    tagline: blankToNull(input.tagline),
    primaryColor: (input.primaryColor ?? DEFAULT_PRIMARY_COLOR).toLowerCase(),
    accentColor: (input.accentColor ?? DEFAULT_ACCENT_COLOR).toLowerCase(),
    address: input.address ?? null,
    phone: blankToNull(input.phone),
    email: blankToNull(input.email),
    website: blankToNull(input.website),
  };
  if (out.displayName === '') errors.push({ field: 'displayName', message: 'must not be blank' });
  text(errors, 'displayName', out.displayName, 120);
  text(errors, 'tagline', out.tagline, 160);
  for (const field of ['primaryColor', 'accentColor'] as const) {
    if (!COLOR_RE.test(out[field])) errors.push({ field, message: 'must be a hex colour #rrggbb, e.g. #1f5f8b' });
  }
  if (out.phone !== null) {
    text(errors, 'phone', out.phone, 40);
    const digits = phoneDigits(out.phone).length;
    if (digits < 7 || digits > 15) errors.push({ field: 'phone', message: 'must contain 7 to 15 digits' });
  }
  if (out.email !== null) {
    text(errors, 'email', out.email, 254);
    if (!EMAIL_RE.test(out.email)) errors.push({ field: 'email', message: 'must be an email address' });
  }
  if (out.website !== null) {
    text(errors, 'website', out.website, 300);
    const problem = websiteProblem(out.website);
    if (problem) errors.push({ field: 'website', message: problem });
  }
  if (out.address !== null) {
    for (const key of ['line1', 'city'] as const) {
      if (out.address[key].trim() === '') errors.push({ field: `address.${key}`, message: 'must not be blank' });
    }
    for (const [key, value] of Object.entries(out.address)) text(errors, `address.${key}`, typeof value === 'string' ? value : null, 200);
  }
  if (errors.length > 0) throw validationError(errors);
  return out;
}
