/**
 * Pure expansion of a series' RRULE into occurrences, in FLOATING local time: the rule runs over the
 * location's wall clock (fed to `rrule` as "UTC-as-local" dates), and each wall date-time is turned
 * back into an instant in the zone afterwards. So a weekly 09:00 stays 09:00 local across daylight
 * saving, and a wall time that does not exist (spring-forward gap) is reported, never shifted.
 */
import rrule from 'rrule';
import { DateTime } from 'luxon';
import { validationError, type AppError } from '../../errors/catalogue.ts';
import { wallToInstant } from './time.ts';

// rrule ships CommonJS to Node (its ESM build is not exposed), so named imports fail at runtime.
const { RRule } = rrule;
type RuleOptions = ReturnType<typeof RRule.parseString>;

/** The most occurrences one series may have. */
export const MAX_SERIES_OCCURRENCES = 52;
/** The last occurrence may be at most this many years after the first. */
export const MAX_SERIES_YEARS = 2;

export type SeriesOccurrence =
  /** `wall` is the local date-time `YYYY-MM-DDTHH:MM:SS`; `start` its instant in the zone. */
  | { readonly kind: 'exists'; readonly wall: string; readonly start: Date }
  /** The wall time falls in a spring-forward gap of that day. */
  | { readonly kind: 'nonexistent'; readonly wall: string };

export interface SeriesExpansion {
  /** The first start (an ISO instant with offset). */
  readonly start: Date;
  /** An RFC 5545 RRULE without DTSTART, e.g. `FREQ=WEEKLY;COUNT=10`. */
  readonly rrule: string;
  /** The location's IANA zone, whose wall clock the rule follows. */
  readonly timeZone: string;
}

function rruleError(message: string): AppError {
  return validationError([{ field: 'rrule', message }], `The rrule is not valid: ${message}`);
}

const ALLOWED_FREQ = new Set<number>([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);

/** Parses and vets the rule text; `until` is left to `expandSeries`, which knows the zone. */
function parseRule(text: string): { options: RuleOptions; until: string | null } {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (/[\r\n]/.test(body) || /DTSTART|TZID/i.test(body)) {
    throw rruleError('must be a single RRULE without DTSTART or TZID (the first occurrence is `start`)');
  }
  let options: RuleOptions;
  try {
    options = RRule.parseString(body);
  } catch (err) {
    throw rruleError((err as Error).message);
  }
  if (options.freq === undefined || options.freq === null) throw rruleError('needs FREQ');
  if (!ALLOWED_FREQ.has(options.freq)) throw rruleError('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY');
  // The time of day is the first start's; rules that pick other times would not be a recurring visit.
  if (options.byhour != null || options.byminute != null || options.bysecond != null) {
    throw rruleError('BYHOUR, BYMINUTE and BYSECOND are not allowed: the time of day is that of `start`');
  }
  for (const [key, value] of Object.entries(options)) {
    const name = key === 'byweekday' ? 'BYDAY' : key.toUpperCase();
    if (typeof value === 'number' && !Number.isFinite(value)) throw rruleError(`${name} is not valid`);
    if (Array.isArray(value) && value.some((v) => v === undefined || (typeof v === 'number' && !Number.isFinite(v)))) {
      throw rruleError(`${name} is not valid`);
    }
  }
  if (options.count != null && (!Number.isInteger(Number(options.count)) || Number(options.count) < 1)) throw rruleError('COUNT must be a positive integer');
  if (options.interval != null && (!Number.isInteger(Number(options.interval)) || Number(options.interval) < 1)) throw rruleError('INTERVAL must be a positive integer');
  if (options.count == null && options.until == null) {
    throw rruleError(`must end: give COUNT or UNTIL (at most ${MAX_SERIES_OCCURRENCES} occurrences within ${MAX_SERIES_YEARS} years)`);
  }
  if (options.count != null && Number(options.count) > MAX_SERIES_OCCURRENCES) throw rruleError(`COUNT may be at most ${MAX_SERIES_OCCURRENCES}`);
  const until = /(?:^|;)\s*UNTIL=([0-9TZtz]+)\s*(?:;|$)/i.exec(body)?.[1] ?? null;
  return { options, until };
}

/** Milliseconds of the wall clock of `instant` in `zone`, read as if it were UTC. */
function wallMsOf(instant: Date, zone: string): number {
  const dt = DateTime.fromJSDate(instant, { zone });
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second);
}

/**
 * UNTIL as floating wall time: a UTC instant (`…Z`) is converted to the zone's wall clock; a local
 * date-time is already wall time; a date alone includes that whole local day.
 */
function untilWallMs(raw: string, zone: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/i.exec(raw);
  if (!m) throw rruleError('UNTIL must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ');
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  if (m[4] === undefined) return Date.UTC(y, mo, d, 23, 59, 59);
  const wall = Date.UTC(y, mo, d, Number(m[4]), Number(m[5]), Number(m[6]));
  return m[7] ? wallMsOf(new Date(wall), zone) : wall;
}

/**
 * Every occurrence of the rule starting at `start`, at most 52 within 2 years (else 400 naming
 * `rrule`). `start` must itself be the rule's first occurrence (else 400 naming `start`).
 * @example expandSeries({ start: new Date('2027-03-01T09:00:00-05:00'), rrule: 'FREQ=WEEKLY;COUNT=3', timeZone: 'America/New_York' })
 * // → 09:00 local on 1, 8 and 15 March 2027 (14:00Z, 14:00Z, then 13:00Z after the switch to EDT)
 */
export function expandSeries(input: SeriesExpansion): SeriesOccurrence[] {
  const { options, until } = parseRule(input.rrule);
  const startWall = wallMsOf(input.start, input.timeZone);
  const limit = DateTime.fromMillis(startWall, { zone: 'utc' }).plus({ years: MAX_SERIES_YEARS }).toMillis();
  const untilWall = until === null ? null : untilWallMs(until, input.timeZone);
  if (untilWall !== null && untilWall > limit) throw rruleError(`UNTIL may be at most ${MAX_SERIES_YEARS} years after start`);
  let walls: Date[];
  try {
    const rule = new RRule({ ...options, dtstart: new Date(startWall), until: untilWall === null ? null : new Date(untilWall), tzid: null });
    // One more than allowed, to tell "exactly the cap" from "over it"; never past the 2-year limit.
    walls = rule.between(new Date(startWall), new Date(limit), true, (_d, i) => i <= MAX_SERIES_OCCURRENCES);
  } catch (err) {
    throw rruleError((err as Error).message);
  }
  if (walls.length > MAX_SERIES_OCCURRENCES) throw rruleError(`produces more than ${MAX_SERIES_OCCURRENCES} occurrences`);
  if (options.count != null && walls.length < Number(options.count)) {
    throw rruleError(`COUNT=${options.count} does not fit within ${MAX_SERIES_YEARS} years of start (only ${walls.length} occurrences do)`);
  }
  if (walls.length === 0) throw rruleError('produces no occurrence from start on');
  if (walls[0]!.getTime() !== startWall) {
    throw validationError([{ field: 'start', message: 'must be the first occurrence of rrule (it does not match the rule)' }]);
  }
  return walls.map((w) => {
    const wall = w.toISOString().slice(0, 19);
    const minutes = w.getUTCHours() * 60 + w.getUTCMinutes();
    const instant = wallToInstant(wall.slice(0, 10), minutes, input.timeZone);
    return instant === null ? { kind: 'nonexistent', wall } : { kind: 'exists', wall, start: new Date(instant.getTime() + w.getUTCSeconds() * 1000) };
  });
}
