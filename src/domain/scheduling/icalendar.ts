/** iCalendar (RFC 5545) documents for appointments, via ical-generator. */
import ical, { ICalEventStatus } from 'ical-generator';

export interface CalendarEvent {
  readonly uid: string;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly location?: string;
  readonly description?: string;
  readonly timeZone: string;
  readonly cancelled?: boolean;
}

/** A calendar with the given events; times are written in UTC so every client agrees. */
export function buildCalendar(name: string, events: readonly CalendarEvent[]): string {
  const cal = ical({ name, prodId: { company: 'HealthTrack', product: 'scheduling' } });
  for (const e of events) {
    cal.createEvent({
      id: e.uid,
      start: e.start,
      end: e.end,
      summary: e.summary,
      location: e.location ?? null,
      description: e.description ?? null,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
