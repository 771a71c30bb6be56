/**
 * The Appointments tab: the patient's appointments in a 60-day window (the API lists at most
 * 62 days at a time), starting 30 days back, moved with Earlier / Later. Times are shown in the
 * time zone of the appointment's location.
 */
import { useState } from 'react';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { addDays, formatDate, formatDateTime, todayIn } from '../../ui/format.ts';
import { Badge, Button, EmptyState, ErrorBanner, Loading } from '../../ui/kit.tsx';
import type { Page } from './types.ts';

const WINDOW_DAYS = 60;

interface Appointment {
  readonly id: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly typeId: string;
  readonly start: string;
  readonly end: string;
  readonly status: 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'no_show';
  readonly lateCancel: boolean;
  readonly cancelReason: string | null;
  readonly notes: string | null;
}

interface Named { readonly id: string; readonly name?: string; readonly displayName?: string; readonly timeZone?: string }

const STATUS: Record<Appointment['status'], { label: string; tone: 'neutral' | 'good' | 'warn' | 'bad' | 'info' }> = {
  booked: { label: 'Booked', tone: 'info' },
  checked_in: { label: 'Checked in', tone: 'info' },
  completed: { label: 'Completed', tone: 'good' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  no_show: { label: 'No-show', tone: 'bad' },
};

function byId(items: readonly Named[] | undefined): Map<string, Named> {
  return new Map((items ?? []).map((x) => [x.id, x]));
}

export function PatientAppointments({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const [from, setFrom] = useState(() => addDays(todayIn(), -30));
  const to = addDays(from, WINDOW_DAYS);
  const list = useLoad(
    (signal) => api.get<Page<Appointment>>('/api/appointments', { patientId, from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z`, limit: 200 }, signal),
    [api, patientId, from],
  );
  // Names for the ids; these lists are small and change rarely.
  const refs = useLoad(async (signal) => {
    const [providers, types, locations] = await Promise.all([
      api.get<{ items: Named[] }>('/api/providers', undefined, signal),
      api.get<{ items: Named[] }>('/api/appointment-types', undefined, signal),
      api.get<{ items: Named[] }>('/api/locations', undefined, signal),
    ]);
    return { providers: byId(providers.items), types: byId(types.items), locations: byId(locations.items) };
  }, [api]);

  const items = [...(list.data?.items ?? [])].sort((a, b) => a.start.localeCompare(b.start));

  return (
    <section aria-labelledby="appointments-heading">
      <div className="patient-section-head">
        <h2 id="appointments-heading">Appointments</h2>
        <div className="row patient-window" role="group" aria-label="Period shown">
          <Button variant="secondary" className="btn-small" onClick={() => setFrom(addDays(from, -WINDOW_DAYS))}>← Earlier</Button>
          <span className="small">{formatDate(from)} – {formatDate(addDays(to, -1))}</span>
          <Button variant="secondary" className="btn-small" onClick={() => setFrom(addDays(from, WINDOW_DAYS))}>Later →</Button>
        </div>
      </div>
      <ErrorBanner error={list.error} title="The appointments could not be loaded" />
      {list.loading && !list.data ? (
        <Loading label="Loading appointments…" />
      ) : list.data && items.length === 0 ? (
        <EmptyState title="No appointments in this period">Use Earlier or Later to look at other dates, or book one from the calendar.</EmptyState>
      ) : list.data ? (
        <>
          <div className="table-wrap">
            <table className="data" aria-busy={list.loading || undefined}>
              <caption className="visually-hidden">Appointments from {formatDate(from)} to {formatDate(addDays(to, -1))}</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Type</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Location</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => {
                  const location = refs.data?.locations.get(a.locationId);
                  const s = STATUS[a.status] ?? { label: a.status, tone: 'neutral' as const };
                  return (
                    <tr key={a.id}>
                      <td className="nowrap">{formatDateTime(a.start, location?.timeZone)}</td>
                      <td>{refs.data?.types.get(a.typeId)?.name ?? '—'}</td>
                      <td>{refs.data?.providers.get(a.providerId)?.displayName ?? '—'}</td>
                      <td>{location?.name ?? '—'}</td>
                      <td>
                        <Badge tone={s.tone}>{s.label}</Badge>
                        {a.lateCancel ? <> <Badge tone="warn">Late</Badge></> : null}
                        {a.cancelReason ? <div className="muted small">{a.cancelReason}</div> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {list.data.nextCursor ? <p className="muted small">Only the first 200 appointments of this period are shown.</p> : null}
        </>
      ) : null}
    </section>
  );
}
