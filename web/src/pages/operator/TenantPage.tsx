/** One practice: health and usage (measured on opening), plan and features, request limits, subdomain, suspend/reactivate. */
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { Button, Dialog, ErrorBanner, Loading, PageHeader, SelectField, TextArea, TextField, useToast } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { formatBytes, practiceSignInUrl, useOperator, type Plan, type TenantRow, type Usage } from './operator-session.tsx';
import { StatusBadge } from './TenantsList.tsx';
import { LimitsCard } from './LimitsCard.tsx';

const UsageDailyChart = lazy(() => import('./UsageDailyChart.tsx'));

interface Health {
  readonly tenant: TenantRow;
  readonly usage: Usage;
  readonly storageMethod: string;
  readonly migrations: { schema: string; version: number; latest: number; pending: number };
  readonly staffSeats: number;
  readonly problems: string[];
}

interface FeatureView {
  readonly plan: { key: string; name: string };
  readonly features: { feature: string; description: string; enabled: boolean; inPlan: boolean; source: 'plan' | 'override' }[];
}

export function TenantPage() {
  const { slug = '' } = useParams();
  const { api } = useOperator();
  const health = useLoad((signal) => api.get<Health>(`/platform/tenants/${encodeURIComponent(slug)}/usage`, undefined, signal), [api, slug]);
  const features = useLoad((signal) => api.get<FeatureView>(`/platform/tenants/${encodeURIComponent(slug)}/features`, undefined, signal), [api, slug]);
  const plans = useLoad((signal) => api.get<{ items: Plan[] }>('/platform/plans', undefined, signal), [api]);

  if (health.loading && !health.data) return <Loading label="Measuring the practice…" />;
  if (!health.data) {
    const missing = health.error instanceof ApiError && health.error.status === 404;
    return (
      <>
        <PageHeader title={missing ? 'No such practice' : 'Practice'} />
        <ErrorBanner error={health.error} title={missing ? 'There is no practice with this name' : 'Could not load the practice'} />
        <p><Link to="/operator/tenants">Back to the practices</Link></p>
      </>
    );
  }
  const { tenant, usage, migrations } = health.data;
  return (
    <>
      <p className="small"><Link to="/operator/tenants">← Practices</Link></p>
      <PageHeader title={tenant.name} subtitle={<>{tenant.slug} · <StatusBadge status={tenant.status} /></>}>
        <LifecycleActions tenant={tenant} onChanged={() => { health.reload(); features.reload(); }} />
      </PageHeader>
      {tenant.status === 'suspended' ? (
        <div className="banner banner-warn" role="status">
          <strong>Suspended.</strong> Its staff cannot sign in or use the API{tenant.suspendedReason ? `. Reason: ${tenant.suspendedReason}` : ''}.
        </div>
      ) : null}
      <div className="grid operator-cards">
        <section className="card" aria-labelledby="health-h">
          <h2 id="health-h">Health</h2>
          {health.data.problems.length === 0 ? (
            <p><span aria-hidden="true">✔ </span>Healthy: active, schema up to date, within its staff seats.</p>
          ) : (
            <ul className="operator-problems">
              {health.data.problems.map((p) => <li key={p}><span aria-hidden="true">⚠ </span>{p}</li>)}
            </ul>
          )}
          <dl className="facts">
            <dt>Schema</dt>
            <dd>{migrations.schema} ({tenant.tier === 'schema' ? 'dedicated' : 'pooled'})</dd>
            <dt>Migration version</dt>
            <dd>{migrations.version} of {migrations.latest}{migrations.pending ? `, ${migrations.pending} pending` : ', up to date'}</dd>
            <dt>Last activity</dt>
            <dd>{usage.lastActivityAt ? formatDateTime(usage.lastActivityAt) : 'None recorded'}</dd>
            <dt>Created</dt>
            <dd>{formatDate(tenant.createdAt)}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="usage-h">
          <h2 id="usage-h">Usage</h2>
          <dl className="facts">
            <dt>Patients</dt>
            <dd>{usage.patients}</dd>
            <dt>Active staff</dt>
            <dd>{usage.activeStaff} of {health.data.staffSeats} seats</dd>
            <dt>Appointments, last 30 days</dt>
            <dd>{usage.appointmentsLast30Days}</dd>
            <dt>Invoices</dt>
            <dd>{usage.invoices}</dd>
            <dt>Storage</dt>
            <dd>
              {usage.storageEstimated ? 'About ' : ''}{formatBytes(usage.storageBytes)}
              <div className="muted small">{health.data.storageMethod}</div>
            </dd>
            <dt>Measured</dt>
            <dd>{formatDateTime(usage.measuredAt)}</dd>
          </dl>
          <Button variant="secondary" className="btn-small" busy={health.loading} onClick={health.reload}>Measure again</Button>
        </section>
      </div>
      <Suspense fallback={<Loading label="Loading daily usage…" />}><UsageDailyChart slug={tenant.slug} /></Suspense>
      <PlanCard slug={tenant.slug} features={features} plans={plans.data?.items ?? []} />
      <LimitsCard slug={tenant.slug} planKey={features.data?.plan.key} />
      <SubdomainCard tenant={tenant} onChanged={health.reload} />
    </>
  );
}

