/** One provider: details (create or edit), weekly hours per location, and time off. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, SelectField, TextField, useToast } from '../../ui/kit.tsx';
import { hoursToText, textToHours, WeeklyHoursEditor, type HoursText } from './LocationsWeeklyHours.tsx';
import type { Location } from './LocationsSettings.tsx';
import type { Provider } from './ProvidersSettings.tsx';
import { ProviderTimeOff } from './ProvidersTimeOff.tsx';

interface Staff { readonly userId: string; readonly name: string; readonly email: string; readonly status: string }
interface Form { displayName: string; color: string; useColor: boolean; userId: string; active: boolean }

const HEX = /^#[0-9a-fA-F]{6}$/;

const toForm = (p: Provider | null): Form => ({
  displayName: p?.displayName ?? '',
  color: p?.color ?? '#2e8540',
  useColor: p ? p.color !== null : true,
  userId: p?.userId ?? '',
  active: p?.active ?? true,
});

export function ProviderEditor({ id }: { id: string | null }) {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const loaded = useLoad(async (signal) => {
    const [provider, locations, staff] = await Promise.all([
      id ? api.get<Provider>(`/api/providers/${id}`, undefined, signal) : Promise.resolve(null),
      api.get<{ items: Location[] }>('/api/locations', undefined, signal),
      can('staff:read') ? api.get<{ items: Staff[] }>('/api/staff', undefined, signal).then((r) => r.items) : Promise.resolve([] as Staff[]),
    ]);
    return { provider, locations: locations.items, staff };
  }, [api, id]);
  const [provider, setProvider] = useState<Provider | null>(null);
  const [form, setForm] = useState<Form | null>(id ? null : toForm(null));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded.data?.provider) {
      setProvider(loaded.data.provider);
      setForm(toForm(loaded.data.provider));
    }
  }, [loaded.data]);

  const title = id ? (provider?.displayName ?? 'Provider') : 'New provider';
  if (loaded.error) return <><PageHeader title={title} /><ErrorBanner error={loaded.error} title="Could not load the provider" /><Link to="..">Back to providers</Link></>;
  if (!form || !loaded.data) return <><PageHeader title={title} /><Loading /></>;
  const editable = can('settings:manage');
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const colorError = form.useColor && !HEX.test(form.color) ? 'Use a hex colour like #2e8540' : undefined;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form || colorError) return;
    setBusy(true);
    setError(null);
    try {
      if (id) {
        const saved = await api.patch<Provider>(`/api/providers/${id}`, {
          displayName: form.displayName.trim(),
          color: form.useColor ? form.color.toLowerCase() : null,
          userId: form.userId || null,
          active: form.active,
        });
        setProvider(saved);
        setForm(toForm(saved));
        toast('Provider saved');
      } else {
        const created = await api.post<Provider>('/api/providers', {
          displayName: form.displayName.trim(),
          ...(form.useColor ? { color: form.color.toLowerCase() } : {}),
          ...(form.userId ? { userId: form.userId } : {}),
        });
        toast(`Provider ${created.displayName} created`);
        navigate(`../${created.id}`, { replace: true });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title={title}>
        <Link to=".." className="btn btn-secondary">All providers</Link>
      </PageHeader>
      <form className="card" onSubmit={save} noValidate aria-label={id ? 'Provider details' : 'New provider'}>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the provider" /> : null}
        <fieldset disabled={!editable} className="settings-plain-fieldset">
          <div className="row">
            <TextField label="Display name" value={form.displayName} required maxLength={200} onChange={(e) => set({ displayName: e.target.value })} error={fe('displayName')} hint="As patients see it, e.g. Dr. Ada Jones" />
            <SelectField label="Staff sign-in" value={form.userId} onChange={(e) => set({ userId: e.target.value })} error={fe('userId')} hint="Links the provider to a staff member (optional)">
              <option value="">Not linked</option>
              {loaded.data.staff.map((s) => <option key={s.userId} value={s.userId}>{s.name} ({s.email})</option>)}
            </SelectField>
          </div>
          <div className="row">
            <Checkbox label="Own calendar colour" checked={form.useColor} onChange={(e) => set({ useColor: e.target.checked })} />
          </div>
          {form.useColor ? (
            <div className="row">
              <div className="field">
                <label htmlFor="provider-color-picker">Calendar colour picker</label>
                <input id="provider-color-picker" type="color" value={HEX.test(form.color) ? form.color.toLowerCase() : '#000000'} onChange={(e) => set({ color: e.target.value })} />
              </div>
              <TextField label="Calendar colour" value={form.color} maxLength={7} onChange={(e) => set({ color: e.target.value.trim() })} error={colorError ?? fe('color')} hint="Hex, #rrggbb" />
            </div>
          ) : null}
          {id ? <Checkbox label="Active (can be booked)" checked={form.active} onChange={(e) => set({ active: e.target.checked })} /> : null}
          <div className="form-actions">
            <Button type="submit" busy={busy}>{id ? 'Save provider' : 'Create provider'}</Button>
          </div>
        </fieldset>
      </form>
      {id && provider ? (
        <>
          <ProviderHours provider={provider} locations={loaded.data.locations} editable={editable} onSaved={setProvider} />
          <ProviderTimeOff providerId={id} editable={editable} />
        </>
      ) : null}
    </>
  );
}

/** Weekly hours at one location at a time (PUT /api/providers/{id}/hours replaces that location's week). */
function ProviderHours({ provider, locations, editable, onSaved }: { provider: Provider; locations: Location[]; editable: boolean; onSaved: (p: Provider) => void }) {
  const { api } = useSession();
  const toast = useToast();
  const hid = useId();
  const [locationId, setLocationId] = useState(locations[0]?.id ?? '');
  const current = provider.hours.find((h) => h.locationId === locationId)?.hours;
  const [text, setText] = useState<HoursText>(hoursToText(current));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setText(hoursToText(provider.hours.find((h) => h.locationId === locationId)?.hours));
    setErrors({});
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [locationId]);

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = textToHours(text);
    setErrors(parsed.errors);
    if (Object.keys(parsed.errors).length) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await api.put<Provider>(`/api/providers/${provider.id}/hours`, { locationId, hours: parsed.hours });
      onSaved(saved);
      setText(hoursToText(saved.hours.find((h) => h.locationId === locationId)?.hours));
      toast('Weekly hours saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const location = locations.find((l) => l.id === locationId);
  return (
    <section className="card" aria-labelledby={`${hid}-title`}>
      <h2 id={`${hid}-title`}>Weekly hours</h2>
      {locations.length === 0 ? (
        <p className="muted">There are no locations yet. Create one under <Link to="/settings/locations">Locations and hours</Link>, then come back to set this provider's hours there.</p>
      ) : (
        <form onSubmit={save} noValidate aria-label="Weekly hours">
          {error && !(error instanceof ApiError && error.errors.some((x) => x.field.startsWith('hours'))) ? <ErrorBanner error={error} title="Could not save the hours" /> : null}
          <div className="row">
            <SelectField label="Location" value={locationId} onChange={(e) => setLocationId(e.target.value)} hint={location ? `Times in ${location.timeZone}` : undefined}>
              {locations.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
            </SelectField>
          </div>
          <fieldset disabled={!editable} className="settings-plain-fieldset">
            <WeeklyHoursEditor idPrefix={`prov-hours-${locationId}`} value={text} onChange={setText} errors={errors} apiError={error} apiPrefix="hours" />
            <div className="form-actions">
              <Button type="submit" busy={busy}>Save hours</Button>
            </div>
          </fieldset>
        </form>
      )}
    </section>
  );
}
