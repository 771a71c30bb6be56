/**
 * The catalogue of messages a practice sends, and the variables each one's templates may use.
 * The variable list is the contract with the senders: a template is refused at save when it reads
 * anything else, and the sender's data type below must provide every listed path.
 */

export const MESSAGE_KINDS = [
  'appointment_confirmation',
  'appointment_reminder',
  'appointment_cancellation',
  'waitlist_offer',
  'invoice',
  'password_reset',
  'intake_link',
] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number];

export function isMessageKind(value: string): value is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(value);
}

/**
 * Kinds always sent with the built-in template, which a practice cannot replace. A password reset
 * link sets the password of an identity that may also work at other practices: a practice that
 * could word that email could also route the link through its own server (`<img src="…{{ link.url }}">`)
 * and take over that person's account everywhere.
 */
export const FIXED_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(['password_reset']);

/** `practice.*`: every kind has them (see practiceVariables). Absent values are nil. */
export interface PracticeVariables {
  readonly name: string;
  readonly phone: string | null;
  readonly email: string | null;
  readonly address: string | null;
  readonly primaryColor: string;
  readonly logoUrl: string | null;
}

export interface PatientVariables {
  readonly firstName: string;
  readonly lastName: string;
}

/** An appointment as a message shows it: names and times already formatted in the location's zone. */
export interface AppointmentVariables {
  readonly type: string;
  readonly provider: string;
  readonly location: string;
  readonly address: string | null;
  readonly date: string;
  readonly shortDate: string;
  readonly time: string;
  readonly timeZone: string;
  readonly start: string;
}

/** What each kind's sender passes to renderMessage (practice variables are added by it). */
export interface MessageVariables {
  readonly appointment_confirmation: { readonly patient: PatientVariables; readonly appointment: AppointmentVariables & { readonly manageUrl?: string | null } };
  readonly appointment_reminder: { readonly patient: PatientVariables; readonly appointment: AppointmentVariables };
  readonly appointment_cancellation: { readonly patient: PatientVariables; readonly appointment: AppointmentVariables };
  readonly waitlist_offer: {
    readonly patient: PatientVariables;
    readonly appointment: AppointmentVariables;
    readonly offer: { readonly url: string; readonly expiresAt: string };
  };
  readonly invoice: {
    readonly patient: PatientVariables;
    /** `url` is null while there is no patient-facing invoice page (the PDF is attached instead). */
    readonly invoice: { readonly number: string; readonly total: string; readonly balanceDue: string; readonly url: string | null };
  };
  readonly password_reset: {
    readonly user: { readonly name: string; readonly email: string };
    readonly link: { readonly url: string; readonly expiresAt: string; readonly expiresInMinutes: number };
  };
  readonly intake_link: {
    readonly patient: PatientVariables;
    readonly form: { readonly title: string };
    readonly link: { readonly url: string; readonly expiresAt: string };
  };
}

export type VariableType = 'string' | 'number';

/** One documented variable: its dotted name, type, meaning and the value previews use. */
export interface VariableDoc {
  readonly name: string;
  readonly type: VariableType;
  /** True when the value may be nil (test it with `{% if … %}`). */
  readonly optional: boolean;
  readonly description: string;
  readonly sample: string | number;
}

const v = (name: string, type: VariableType, description: string, sample: string | number, optional = false): VariableDoc => ({
  name,
  type,
  optional,
  description,
  sample,
});

const PRACTICE: readonly VariableDoc[] = [
  v('practice.name', 'string', "Practice name as shown to patients (its branding's display name, else its account name)", 'Riverside Family Practice'),
  v('practice.phone', 'string', 'Practice phone number', '+1 555 0100', true),
  v('practice.email', 'string', 'Practice contact email', 'hello@riverside.example', true),
  v('practice.address', 'string', 'Practice postal address on one line', '12 River Road, Springfield', true),
  v('practice.primaryColor', 'string', 'Brand colour as #rrggbb (#1f5f8b until the practice sets one)', '#1f5f8b'),
  v('practice.logoUrl', 'string', "Absolute address of the practice's public logo (nil without a logo)", 'https://app.example/public/practices/riverside/logo?v=3f2a9c1b7d4e5a60', true),
];

const PATIENT: readonly VariableDoc[] = [
  v('patient.firstName', 'string', "Patient's first name", 'Lena'),
  v('patient.lastName', 'string', "Patient's last name", 'Kraus'),
];

