/** One location: create or edit its details and opening hours, and (once it exists) its holidays. */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, TextField, useToast } from '../../ui/kit.tsx';
import { hoursToText, textToHours, WeeklyHoursEditor, type HoursText } from './LocationsWeeklyHours.tsx';
import { LocationHolidays } from './LocationsHolidays.tsx';
import type { Location } from './LocationsSettings.tsx';

interface Form {
  name: string;
  timeZone: string;
  phone: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  active: boolean;
  hours: HoursText;
}

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone the browser knows, for the suggestions list. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [browserZone()];
}

function toForm(l: Location | null): Form {
  return {
    name: l?.name ?? '',
    timeZone: l?.timeZone ?? browserZone(),
    phone: l?.phone ?? '',
    line1: l?.address?.line1 ?? '',
    line2: l?.address?.line2 ?? '',
    city: l?.address?.city ?? '',
    region: l?.address?.region ?? '',
    postalCode: l?.address?.postalCode ?? '',
    country: l?.address?.country ?? '',
    active: l?.active ?? true,
    hours: hoursToText(l?.openingHours),
  };
}

export function LocationEditor({ id }: { id: string | null }) {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const loaded = useLoad((signal) => (id ? api.get<Location>(`/api/locations/${id}`, undefined, signal) : Promise.resolve(null)), [api, id]);
  const [form, setForm] = useState<Form | null>(id ? null : toForm(null));
  const [hourErrors, setHourErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded.data) setForm(toForm(loaded.data));
  }, [loaded.data]);

  const title = id ? (loaded.data?.name ?? 'Location') : 'New location';
  if (id && loaded.error) return <><PageHeader title="Location" /><ErrorBanner error={loaded.error} title="Could not load the location" /><Link to="..">Back to locations</Link></>;
  if (!form) return <><PageHeader title={title} /><Loading /></>;
  const editable = can('settings:manage');
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    const parsed = textToHours(form.hours);
    setHourErrors(parsed.errors);
    if (Object.keys(parsed.errors).length) return;
    const hasAddress = [form.line1, form.line2, form.city, form.region, form.postalCode, form.country].some((v) => v.trim());
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    const address = hasAddress
      ? { line1: form.line1.trim(), line2: opt(form.line2), city: form.city.trim(), region: opt(form.region), postalCode: opt(form.postalCode), country: form.country.trim().toUpperCase() }
      : id ? null : undefined;
    const body = {
      name: form.name.trim(),
      timeZone: form.timeZone.trim(),
      address,
      phone: form.phone.trim() ? form.phone.trim() : id ? null : undefined,
      openingHours: parsed.hours,
      active: form.active,
    };
    setBusy(true);
    setError(null);
    try {
      if (id) {
        const saved = await api.patch<Location>(`/api/locations/${id}`, body);
        setForm(toForm(saved));
        toast('Location saved');
      } else {
        const created = await api.post<Location>('/api/locations', body);
        toast(`Location ${created.name} created`);
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
        <Link to=".." className="btn btn-secondary">All locations</Link>
      </PageHeader>
      <form className="card" onSubmit={save} noValidate aria-label={id ? 'Location details' : 'New location'}>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the location" /> : null}
        {error instanceof ApiError && error.errors.length ? <p className="banner banner-error" role="alert">Some fields need attention: see the messages below them.</p> : null}
        <fieldset disabled={!editable} className="settings-plain-fieldset">
          <div className="row">
            <TextField label="Name" value={form.name} required maxLength={200} onChange={(e) => set({ name: e.target.value })} error={fe('name')} />
            <TextField label="Time zone" list="tz-list" value={form.timeZone} required onChange={(e) => set({ timeZone: e.target.value })} error={fe('timeZone')} hint="IANA name, e.g. America/New_York" />
            <datalist id="tz-list">
              {timeZones().map((z) => <option key={z} value={z} />)}
            </datalist>
            <TextField label="Phone" type="tel" value={form.phone} onChange={(e) => set({ phone: e.target.value })} error={fe('phone')} />
          </div>
          <fieldset className="settings-fieldset">
            <legend>Address</legend>
            <div className="row">
              <TextField label="Street and number" value={form.line1} onChange={(e) => set({ line1: e.target.value })} error={fe('address.line1')} />
              <TextField label="Address line 2" value={form.line2} onChange={(e) => set({ line2: e.target.value })} error={fe('address.line2')} />
            </div>
            <div className="row">
              <TextField label="City" value={form.city} onChange={(e) => set({ city: e.target.value })} error={fe('address.city')} />
              <TextField label="Region" value={form.region} onChange={(e) => set({ region: e.target.value })} error={fe('address.region')} />
              <TextField label="Postal code" value={form.postalCode} onChange={(e) => set({ postalCode: e.target.value })} error={fe('address.postalCode')} />
              <TextField label="Country code" value={form.country} maxLength={2} onChange={(e) => set({ country: e.target.value })} error={fe('address.country')} hint="Two letters, e.g. US" />
            </div>
          </fieldset>
          <fieldset className="settings-fieldset">
            <legend>Opening hours</legend>
            <WeeklyHoursEditor idPrefix="loc-hours" value={form.hours} onChange={(hours) => set({ hours })} errors={hourErrors} apiError={error} apiPrefix="openingHours" />
          </fieldset>
          <Checkbox label="Active (offered for booking)" checked={form.active} onChange={(e) => set({ active: e.target.checked })} />
          <div className="form-actions">
            <Button type="submit" busy={busy}>{id ? 'Save location' : 'Create location'}</Button>
          </div>
        </fieldset>
      </form>
      {id ? <LocationHolidays locationId={id} editable={editable} /> : null}
    </>
  );
}
