/**
 * Appointment types and rules: what can be booked (duration, buffers, colour, billed price item,
 * who offers it, rule overrides) and the practice's scheduling rules every type starts from.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader, useToast } from '../../ui/kit.tsx';
import { RulesFields, rulesToText, textToRules, type Rules, type RulesText } from './AppointmentTypesRules.tsx';
import { AppointmentTypeEditor } from './AppointmentTypesEditor.tsx';
import './LocationsWeeklyHours.css';

export interface AppointmentType {
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  readonly color: string;
  readonly priceItemCode: string | null;
  readonly providerIds: string[];
  readonly resourceIds: string[];
  readonly rules: Rules;
  readonly active: boolean;
  readonly onlineBooking: boolean;
}

export interface PracticeRules { readonly rules: Rules; readonly effective: Required<Rules>; readonly updatedAt: string | null }

function TypeList() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const list = useLoad((signal) => api.get<{ items: AppointmentType[] }>('/api/appointment-types', undefined, signal), [api]);
  const editable = can('settings:manage');
  return (
    <>
      <PageHeader title="Appointment types and rules" subtitle="What patients and staff can book, and the rules bookings follow.">
        {editable ? <button type="button" className="btn btn-primary" onClick={() => navigate('new')}>New appointment type</button> : null}
      </PageHeader>
      <section aria-labelledby="types-title">
        <h2 id="types-title">Appointment types</h2>
        {list.error ? <ErrorBanner error={list.error} title="Could not load the appointment types" /> : null}
        {list.loading && !list.data ? <Loading /> : null}
        {list.data && list.data.items.length === 0 ? (
          <EmptyState title="No appointment types yet">Create one (e.g. "Consultation, 30 minutes") and choose the providers who offer it.</EmptyState>
        ) : null}
        {list.data && list.data.items.length > 0 ? (
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Appointment types</caption>
              <thead><tr><th scope="col">Name</th><th scope="col" className="num">Duration</th><th scope="col">Price item</th><th scope="col">Providers</th><th scope="col">Status</th></tr></thead>
              <tbody>
                {list.data.items.map((t) => (
                  <tr key={t.id}>
                    <td><span className="swatch" style={{ background: t.color }} aria-hidden="true" /><Link to={t.id}>{t.name}</Link></td>
                    <td className="num">{t.durationMinutes} min</td>
                    <td>{t.priceItemCode ?? <span className="muted">Not billed</span>}</td>
                    <td className="num">{t.providerIds.length}</td>
                    <td>{t.active ? <Badge tone="good">Active</Badge> : <Badge>Inactive</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <PracticeRulesForm editable={editable} />
    </>
  );
}

function PracticeRulesForm({ editable }: { editable: boolean }) {
  const { api } = useSession();
  const toast = useToast();
  const loaded = useLoad((signal) => api.get<PracticeRules>('/api/scheduling/rules', undefined, signal), [api]);
  const [view, setView] = useState<PracticeRules | null>(null);
  const [text, setText] = useState<RulesText>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded.data) {
      setView(loaded.data);
      setText(rulesToText(loaded.data.rules));
    }
  }, [loaded.data]);

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = textToRules(text);
    setErrors(parsed.errors);
    if (Object.keys(parsed.errors).length) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await api.put<PracticeRules>('/api/scheduling/rules', parsed.rules);
      setView(saved);
      setText(rulesToText(saved.rules));
      toast('Scheduling rules saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card practice-rules" aria-labelledby="rules-title">
      <h2 id="rules-title">Practice scheduling rules</h2>
      <p className="muted small">Every appointment type follows these unless it overrides them. Empty fields use HealthTrack's defaults (shown in grey).</p>
      {loaded.error ? <ErrorBanner error={loaded.error} title="Could not load the rules" /> : null}
      {!view && loaded.loading ? <Loading /> : null}
      {view ? (
        <form onSubmit={save} noValidate aria-label="Practice scheduling rules">
          {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the rules" /> : null}
          <fieldset disabled={!editable} className="settings-plain-fieldset">
            <RulesFields idPrefix="practice-rules" value={text} onChange={setText} errors={errors} apiError={error} apiPrefix="" inherited={DEFAULTS} />
            <div className="form-actions"><Button type="submit" busy={busy}>Save rules</Button></div>
          </fieldset>
        </form>
      ) : null}
    </section>
  );
}

/** HealthTrack's defaults (what an empty practice rule means), as the API documents them. */
const DEFAULTS: Rules = {
  slotMinutes: 15,
  minNoticeMinutes: 120,
  horizonDays: 90,
  maxPerProviderPerDay: null,
  maxOpenPerPatient: null,
  cancelWindowMinutes: 1440,
  lateCancel: 'flag',
  rescheduleWindowMinutes: 1440,
  reminderLeadMinutes: 1440,
  waitlistOfferMinutes: 120,
  frontDeskOverride: true,
};

function TypeRoute() {
  const { id } = useParams();
  return <AppointmentTypeEditor key={id} id={id === 'new' ? null : id!} />;
}

export function AppointmentTypesSettings() {
  return (
    <Routes>
      <Route index element={<TypeList />} />
      <Route path=":id" element={<TypeRoute />} />
    </Routes>
  );
}