function PlanCard({ slug, features, plans }: { slug: string; features: ReturnType<typeof useLoad<FeatureView>>; plans: Plan[] }) {
  const { api } = useOperator();
  const toast = useToast();
  const [plan, setPlan] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const current = features.data?.plan.key ?? '';
  const chosen = plan ?? current;

  async function savePlan(e: FormEvent) {
    e.preventDefault();
    setBusy('plan');
    setError(null);
    try {
      const view = await api.put<FeatureView>(`/platform/tenants/${slug}/plan`, { plan: chosen });
      toast(`Moved to the ${view.plan.name} plan`);
      setPlan(null);
      features.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function override(feature: string, value: string) {
    setBusy(feature);
    setError(null);
    try {
      await api.put(`/platform/tenants/${slug}/features/${feature}`, { enabled: value === '' ? null : value === 'on' });
      toast('Feature updated');
      features.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="plan-h">
      <h2 id="plan-h">Plan and features</h2>
      <ErrorBanner error={error} title="Could not change the plan or features" />
      <ErrorBanner error={features.error} title="Could not load the features" />
      {!features.data ? (
        features.loading ? <Loading label="Loading features…" /> : null
      ) : (
        <>
          <form className="row" onSubmit={savePlan}>
            <SelectField label="Plan" value={chosen} onChange={(e) => setPlan(e.target.value)} error={error instanceof ApiError ? error.fieldError('plan') : undefined}>
              {plans.length === 0 ? <option value={current}>{features.data.plan.name}</option> : null}
              {plans.map((p) => (
                <option key={p.key} value={p.key}>{p.name} ({p.limits.staffSeats} staff seats)</option>
              ))}
            </SelectField>
            <Button type="submit" busy={busy === 'plan'} disabled={chosen === current}>Change plan</Button>
          </form>
          <div className="table-wrap">
            <table className="data operator-rows">
              <caption className="visually-hidden">Features</caption>
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col">In plan</th>
                  <th scope="col">Now</th>
                  <th scope="col">Override</th>
                </tr>
              </thead>
              <tbody>
                {features.data.features.map((f) => (
                  <tr key={f.feature}>
                    <th scope="row">
                      {f.feature}
                      <div className="muted small">{f.description}</div>
                    </th>
                    <td>{f.inPlan ? 'Yes' : 'No'}</td>
                    <td>{f.enabled ? 'On' : 'Off'}{f.source === 'override' ? ' (override)' : ''}</td>
                    <td>
                      <label className="visually-hidden" htmlFor={`ovr-${f.feature}`}>Override for {f.feature}</label>
                      <select
                        id={`ovr-${f.feature}`}
                        value={f.source === 'override' ? (f.enabled ? 'on' : 'off') : ''}
                        disabled={busy === f.feature}
                        onChange={(e) => void override(f.feature, e.target.value)}
                      >
                        <option value="">As the plan says</option>
                        <option value="on">Always on</option>
                        <option value="off">Always off</option>
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function SubdomainCard({ tenant, onChanged }: { tenant: TenantRow; onChanged: () => void }) {
  const { api } = useOperator();
  const toast = useToast();
  const [value, setValue] = useState(tenant.subdomain ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.put(`/platform/tenants/${tenant.slug}/subdomain`, { subdomain: value.trim() === '' ? null : value.trim().toLowerCase() });
      toast(value.trim() ? 'Subdomain saved' : 'Subdomain removed');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const fieldError = error instanceof ApiError ? error.fieldError('subdomain') : undefined;
  return (
    <section className="card" aria-labelledby="sub-h">
      <h2 id="sub-h">Web address</h2>
      <p>
        Staff sign in at <a href={practiceSignInUrl(tenant.slug)}>{practiceSignInUrl(tenant.slug)}</a>
        {tenant.subdomain ? <> or <a href={practiceSignInUrl(tenant.subdomain)}>{practiceSignInUrl(tenant.subdomain)}</a></> : null}.
      </p>
      {error && !fieldError ? <ErrorBanner error={error} title="Could not save the subdomain" /> : null}
      <form className="row" onSubmit={save}>
        <TextField label="Custom subdomain" value={value} onChange={(e) => setValue(e.target.value)} hint="Optional second name besides the slug; empty removes it" error={fieldError} />
        <Button type="submit" variant="secondary" busy={busy}>Save subdomain</Button>
      </form>
    </section>
  );
}

function LifecycleActions({ tenant, onChanged }: { tenant: TenantRow; onChanged: () => void }) {
  const { api } = useOperator();
  const toast = useToast();
  const navigate = useNavigate();
  const [open, setOpen] = useState<'suspend' | 'reactivate' | 'delete' | null>(null);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setOpen(null);
    setError(null);
    setTyped('');
  };

  async function run() {
    setBusy(true);
    setError(null);
    try {
      if (open === 'suspend') await api.post(`/platform/tenants/${tenant.slug}/suspend`, { reason: reason.trim() });
      if (open === 'reactivate') await api.post(`/platform/tenants/${tenant.slug}/reactivate`);
      if (open === 'delete') {
        await api.delete(`/platform/tenants/${tenant.slug}`);
        toast(`${tenant.name} deleted`);
        navigate('/operator/tenants', { replace: true });
        return;
      }
      toast(open === 'suspend' ? `${tenant.name} suspended` : `${tenant.name} reactivated`);
      close();
      setReason('');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const reasonError = error instanceof ApiError ? error.fieldError('reason') : undefined;
  return (
    <>
      {tenant.status === 'active' ? (
        <Button variant="danger" onClick={() => setOpen('suspend')}>Suspend…</Button>
      ) : (
        <Button onClick={() => setOpen('reactivate')}>Reactivate…</Button>
      )}
      <Button variant="secondary" onClick={() => setOpen('delete')}>Delete…</Button>
      <Dialog
        open={open === 'suspend'}
        title={`Suspend ${tenant.name}?`}
        onClose={close}
        footer={
          <>
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button variant="danger" busy={busy} disabled={!reason.trim()} onClick={() => void run()}>Suspend practice</Button>
          </>
        }
      >
        <p>Its staff are signed out and cannot sign in or use the API until it is reactivated. Its data is kept.</p>
        {error && !reasonError ? <ErrorBanner error={error} /> : null}
        <TextArea label="Reason (kept with the practice)" value={reason} onChange={(e) => setReason(e.target.value)} error={reasonError} maxLength={500} required />
      </Dialog>
      <Dialog
        open={open === 'reactivate'}
        title={`Reactivate ${tenant.name}?`}
        onClose={close}
        footer={
          <>
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button busy={busy} onClick={() => void run()}>Reactivate practice</Button>
          </>
        }
      >
        <p>Its staff can sign in again at once.</p>
        <ErrorBanner error={error} />
      </Dialog>
      <Dialog
        open={open === 'delete'}
        title={`Delete ${tenant.name} and all its data?`}
        onClose={close}
        footer={
          <>
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button variant="danger" busy={busy} disabled={typed !== tenant.slug} onClick={() => void run()}>Delete for ever</Button>
          </>
        }
      >
        <p>Every patient, appointment, invoice and form of this practice is erased. This cannot be undone.</p>
        <ErrorBanner error={error} />
        <TextField label={<>Type <strong>{tenant.slug}</strong> to confirm</>} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </Dialog>
    </>
  );
}
