/** One appointment type: create or edit, with its providers and its rule overrides. */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, TextField, useToast } from '../../ui/kit.tsx';
import { RulesFields, rulesToText, textToRules, type RulesText } from './AppointmentTypesRules.tsx';
import type { AppointmentType, PracticeRules } from './AppointmentTypesSettings.tsx';
import type { Provider } from './ProvidersSettings.tsx';

interface Form {
  name: string;
  duration: string;
  before: string;
  after: string;
  color: string;
  priceItemCode: string;
  providerIds: string[];
  active: boolean;
  onlineBooking: boolean;
  rules: RulesText;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

const toForm = (t: AppointmentType | null): Form => ({
  name: t?.name ?? '',
  duration: String(t?.durationMinutes ?? 30),
  before: String(t?.bufferBeforeMinutes ?? 0),
  after: String(t?.bufferAfterMinutes ?? 0),
  color: t?.color ?? '#1f5f8b',
  priceItemCode: t?.priceItemCode ?? '',
  providerIds: t?.providerIds ?? [],
  active: t?.active ?? true,
  onlineBooking: t?.onlineBooking ?? false,
  rules: rulesToText(t?.rules ?? {}),
});

export function AppointmentTypeEditor({ id }: { id: string | null }) {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const loaded = useLoad(async (signal) => {
    const [type, providers, rules, priceItems] = await Promise.all([
      id ? api.get<AppointmentType>(`/api/appointment-types/${id}`, undefined, signal) : Promise.resolve(null),
      api.get<{ items: Provider[] }>('/api/providers', undefined, signal),
      api.get<PracticeRules>('/api/scheduling/rules', undefined, signal),
      // Suggestions only: without billing access the code is typed by hand.
      can('billing:read') ? api.get<{ items: { code: string; name: string }[] }>('/api/price-items', undefined, signal).then((r) => r.items, () => []) : Promise.resolve([]),
    ]);
    return { type, providers: providers.items, rules, priceItems };
  }, [api, id]);
  const [form, setForm] = useState<Form | null>(id ? null : toForm(null));
  const [ruleErrors, setRuleErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded.data?.type) setForm(toForm(loaded.data.type));
  }, [loaded.data]);

  const title = id ? (loaded.data?.type?.name ?? 'Appointment type') : 'New appointment type';
  if (loaded.error) return <><PageHeader title={title} /><ErrorBanner error={loaded.error} title="Could not load the appointment type" /><Link to="..">Back to appointment types</Link></>;
  if (!form || !loaded.data) return <><PageHeader title={title} /><Loading /></>;
  const editable = can('settings:manage');
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const num = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);
  const localErrors: Record<string, string | undefined> = {
    duration: Number.isNaN(num(form.duration)) ? 'Enter whole minutes' : undefined,
    before: Number.isNaN(num(form.before)) ? 'Enter whole minutes' : undefined,
    after: Number.isNaN(num(form.after)) ? 'Enter whole minutes' : undefined,
    color: HEX.test(form.color) ? undefined : 'Use a hex colour like #1f5f8b',
  };
  // Local checks show once a save was tried (error 'local'), not while typing.
  const showLocal = error === 'local';

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    const parsed = textToRules(form.rules);
    setRuleErrors(parsed.errors);
    if (Object.values(localErrors).some(Boolean)) {
      setError('local');
      return;
    }
    if (Object.keys(parsed.errors).length) return;
    const body = {
      name: form.name.trim(),
      durationMinutes: num(form.duration),
      bufferBeforeMinutes: num(form.before),
      bufferAfterMinutes: num(form.after),
      color: form.color.toLowerCase(),
      priceItemCode: form.priceItemCode.trim() || (id ? null : undefined),
      providerIds: form.providerIds,
      rules: parsed.rules,
      active: form.active,
      onlineBooking: form.onlineBooking,
    };
    setBusy(true);
    setError(null);
    try {
      if (id) {
        const saved = await api.patch<AppointmentType>(`/api/appointment-types/${id}`, body);
        setForm(toForm(saved));
        toast('Appointment type saved');
      } else {
        const created = await api.post<AppointmentType>('/api/appointment-types', body);
        toast(`${created.name} created`);
        navigate(`../${created.id}`, { replace: true });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const local = (k: string) => (showLocal ? localErrors[k] : undefined);
  const toggleProvider = (pid: string, on: boolean) => set({ providerIds: on ? [...form.providerIds, pid] : form.providerIds.filter((x) => x !== pid) });
  return (
    <>
      <PageHeader title={title}>
        <Link to=".." className="btn btn-secondary">All appointment types</Link>
      </PageHeader>
      <form className="card" onSubmit={save} noValidate aria-label={id ? 'Appointment type' : 'New appointment type'}>
        {error && error !== 'local' && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the appointment type" /> : null}
        {error instanceof ApiError && error.errors.length ? <p className="banner banner-error" role="alert">Some fields need attention: see the messages below them.</p> : null}
        <fieldset disabled={!editable} className="settings-plain-fieldset">
          <div className="row">
            <TextField label="Name" value={form.name} required maxLength={200} onChange={(e) => set({ name: e.target.value })} error={fe('name')} />
            <TextField label="Duration (minutes)" inputMode="numeric" value={form.duration} onChange={(e) => set({ duration: e.target.value })} error={local('duration') ?? fe('durationMinutes')} hint="5 to 720" />
          </div>
          <div className="row">
            <TextField label="Buffer before (minutes)" inputMode="numeric" value={form.before} onChange={(e) => set({ before: e.target.value })} error={local('before') ?? fe('bufferBeforeMinutes')} />
            <TextField label="Buffer after (minutes)" inputMode="numeric" value={form.after} onChange={(e) => set({ after: e.target.value })} error={local('after') ?? fe('bufferAfterMinutes')} />
          </div>
          <div className="row">
            <div className="field">
              <label htmlFor="type-color-picker">Calendar colour picker</label>
              <input id="type-color-picker" type="color" value={HEX.test(form.color) ? form.color.toLowerCase() : '#000000'} onChange={(e) => set({ color: e.target.value })} />
            </div>
            <TextField label="Calendar colour" value={form.color} maxLength={7} onChange={(e) => set({ color: e.target.value.trim() })} error={local('color') ?? fe('color')} hint="Hex, #rrggbb" />
            <TextField label="Price item code" list="price-codes" value={form.priceItemCode} maxLength={50} onChange={(e) => set({ priceItemCode: e.target.value })} error={fe('priceItemCode')} hint="The price list item billed for this type (optional)" />
            <datalist id="price-codes">
              {loaded.data.priceItems.map((p) => <option key={p.code} value={p.code}>{p.name}</option>)}
            </datalist>
          </div>
          <fieldset className="settings-fieldset">
            <legend>Providers who offer it</legend>
            {loaded.data.providers.length === 0 ? <p className="muted">No providers yet: add them under <Link to="/settings/providers">Providers</Link>.</p> : null}
            <div className="check-grid">
              {loaded.data.providers.map((p) => (
                <Checkbox key={p.id} label={p.displayName} checked={form.providerIds.includes(p.id)} onChange={(e) => toggleProvider(p.id, e.target.checked)} />
              ))}
            </div>
            {fe('providerIds') ? <p className="field-error" role="alert">{fe('providerIds')}</p> : null}
          </fieldset>
          <fieldset className="settings-fieldset">
            <legend>Rules for this type</legend>
            <p className="muted small">Empty fields follow the practice's rules (shown in grey).</p>
            <RulesFields idPrefix="type-rules" value={form.rules} onChange={(rules) => set({ rules })} errors={ruleErrors} apiError={error} apiPrefix="rules." inherited={loaded.data.rules.effective} />
          </fieldset>
          <Checkbox label="Active (can be booked)" checked={form.active} onChange={(e) => set({ active: e.target.checked })} />
          <Checkbox label="Patients can book this type online (on the practice's booking page)" checked={form.onlineBooking} onChange={(e) => set({ onlineBooking: e.target.checked })} />
          <div className="form-actions">
            <Button type="submit" busy={busy}>{id ? 'Save appointment type' : 'Create appointment type'}</Button>
          </div>
        </fieldset>
      </form>
    </>
  );
}
