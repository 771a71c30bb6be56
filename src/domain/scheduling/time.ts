/**
 * Wall-clock arithmetic in a location's IANA zone, with an explicit daylight-saving policy:
 * - a wall time inside a spring-forward gap does not exist (`wallToInstant` gives null), so no slot
 *   starts there;
 * - an ambiguous fall-back wall time is the EARLIER instant (the first, pre-transition offset).
 * Luxon resolves ambiguous times to the later offset and silently shifts gap times forward, so the
 * resolution is done here from the zone's offsets rather than left to `DateTime.fromObject`.
 */
import { DateTime, IANAZone, Info, type Zone } from 'luxon';

const DAY_MS = 86_400_000;
/**
 * Offsets remembered, over all zones together (about 37 bytes each): slot searches ask for whole
 * minutes, about two months of them per zone. When full, every zone starts afresh.
 */
const MEMO_LIMIT = 200_000;
let memoised = 0;
const memoZones = new Map<string, MemoZone>();

/**
 * An IANA zone whose offsets are remembered. Luxon asks `Intl.DateTimeFormat.formatToParts` for
 * every offset (microseconds each), and a slot search asks for thousands, mostly the same minutes
 * again and again; an offset depends only on the whole second, so the memo is exact.
 */
class MemoZone extends IANAZone {
  readonly #offsets = new Map<number, number>();

  override offset(ts: number): number {
    // The second Date (and so luxon) sees: it drops fractions of a millisecond toward zero.
    const second = Math.floor(Math.trunc(ts) / 1000);
    let offset = this.#offsets.get(second);
    if (offset === undefined) {
      offset = super.offset(ts);
      if (memoised >= MEMO_LIMIT) {
        for (const zone of memoZones.values()) zone.#offsets.clear();
        memoised = 0;
      }
      if (Number.isFinite(second)) {
        this.#offsets.set(second, offset);
        memoised++;
      }
    }
    return offset;
  }
}

/**
 * The zone luxon would use for `name`, memoised when it is a valid IANA zone (`UTC` stays luxon's
 * fixed zone, so formatting is unchanged; an unknown name is not kept).
 */
function zoneOf(name: string): Zone {
  const known = memoZones.get(name);
  if (known !== undefined) return known;
  const zone = Info.normalizeZone(name);
  if (!(zone instanceof IANAZone) || !zone.isValid) return zone;
  const memo = new MemoZone(name);
  memoZones.set(name, memo);
  return memo;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** True when `zone` is a valid IANA zone name (e.g. `Europe/Berlin`). */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** A local calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function isLocalDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  return DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone: 'utc' }).isValid;
}

/** `HH:MM` (or `HH:MM:SS`, as PostgreSQL prints `time`) → minutes since midnight; `24:00` is 1440. */
export function parseWallTime(value: string): number {
  const m = TIME_RE.exec(value);
  if (!m) throw new Error(`not a wall time: ${value}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 1440 || Number(m[2]) > 59) throw new Error(`not a wall time: ${value}`);
  return minutes;
}

/** Minutes since midnight → `HH:MM`. */
export function formatWallTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Milliseconds of `date` at `minutes` past midnight, read as if the wall clock were UTC. */
function wallMs(date: string, minutes: number): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a local date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + minutes * 60_000;
}

/**
 * The instant of wall time `minutes` past midnight on local `date` in `zone`, or null when that
 * wall time falls in a spring-forward gap. Ambiguous (fall-back) times resolve to the earlier instant.
 * @example wallToInstant('2026-03-08', 150, 'America/New_York') // null: 02:30 does not exist that day
 */
export function wallToInstant(date: string, minutes: number, zone: string): Date | null {
  const z = zoneOf(zone);
  const wall = wallMs(date, minutes);
  let best: number | null = null;
  // Every offset in force within a day of the wall time is a candidate; it is valid when the zone
  // really uses that offset at the instant it produces.
  for (const probe of [wall - DAY_MS, wall, wall + DAY_MS]) {
    const offset = z.offset(probe);
    const instant = wall - offset * 60_000;
    if (z.offset(instant) === offset && (best === null || instant < best)) best = instant;
  }
  return best === null ? null : new Date(best);
}

/**
 * Like `wallToInstant`, for the END of an interval: a wall time in a gap becomes the first instant
 * after the gap (the transition), so `01:00–02:30` on a spring-forward day ends at 03:00 local.
 */
export function wallEndToInstant(date: string, minutes: number, zone: string): Date {
  for (let m = minutes; m <= minutes + 24 * 60; m++) {
    const instant = wallToInstant(date, m, zone);
    if (instant) return instant;
  }
  throw new Error(`no valid wall time after ${date} ${formatWallTime(minutes)} in ${zone}`);
}

/** The local calendar date (`YYYY-MM-DD`) of `instant` in `zone`. */
export function localDateOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone: zoneOf(zone) }).toISODate()!;
}

/** Local wall minutes since midnight of `instant` in `zone`. */
export function localMinutesOf(instant: Date, zone: string): number {
  const dt = DateTime.fromJSDate(instant, { zone: zoneOf(zone) });
  return dt.hour * 60 + dt.minute;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date. */
export function isoWeekday(date: string): number {
  return DateTime.fromISO(date, { zone: 'utc' }).weekday;
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

/** Whole calendar days from `from` to `to` (0 when equal, negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((wallMs(to, 0) - wallMs(from, 0)) / DAY_MS);
}

/** Each local date from `from` to `to` inclusive. */
export function* eachLocalDate(from: string, to: string): Generator<string> {
  for (let d = from; d <= to; d = addDays(d, 1)) yield d;
}

/** Today's local date in `zone` at `now`. */
export function todayIn(zone: string, now: Date): string {
  return localDateOf(now, zone);
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-09T09:00:00-04:00`. */
export function toZonedIso(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone: zoneOf(zone) }).toISO({ suppressMilliseconds: true })!;
}

/** Parses ISO 8601 that carries an offset (or `Z`); null when malformed or offset-less. */
export function parseIsoInstant(value: string): Date | null {
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value)) return null;
  const dt = DateTime.fromISO(value, { setZone: true });
  return dt.isValid ? dt.toJSDate() : null;
}

/** The first instant of local `date` in `zone` (midnight, or the end of a midnight gap). */
export function startOfLocalDay(date: string, zone: string): Date {
  return wallEndToInstant(date, 0, zone);
}

/** Whole years from a date of birth to a local date (a birthday counts on its day; 29 Feb on 1 Mar). */
export function ageOn(dateOfBirth: string, date: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
