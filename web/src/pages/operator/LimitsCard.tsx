/**
 * A practice's request limits (GET/PUT /platform/tenants/{slug}/limits): what is in force and where
 * each value comes from, and a form whose empty fields follow the plan (README "Noisy-neighbour
 * protection").
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { Button, ErrorBanner, Loading, TextField, useToast } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { useOperator } from './operator-session.tsx';

interface LimitValues {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly maxConcurrentRequests: number;
}

interface LimitsView {
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly plan: { readonly key: string; readonly limits: LimitValues };
  readonly overrides: Partial<LimitValues>;
  readonly effective: LimitValues;
}

type Field = keyof LimitValues;
type Draft = Readonly<Record<Field, string>>;

const FIELDS: readonly { readonly field: Field; readonly label: string; readonly unit: string }[] = [
  { field: 'requestsPerMinute', label: 'Requests per minute', unit: 'sustained rate' },
  { field: 'burst', label: 'Burst', unit: 'requests at once above the rate' },
  { field: 'maxConcurrentRequests', label: 'Concurrent requests', unit: 'in progress at the same time' },
];

const number = (n: number) => n.toLocaleString('en');

function draftOf(view: LimitsView): Draft {
  const v = (f: Field) => (view.overrides[f] === undefined ? '' : String(view.overrides[f]));
  return { requestsPerMinute: v('requestsPerMinute'), burst: v('burst'), maxConcurrentRequests: v('maxConcurrentRequests') };
}

/** Empty follows the plan (null); digits are sent as a number; anything else as typed, for the API to name the field. */
function bodyOf(draft: Draft): Record<Field, number | string | null> {
  const value = (text: string) => (text.trim() === '' ? null : /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());
  return { requestsPerMinute: value(draft.requestsPerMinute), burst: value(draft.burst), maxConcurrentRequests: value(draft.maxConcurrentRequests) };
}

export function LimitsCard({ slug, planKey }: { slug: string; planKey: string | undefined }) {
  const { api } = useOperator();
  const toast = useToast();
  const url = `/platform/tenants/${encodeURIComponent(slug)}/limits`;
  // Reloaded when the plan changes: the plan's limits come with it.
  const loaded = useLoad((signal) => api.get<LimitsView>(url, undefined, signal), [api, url, planKey]);
  // The PUT's answer, shown until the next load (e.g. after a plan change) replaces what it was based on.
  const [saved, setSaved] = useState<{ view: LimitsView; basis: LimitsView | undefined } | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState<'save' | 'clear' | null>(null);
  const [error, setError] = useState<unknown>(null);

  const view = saved && saved.basis === loaded.data ? saved.view : loaded.data;
  if (!view) {
    return (
      <section className="card" aria-labelledby="limits-h">
        <h2 id="limits-h">Request limits</h2>
        {loaded.loading ? <Loading label="Loading request limits…" /> : <ErrorBanner error={loaded.error} title="Could not load the request limits" />}
      </section>
    );
  }
  const values = draft ?? draftOf(view);
  const hasOverrides = Object.keys(view.overrides).length > 0;

  async function put(body: Record<string, unknown>, kind: 'save' | 'clear') {
    setBusy(kind);
    setError(null);
    try {
      const next = await api.put<LimitsView>(url, body);
      setSaved({ view: next, basis: loaded.data });
      setDraft(null);
      toast(kind === 'clear' || Object.keys(next.overrides).length === 0 ? 'Overrides cleared: the plan’s limits apply' : 'Request limits saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const save = (e: FormEvent) => {
    e.preventDefault();
    void put(bodyOf(values), 'save');
  };
  const fieldErrors = error instanceof ApiError ? FIELDS.map((f) => error.fieldError(f.field)).filter(Boolean) : [];

  return (
    <section className="card" aria-labelledby="limits-h">
      <h2 id="limits-h">Request limits</h2>
      <p className="muted small">Counted per practice on every staff and public request. An override replaces one value of the {view.plan.key} plan; an empty field follows the plan.</p>
      <div className="table-wrap">
        <table className="data operator-rows">
          <caption className="visually-hidden">Request limits in force</caption>
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col" className="num">In force</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {FIELDS.map(({ field, label, unit }) => {
              const overridden = view.overrides[field] !== undefined;
              return (
                <tr key={field}>
                  <th scope="row">
                    {label}
                    <div className="muted small">{unit}</div>
                  </th>
                  <td className="num">{number(view.effective[field])}</td>
                  <td>{overridden ? <>Override <span className="muted small">(plan: {number(view.plan.limits[field])})</span></> : `Plan (${view.plan.key})`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {error && fieldErrors.length === 0 ? <ErrorBanner error={error} title="Could not save the request limits" /> : null}
      <form className="row operator-limits-form" onSubmit={save} noValidate aria-label="Override request limits">
        {FIELDS.map(({ field, label }) => (
          <TextField
            key={field}
            label={`${label} override`}
            inputMode="numeric"
            autoComplete="off"
            value={values[field]}
            onChange={(e) => setDraft({ ...values, [field]: e.target.value })}
            hint={`Plan: ${number(view.plan.limits[field])}`}
            error={error instanceof ApiError ? error.fieldError(field) : undefined}
          />
        ))}
        <Button type="submit" busy={busy === 'save'}>Save limits</Button>
        <Button variant="secondary" busy={busy === 'clear'} disabled={!hasOverrides} onClick={() => void put({}, 'clear')}>Clear overrides</Button>
      </form>
    </section>
  );
}
