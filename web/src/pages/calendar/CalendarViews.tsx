/**
 * The day view (per provider: the day's appointments, free time and time off in time order, a list
 * that reads the same on a phone) and the week view (a table: providers by the seven days).
 * Appointments are buttons showing time, patient, type and status: the type's colour is a
 * second signal, never the only one.
 */
import type { CalendarAppointment, CalendarProvider, CalendarView, TimeRange } from './calendar-data.ts';
import { STATUS_LABEL, formatDayHeading, typeColors } from './calendar-data.ts';
import { formatTime } from '../../ui/format.ts';
import { EmptyState } from '../../ui/kit.tsx';

export interface ViewActions {
  onOpen(appointment: CalendarAppointment, provider: CalendarProvider): void;
  /** Book from a free window (absent without `scheduling:write`). */
  readonly onBookFree?: (providerId: string, date: string) => void;
  onShowDay(date: string): void;
}

function AppointmentButton({ a, provider, timeZone, onOpen, compact }: { a: CalendarAppointment; provider: CalendarProvider; timeZone: string; onOpen: ViewActions['onOpen']; compact?: boolean }) {
  const { stripe, background } = typeColors(a.typeId, a.color);
  const time = `${formatTime(a.start, timeZone)} – ${formatTime(a.end, timeZone)}`;
  const inactive = a.status === 'cancelled' || a.status === 'no_show';
  return (
    <button
      type="button"
      className={`cal-appt cal-status-${a.status}${inactive ? ' cal-appt-inactive' : ''}${compact ? ' cal-appt-compact' : ''}`}
      style={{ background, borderLeftColor: stripe }}
      onClick={() => onOpen(a, provider)}
    >
      {/* The hidden commas make the spoken name read "time, status, patient, type". */}
      <span className="cal-appt-time">{time}<span className="visually-hidden">,</span></span>
      <span className="cal-appt-status">{STATUS_LABEL[a.status]}{a.lateCancel ? ' (late cancellation)' : ''}<span className="visually-hidden">,</span></span>
      <span className="cal-appt-patient">{a.patientName}<span className="visually-hidden">,</span></span>
      <span className="cal-appt-type">{a.typeName}</span>
    </button>
  );
}

type Entry =
  | { kind: 'appointment'; at: string; a: CalendarAppointment }
  | { kind: 'free'; at: string; r: TimeRange }
  | { kind: 'off'; at: string; r: TimeRange };

function dayEntries(day: CalendarProvider['days'][number]): Entry[] {
  const entries: Entry[] = [
    ...day.appointments.map((a) => ({ kind: 'appointment' as const, at: a.start, a })),
    ...day.free.map((r) => ({ kind: 'free' as const, at: r.start, r })),
    ...day.timeOff.map((r) => ({ kind: 'off' as const, at: r.start, r })),
  ];
  return entries.sort((x, y) => new Date(x.at).getTime() - new Date(y.at).getTime() || (x.kind === 'appointment' ? -1 : 1));
}

export function DayView({ data, actions }: { data: CalendarView; actions: ViewActions }) {
  const tz = data.timeZone;
  const total = data.providers.reduce((n, p) => n + p.days.reduce((m, d) => m + d.appointments.length, 0), 0);
  if (data.providers.length === 0) {
    return (
      <EmptyState title="No appointments this day">
        Nobody works at this location on {formatDayHeading(data.from, 'long')}. Set providers’ hours under Settings, Providers.
      </EmptyState>
    );
  }
  return (
    <div className="cal-day">
      {total === 0 ? (
        <EmptyState title="No appointments this day">
          {actions.onBookFree ? 'Book one from a free slot below, or with “Book appointment”.' : 'Free time is listed below.'}
        </EmptyState>
      ) : null}
      <div className="cal-day-columns">
        {data.providers.map((p) => {
          const day = p.days[0];
          const entries = day ? dayEntries(day) : [];
          return (
            <section key={p.providerId} className="card cal-provider" aria-labelledby={`prov-${p.providerId}`}>
              <h2 id={`prov-${p.providerId}`}>{p.name}</h2>
              {day && day.working.length === 0 && day.appointments.length === 0 ? <p className="muted">Not working this day.</p> : null}
              <ol className="cal-entries">
                {entries.map((e) => (
                  <li key={`${e.kind}-${e.kind === 'appointment' ? e.a.id : e.at}`} className={`cal-entry cal-entry-${e.kind}`}>
                    {e.kind === 'appointment' ? (
                      <AppointmentButton a={e.a} provider={p} timeZone={tz} onOpen={actions.onOpen} />
                    ) : e.kind === 'free' ? (
                      <div className="cal-free">
                        <span><span className="cal-free-label">Free</span> {formatTime(e.r.start, tz)} – {formatTime(e.r.end, tz)}</span>
                        {actions.onBookFree ? (
                          <button type="button" className="btn btn-secondary btn-small" onClick={() => actions.onBookFree!(p.providerId, data.from)}
                            aria-label={`Book with ${p.name} from ${formatTime(e.r.start, tz)}`}>
                            Book
                          </button>
                        ) : null}
                      </div>
                    ) : (
                      <div className="cal-off">Time off {formatTime(e.r.start, tz)} – {formatTime(e.r.end, tz)}</div>
                    )}
                  </li>
                ))}
              </ol>
            </section>
          );
        })}
      </div>
    </div>
  );
}

export function WeekView({ data, actions }: { data: CalendarView; actions: ViewActions }) {
  const tz = data.timeZone;
  const dates = data.providers[0]?.days.map((d) => d.date) ?? [];
  if (data.providers.length === 0) {
    return <EmptyState title="No appointments this week">Nobody works at this location this week. Set providers’ hours under Settings, Providers.</EmptyState>;
  }
  return (
    <div className="table-wrap cal-week-wrap">
      <table className="data cal-week">
        <caption className="visually-hidden">Appointments from {formatDayHeading(data.from, 'long')} to {formatDayHeading(data.to, 'long')}, by provider</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            {dates.map((d) => (
              <th scope="col" key={d}>
                <button type="button" className="btn btn-link cal-day-link" onClick={() => actions.onShowDay(d)}>
                  {formatDayHeading(d)}<span className="visually-hidden">: show the day</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.providers.map((p) => (
            <tr key={p.providerId}>
              <th scope="row">{p.name}</th>
              {p.days.map((day) => (
                <td key={day.date} className={day.working.length === 0 ? 'cal-closed' : undefined}>
                  {day.appointments.length === 0 ? (
                    <span className="muted small">{day.working.length === 0 ? 'Not working' : 'No appointments'}</span>
                  ) : (
                    <ul className="cal-week-list">
                      {day.appointments.map((a) => (
                        <li key={a.id}><AppointmentButton a={a} provider={p} timeZone={tz} onOpen={actions.onOpen} compact /></li>
                      ))}
                    </ul>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
