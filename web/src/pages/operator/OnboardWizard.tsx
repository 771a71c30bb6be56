/**
 * Onboarding a practice in four short steps (practice, plan, first administrator, review), then
 * POST /platform/tenants. The API's errors are shown on the step whose field they name.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api.ts';
import { Button, ErrorBanner, Loading, PageHeader, TextField } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { practiceSignInUrl, useOperator, type Plan, type TenantRow } from './operator-session.tsx';

const STEPS = ['Practice', 'Plan', 'First administrator', 'Review'] as const;
type Step = 0 | 1 | 2 | 3;

interface Draft {
  name: string;
  slug: string;
  slugEdited: boolean;
  tier: 'pooled' | 'schema';
  plan: string;
  adminName: string;
  adminEmail: string;
  adminPassword: string;
}

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** "St. Mary's Family Clinic" → "st-marys-family-clinic" (at most 40 characters). */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

/** The step an API field error belongs on. */
function stepOf(field: string): Step {
  if (field.startsWith('admin')) return 2;
  if (field === 'plan') return 1;
  return 0;
}

type Errors = Record<string, string>;

export function OnboardWizard() {
  const { api } = useOperator();
  const plans = useLoad((signal) => api.get<{ items: Plan[] }>('/platform/plans', undefined, signal), [api]);
  const [step, setStep] = useState<Step>(0);
  const [draft, setDraft] = useState<Draft>({ name: '', slug: '', slugEdited: false, tier: 'pooled', plan: 'standard', adminName: '', adminEmail: '', adminPassword: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<TenantRow | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Each step starts with focus on its heading, so a screen reader hears where it is.
  useEffect(() => heading.current?.focus(), [step, created]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function check(s: Step): Errors {
    const e: Errors = {};
    if (s === 0) {
      if (!draft.name.trim()) e.name = 'Enter the practice name';
      if (!SLUG_RE.test(draft.slug)) e.slug = 'Use 1 to 40 lower-case letters, digits and dashes, not starting or ending with a dash';
    }
    if (s === 2) {
      if (!draft.adminName.trim()) e['admin.name'] = 'Enter their name';
      if (!/^\S+@\S+\.\S+$/.test(draft.adminEmail.trim())) e['admin.email'] = 'Enter an email address';
      if (draft.adminPassword.length < 10) e['admin.password'] = 'Use at least 10 characters';
    }
    return e;
  }

  function next(e: FormEvent) {
    e.preventDefault();
    const found = check(step);
    setErrors(found);
    setApiError(null);
    if (Object.keys(found).length === 0) setStep((s) => Math.min(3, s + 1) as Step);
  }

  async function submit() {
    setBusy(true);
    setApiError(null);
    try {
      const res = await api.post<{ tenant: TenantRow }>('/platform/tenants', {
        name: draft.name.trim(),
        slug: draft.slug,
        tier: draft.tier,
        plan: draft.plan,
        admin: { name: draft.adminName.trim(), email: draft.adminEmail.trim(), password: draft.adminPassword },
      });
      setCreated(res.tenant);
    } catch (err) {
      if (err instanceof ApiError) {
        const found: Errors = {};
        for (const fe of err.errors) found[fe.field] = fe.message;
        if (err.code === 'slug_taken') found.slug = 'Another practice already uses this short name';
        const fields = Object.keys(found);
        if (fields.length > 0) {
          setErrors(found);
          setStep(Math.min(...fields.map(stepOf)) as Step);
        }
        setApiError(fields.length > 0 ? null : err);
      } else {
        setApiError(err);
      }
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    const url = practiceSignInUrl(created.slug);
    return (
      <>
        <PageHeader title="Practice onboarded" />
        <section className="card" aria-labelledby="done-h">
          <h2 id="done-h" ref={heading} tabIndex={-1}>{created.name} is ready</h2>
          <p>Its administrator, {draft.adminEmail.trim()}, can sign in now at:</p>
          <p className="operator-url"><a href={url}>{url}</a></p>
          <p className="muted small">Or on the shared sign-in page with the practice name <strong>{created.slug}</strong>.</p>
          <div className="toolbar">
            <Link className="btn btn-primary" to={`/operator/tenants/${created.slug}`}>Open the practice</Link>
            <Link className="btn btn-secondary" to="/operator/tenants">Back to the practices</Link>
          </div>
        </section>
      </>
    );
  }

  const planName = plans.data?.items.find((p) => p.key === draft.plan)?.name ?? draft.plan;
  return (
    <>
      <PageHeader title="Onboard a practice" />
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((label, i) => (
          <li key={label} aria-current={i === step ? 'step' : undefined} className={i === step ? 'current' : i < step ? 'done' : ''}>
            <span className="wizard-num" aria-hidden="true">{i + 1}</span> {label}
            {i < step ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
      <section className="card wizard-card" aria-labelledby="step-h">
        <h2 id="step-h" ref={heading} tabIndex={-1}>Step {step + 1} of {STEPS.length}: {STEPS[step]}</h2>
        {Object.keys(errors).length > 0 && step < 3 ? (
          <div className="banner banner-error" role="alert"><strong>Please correct the fields marked below.</strong></div>
        ) : null}
        {step === 0 ? (
          <form onSubmit={next} noValidate>
            <TextField
              label="Practice name"
              value={draft.name}
              onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value, slug: d.slugEdited ? d.slug : suggestSlug(e.target.value) }))}
              error={errors.name}
              autoComplete="organization"
              required
            />
            <TextField
              label="Short name"
              value={draft.slug}
              onChange={(e) => setDraft((d) => ({ ...d, slug: e.target.value.toLowerCase(), slugEdited: true }))}
              hint="Lower-case letters, digits and dashes: the practice's web address and sign-in name"
              error={errors.slug}
              required
            />
            <fieldset className="wizard-choices">
              <legend>Where its data lives</legend>
              <Choice name="tier" checked={draft.tier === 'pooled'} onChange={() => set('tier', 'pooled')} title="Pooled">
                Shares tables with other practices, separated by row-level security. Right for most practices.
              </Choice>
              <Choice name="tier" checked={draft.tier === 'schema'} onChange={() => set('tier', 'schema')} title="Dedicated schema">
                Its own database schema: for large practices or contracts that ask for it.
              </Choice>
            </fieldset>
            <WizardNav step={step} onBack={() => setStep(0)} />
          </form>
        ) : null}
        {step === 1 ? (
          <form onSubmit={next} noValidate>
            {plans.loading && !plans.data ? <Loading label="Loading plans…" /> : null}
            <ErrorBanner error={plans.error} title="Could not load the plans" />
            <fieldset className="wizard-choices">
              <legend>Plan</legend>
              {(plans.data?.items ?? []).map((p) => (
                <Choice key={p.key} name="plan" checked={draft.plan === p.key} onChange={() => set('plan', p.key)} title={p.name}>
                  {p.description} Up to {p.limits.staffSeats} staff.
                </Choice>
              ))}
              {errors.plan ? <div className="field-error" role="alert">{errors.plan}</div> : null}
            </fieldset>
            <WizardNav step={step} onBack={() => setStep(0)} />
          </form>
        ) : null}
        {step === 2 ? (
          <form onSubmit={next} noValidate>
            <p className="muted">The first person who can sign in. They add the rest of the staff. Someone already on HealthTrack keeps their password.</p>
            <TextField label="Name" value={draft.adminName} onChange={(e) => set('adminName', e.target.value)} error={errors['admin.name']} autoComplete="off" required />
            <TextField label="Email" type="email" value={draft.adminEmail} onChange={(e) => set('adminEmail', e.target.value)} error={errors['admin.email']} autoComplete="off" required />
            <TextField
              label="Password"
              type="password"
              value={draft.adminPassword}
              onChange={(e) => set('adminPassword', e.target.value)}
              error={errors['admin.password']}
              hint="At least 10 characters; give it to them safely and ask them to change it"
              autoComplete="new-password"
              required
            />
            <WizardNav step={step} onBack={() => setStep(1)} />
          </form>
        ) : null}
        {step === 3 ? (
          <div>
            <ErrorBanner error={apiError} title="Could not onboard the practice" />
            <dl className="facts">
              <dt>Practice</dt>
              <dd>{draft.name.trim()} <Button variant="link" className="btn-small" onClick={() => setStep(0)} aria-label="Change the practice">Change</Button></dd>
              <dt>Short name</dt>
              <dd>{draft.slug}</dd>
              <dt>Data</dt>
              <dd>{draft.tier === 'schema' ? 'Dedicated schema' : 'Pooled'}</dd>
              <dt>Plan</dt>
              <dd>{planName} <Button variant="link" className="btn-small" onClick={() => setStep(1)} aria-label="Change the plan">Change</Button></dd>
              <dt>Administrator</dt>
              <dd>{draft.adminName.trim()}, {draft.adminEmail.trim()} <Button variant="link" className="btn-small" onClick={() => setStep(2)} aria-label="Change the administrator">Change</Button></dd>
            </dl>
            <div className="toolbar wizard-nav">
              <Button variant="secondary" onClick={() => setStep(2)}>Back</Button>
              <Button busy={busy} onClick={() => void submit()}>Create practice</Button>
            </div>
          </div>
        ) : null}
      </section>
    </>
  );
}

function WizardNav({ step, onBack }: { step: Step; onBack: () => void }) {
  return (
    <div className="toolbar wizard-nav">
      {step > 0 ? <Button variant="secondary" onClick={onBack}>Back</Button> : null}
      <Button type="submit">Next</Button>
    </div>
  );
}

function Choice({ name, checked, onChange, title, children }: { name: string; checked: boolean; onChange: () => void; title: string; children: ReactNode }) {
  return (
    <label className={`wizard-choice${checked ? ' chosen' : ''}`}>
      <input type="radio" name={name} checked={checked} onChange={onChange} />
      <span>
        <strong>{title}</strong>
        <span className="muted small wizard-choice-text">{children}</span>
      </span>
    </label>
  );
}
