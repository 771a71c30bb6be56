/** The calendar's API shapes (as /api/calendar and the scheduling API answer them) and small helpers. */

export type AppointmentStatus = 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'no_show';

export interface TimeRange {
  readonly start: string;
  readonly end: string;
}

export interface CalendarAppointment extends TimeRange {
  readonly id: string;
  readonly status: AppointmentStatus;
  readonly typeId: string;
  readonly typeName: string;
  readonly color: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly lateCancel: boolean;
}

export interface CalendarDay {
  readonly date: string;
  readonly working: readonly TimeRange[];
  readonly appointments: readonly CalendarAppointment[];
  readonly timeOff: readonly TimeRange[];
  readonly free: readonly TimeRange[];
}

export interface CalendarProvider {
  readonly providerId: string;
  readonly name: string;
  readonly color: string | null;
  readonly days: readonly CalendarDay[];
}

export interface CalendarView {
  readonly view: 'day' | 'week';
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  readonly providers: readonly CalendarProvider[];
}

export interface Location {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly active: boolean;
}

export interface Provider {
  readonly id: string;
  readonly displayName: string;
  readonly active: boolean;
}

export interface SchedulingRules {
  readonly slotMinutes: number;
  readonly cancelWindowMinutes: number;
  readonly lateCancel: 'flag' | 'refuse';
  readonly rescheduleWindowMinutes: number;
  readonly frontDeskOverride: boolean;
}

export interface AppointmentType {
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  readonly color: string;
  readonly providerIds: readonly string[];
  readonly rules: Partial<SchedulingRules>;
  readonly active: boolean;
}

export interface PracticeRules {
  readonly effective: SchedulingRules;
}

export interface Slot extends TimeRange {
  readonly providerId: string;
  readonly locationId: string;
}

export interface PatientSummary {
  readonly id: string;
  readonly mrn: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly dateOfBirth: string;
}

export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export const STATUS_TONE: Record<AppointmentStatus, 'neutral' | 'good' | 'warn' | 'bad' | 'info'> = {
  booked: 'info',
  checked_in: 'warn',
  completed: 'good',
  cancelled: 'neutral',
  no_show: 'bad',
};

/** The practice's rules with the appointment type's overrides applied (as the server does). */
export function rulesForType(practice: SchedulingRules, type: AppointmentType | undefined): SchedulingRules {
  const overrides = Object.fromEntries(Object.entries(type?.rules ?? {}).filter(([, v]) => v !== undefined && v !== null));
  return { ...practice, ...overrides } as SchedulingRules;
}

/** "24 hours", "90 minutes", "2 days": a rule's window as people say it. */
export function describeMinutes(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes >= 1440 && minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** The cancellation policy in one or two sentences, as shown before anyone cancels. */
export function cancellationPolicy(rules: SchedulingRules): string {
  if (rules.cancelWindowMinutes === 0) return 'There is no late-cancellation window: cancelling is never late.';
  const window = describeMinutes(rules.cancelWindowMinutes);
  return rules.lateCancel === 'refuse'
    ? `Cancelling less than ${window} before the start is a late cancellation, and the practice refuses late cancellations.`
    : `Cancelling less than ${window} before the start is a late cancellation; it is recorded as late (a fee may apply).`;
}

/** True when cancelling `start` now falls inside the cancellation window. */
export function isLateCancel(start: string, rules: SchedulingRules, now = Date.now()): boolean {
  return now >= new Date(start).getTime() - rules.cancelWindowMinutes * 60_000;
}

/**
 * Background and stripe colours of an appointment type. Practices rarely change the default type
 * colour, so a type still on the default gets a stable colour from a palette (chosen by its id);
 * a colour the practice chose is used as the stripe. Backgrounds are light tints, so the dark text
 * on them always has enough contrast, whatever colour the practice picked.
 */
const DEFAULT_TYPE_COLOR = '#3b82f6';
const PALETTE = ['#2563eb', '#0f766e', '#b45309', '#7c3aed', '#be123c', '#15803d', '#0369a1', '#a21caf', '#4d7c0f', '#c2410c'];

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

function parseHex(color: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return null;
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function typeColors(typeId: string, color: string): { stripe: string; background: string } {
  const chosen = color.toLowerCase() !== DEFAULT_TYPE_COLOR && parseHex(color) ? color : PALETTE[hash(typeId) % PALETTE.length]!;
  const [r, g, b] = parseHex(chosen)!;
  const tint = (c: number) => Math.round(c * 0.16 + 255 * 0.84);
  return { stripe: chosen, background: `rgb(${tint(r)}, ${tint(g)}, ${tint(b)})` };
}

/** Monday of the ISO week of a YYYY-MM-DD date. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const back = (day + 6) % 7;
  return new Date(Date.UTC(y, m - 1, d - back)).toISOString().slice(0, 10);
}

/** "Mon 30 Nov" style heading for a bare date (never shifted by a zone). */
export function formatDayHeading(date: string, style: 'short' | 'long' = 'short'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, style === 'long'
    ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }
    : { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

/** The local date (YYYY-MM-DD) of an ISO instant with an offset, in `timeZone`. */
export function dateIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
