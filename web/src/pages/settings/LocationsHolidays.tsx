/** A location's holidays (closed dates): list, add, remove. */
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate } from '../../ui/format.ts';
import { Button, ErrorBanner, Loading, TextField, useToast } from '../../ui/kit.tsx';

interface Holiday { readonly id: string; readonly date: string; readonly name: string }

export function LocationHolidays({ locationId, editable }: { locationId: string; editable: boolean }) {
  const { api } = useSession();
  const toast = useToast();
  const id = useId();
  const list = useLoad((signal) => api.get<{ items: Holiday[] }>(`/api/locations/${locationId}/holidays`, undefined, signal), [api, locationId]);
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/locations/${locationId}/holidays`, { date, name: name.trim() });
      setDate('');
      setName('');
      toast('Holiday added');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(h: Holiday) {
    setRemoving(h.id);
    setError(null);
    try {
      await api.delete(`/api/locations/${locationId}/holidays/${h.id}`);
      toast(`${h.name} removed`);
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
      <h2 id={`${id}-title`}>Holidays</h2>
      <p className="muted small">The location is closed on these dates: nothing can be booked there.</p>
      {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not change the holidays" /> : null}
      {list.error ? <ErrorBanner error={list.error} title="Could not load the holidays" /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <p className="muted">No holidays yet. Add public holidays and closure days below.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Holidays</caption>
            <thead><tr><th scope="col">Date</th><th scope="col">Name</th>{editable ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {list.data.items.map((h) => (
                <tr key={h.id}>
                  <td className="nowrap">{formatDate(h.date)}</td>
                  <td>{h.name}</td>
                  {editable ? (
                    <td><Button variant="link" busy={removing === h.id} onClick={() => void remove(h)} aria-label={`Remove holiday ${h.name}`}>Remove</Button></td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editable ? (
        <form onSubmit={add} noValidate className="row holiday-form" aria-label="Add a holiday">
          <TextField label="Holiday date" type="date" value={date} required onChange={(e) => setDate(e.target.value)} error={fe('date')} />
          <TextField label="Holiday name" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} error={fe('name')} />
          <div className="field"><Button type="submit" busy={busy}>Add holiday</Button></div>
        </form>
      ) : null}
    </section>
  );
}