const APPOINTMENT: readonly VariableDoc[] = [
  v('appointment.type', 'string', 'Appointment type name', 'Check-up'),
  v('appointment.provider', 'string', 'Provider display name', 'Dr. Anil Patel'),
  v('appointment.location', 'string', 'Location name', 'Riverside clinic'),
  v('appointment.address', 'string', 'Location address on one line', '12 River Road, Springfield', true),
  v('appointment.date', 'string', 'Local date, long form', 'Monday 2 March 2026'),
  v('appointment.shortDate', 'string', 'Local date, short form', '2 Mar'),
  v('appointment.time', 'string', 'Local start time (24-hour)', '10:00'),
  v('appointment.timeZone', 'string', "The location's IANA time zone", 'America/New_York'),
  v('appointment.start', 'string', 'Start as ISO 8601 with offset (for the `date` filter)', '2026-03-02T10:00:00-05:00'),
];

/** The documented variables of each kind, in display order. */
export const KIND_VARIABLES: Readonly<Record<MessageKind, readonly VariableDoc[]>> = {
  appointment_confirmation: [
    ...PRACTICE,
    ...PATIENT,
    ...APPOINTMENT,
    v('appointment.manageUrl', 'string', 'Link where the patient sees or cancels the appointment (set for online bookings; nil when staff booked it)', 'https://app.example/p/riverside/appointments/abc123', true),
  ],
  appointment_reminder: [...PRACTICE, ...PATIENT, ...APPOINTMENT],
  appointment_cancellation: [...PRACTICE, ...PATIENT, ...APPOINTMENT],
  waitlist_offer: [
    ...PRACTICE,
    ...PATIENT,
    ...APPOINTMENT,
    v('offer.url', 'string', 'Link that books the offered slot', 'https://app.example/p/riverside/waitlist/abc123'),
    v('offer.expiresAt', 'string', 'When the offer lapses, local time', '2 Mar at 08:00'),
  ],
  invoice: [
    ...PRACTICE,
    ...PATIENT,
    v('invoice.number', 'string', 'Invoice number', 'INV-2026-00042'),
    v('invoice.total', 'string', 'Invoice total, formatted with currency', '$125.00'),
    v('invoice.balanceDue', 'string', 'Amount still owed, formatted with currency', '$25.00'),
    v('invoice.url', 'string', 'Link to view or pay the invoice online (nil while the practice has no patient-facing invoice page; the invoice PDF is attached)', 'https://app.example/invoices/abc123', true),
  ],
  password_reset: [
    ...PRACTICE,
    v('user.name', 'string', "The staff member's name", 'Rita Alvarez'),
    v('user.email', 'string', "The staff member's sign-in email", 'rita@riverside.example'),
    v('link.url', 'string', 'Single-use link that sets a new password', 'https://app.example/reset-password#token=abc123'),
    v('link.expiresAt', 'string', 'When the link stops working (UTC)', '2 Mar 2026 at 10:30 UTC'),
    v('link.expiresInMinutes', 'number', 'Minutes the link stays valid', 30),
  ],
  intake_link: [
    ...PRACTICE,
    ...PATIENT,
    v('form.title', 'string', 'Title of the form to fill in', 'New patient intake'),
    v('link.url', 'string', 'Link to the form', 'https://app.example/p/riverside/forms/abc123'),
    v('link.expiresAt', 'string', 'When the link stops working, local time', '9 Mar 2026 at 18:00'),
  ],
};

/** A short human title and purpose per kind (for the settings screen). */
export const KIND_TITLES: Readonly<Record<MessageKind, { title: string; description: string }>> = {
  appointment_confirmation: { title: 'Appointment confirmation', description: 'Sent to the patient when an appointment is booked' },
  appointment_reminder: { title: 'Appointment reminder', description: 'Sent before the appointment (lead time from the scheduling rules), with a calendar file' },
  appointment_cancellation: { title: 'Appointment cancellation', description: 'Sent to the patient when an appointment is cancelled' },
  waitlist_offer: { title: 'Waitlist offer', description: 'Offers a freed slot to a waiting patient with a booking link' },
  invoice: { title: 'Invoice', description: 'Sends an invoice to the patient' },
  password_reset: { title: 'Password reset', description: 'Sent to a staff member who asked to reset their password' },
  intake_link: { title: 'Intake form link', description: 'Asks the patient to fill in a form' },
};

/** Every name a template of `kind` may read: the variables and each of their parent objects. */
export function allowedPaths(kind: MessageKind): Set<string> {
  const paths = new Set<string>();
  for (const doc of KIND_VARIABLES[kind]) {
    const parts = doc.name.split('.');
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('.'));
  }
  return paths;
}

/** The preview data of a kind: every documented variable set to its sample value. */
export function sampleVariables(kind: MessageKind): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const doc of KIND_VARIABLES[kind]) setPath(data, doc.name.split('.'), doc.sample);
  return data;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
