/** A provider's time off: list, add (start and end in this computer's time zone), remove. */
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { Button, ErrorBanner, Loading, TextField, useToast } from '../../ui/kit.tsx';

interface TimeOff { readonly id: string; readonly startsAt: string; readonly endsAt: string; readonly reason: string | null }

/** A datetime-local value ("2026-12-01T09:00") as ISO 8601 with this computer's offset. */
function toIso(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

export function ProviderTimeOff({ providerId, editable }: { providerId: string; editable: boolean }) {
  const { api } = useSession();
  const toast = useToast();
  const id = useId();
  const list = useLoad((signal) => api.get<{ items: TimeOff[] }>(`/api/providers/${providerId}/time-off`, undefined, signal), [api, providerId]);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/providers/${providerId}/time-off`, { startsAt: toIso(startsAt), endsAt: toIso(endsAt), ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setStartsAt('');
      setEndsAt('');
      setReason('');
      toast('Time off added');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(t: TimeOff) {
    setRemoving(t.id);
    setError(null);
    try {
      await api.delete(`/api/providers/${providerId}/time-off/${t.id}`);
      toast('Time off removed');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setRemoving(null);
    }
  }

  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Time off</h2>
      <p className="muted small">Nothing can be booked with the provider during time off. Times are in your computer's time zone ({zone}).</p>
      {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not change the time off" /> : null}
      {list.error ? <ErrorBanner error={list.error} title="Could not load the time off" /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <p className="muted">No time off planned.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Time off</caption>
            <thead><tr><th scope="col">From</th><th scope="col">Until</th><th scope="col">Reason</th>{editable ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {list.data.items.map((t) => (
                <tr key={t.id}>
                  <td className="nowrap">{formatDateTime(t.startsAt)}</td>
                  <td className="nowrap">{formatDateTime(t.endsAt)}</td>
                  <td>{t.reason ?? <span className="muted">—</span>}</td>
                  {editable ? <td><Button variant="link" busy={removing === t.id} onClick={() => void remove(t)} aria-label={`Remove time off from ${formatDateTime(t.startsAt)}`}>Remove</Button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editable ? (
        <form onSubmit={add} noValidate className="row holiday-form" aria-label="Add time off">
          <TextField label="Time off from" type="datetime-local" value={startsAt} required onChange={(e) => setStartsAt(e.target.value)} error={fe('startsAt')} />
          <TextField label="Time off until" type="datetime-local" value={endsAt} required onChange={(e) => setEndsAt(e.target.value)} error={fe('endsAt')} />
          <TextField label="Reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} error={fe('reason')} hint="Optional, staff only" />
          <div className="field"><Button type="submit" busy={busy}>Add time off</Button></div>
        </form>
      ) : null}
    </section>
  );
}
