/** Tax jurisdictions in order (a compound tax includes those before it), each with dated rates and exempt categories. */
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, EmptyState, ErrorBanner, Loading, TextField, useToast } from '../../ui/kit.tsx';
import { fieldErrorMap } from '../../ui/field-errors.ts';
import { todayIn } from '../../ui/format.ts';

interface Rate { ratePercent: string; effectiveFrom: string; effectiveTo?: string }
interface Jurisdiction { code: string; name: string; rates: Rate[]; exemptCategories: string[]; compound?: boolean }

export function TaxPanel() {
  const { api } = useSession();
  const loaded = useLoad((signal) => api.get<{ jurisdictions: Jurisdiction[] }>('/api/tax/jurisdictions', undefined, signal), []);
  if (loaded.error) return <ErrorBanner error={loaded.error} title="The tax configuration could not be loaded" />;
  if (!loaded.data) return <Loading />;
  return <TaxEditor initial={loaded.data.jurisdictions} onSaved={loaded.reload} />;
}

function TaxEditor({ initial, onSaved }: { initial: Jurisdiction[]; onSaved: () => void }) {
  const { api, can } = useSession();
  const toast = useToast();
  const [list, setList] = useState<Jurisdiction[]>(() => structuredClone(initial));
  // Exempt categories are typed as a comma-separated list; kept as text while editing.
  const [exempt, setExempt] = useState<string[]>(() => initial.map((j) => j.exemptCategories.join(', ')));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrorMap(error);
  const set = (i: number, j: Jurisdiction) => setList(list.map((x, k) => (k === i ? j : x)));
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const jurisdictions = list.map((j, i) => ({
        code: j.code.trim(),
        name: j.name.trim(),
        ...(j.compound ? { compound: true } : {}),
        exemptCategories: (exempt[i] ?? '').split(',').map((c) => c.trim()).filter(Boolean),
        rates: j.rates.map((r) => ({ ratePercent: r.ratePercent.trim(), effectiveFrom: r.effectiveFrom, ...(r.effectiveTo ? { effectiveTo: r.effectiveTo } : {}) })),
      }));
      await api.put('/api/tax/jurisdictions', { jurisdictions });
      toast('Tax configuration saved');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const manage = can('settings:manage');
  const unplaced = error instanceof ApiError ? error.errors.filter((e) => !/^jurisdictions\.\d+\./.test(fieldErrorKey(e.field))) : [];
  return (
    <form onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate aria-labelledby="tax-title">
      <h2 id="tax-title">Tax jurisdictions</h2>
      <p className="muted small">Listed in order: a compound tax is charged on the amount plus the taxes above it. Rates are percentages with up to 5 decimals.</p>
      {error && (!(error instanceof ApiError) || error.errors.length === 0 || unplaced.length > 0) ? <ErrorBanner error={error} title="The tax configuration was not saved" /> : null}
      {list.length === 0 ? <EmptyState title="No taxes configured">Add a jurisdiction for each tax you charge (for example a state sales tax). Without one, invoices carry no tax.</EmptyState> : null}
      {list.map((j, i) => {
        const at = `jurisdictions.${i}`;
        return (
          <fieldset key={i} className="card">
            <legend>Jurisdiction {i + 1}{j.name ? `: ${j.name}` : ''}</legend>
            <div className="row">
              <TextField label="Code" hint="Stable key, e.g. US-NY" value={j.code} error={errs.get(`${at}.code`)} onChange={(e) => set(i, { ...j, code: e.target.value })} />
              <TextField label="Name" hint="Printed on invoices" value={j.name} error={errs.get(`${at}.name`)} onChange={(e) => set(i, { ...j, name: e.target.value })} />
            </div>
            <TextField label="Exempt categories" hint="Comma-separated price item categories this tax does not apply to, e.g. medical_service" value={exempt[i] ?? ''} error={errs.get(`${at}.exemptCategories`)} onChange={(e) => setExempt(exempt.map((x, k) => (k === i ? e.target.value : x)))} />
            <Checkbox label="Compound (tax on the taxes listed before it)" checked={!!j.compound} onChange={(e) => set(i, { ...j, compound: e.target.checked })} />
            {errs.get(`${at}.rates`) ? <div className="field-error" role="alert">{errs.get(`${at}.rates`)}</div> : null}
            {j.rates.map((r, ri) => {
              const rp = `${at}.rates.${ri}`;
              const setRate = (next: Rate) => set(i, { ...j, rates: j.rates.map((x, k) => (k === ri ? next : x)) });
              return (
                <div className="row" key={ri}>
                  <TextField label={`Rate ${ri + 1} (%)`} inputMode="decimal" value={r.ratePercent} error={errs.get(`${rp}.ratePercent`)} onChange={(e) => setRate({ ...r, ratePercent: e.target.value })} />
                  <TextField label={`Rate ${ri + 1} from`} type="date" value={r.effectiveFrom} error={errs.get(`${rp}.effectiveFrom`)} onChange={(e) => setRate({ ...r, effectiveFrom: e.target.value })} />
                  <TextField label={`Rate ${ri + 1} until (optional)`} type="date" value={r.effectiveTo ?? ''} error={errs.get(`${rp}.effectiveTo`)} onChange={(e) => setRate({ ...r, ...(e.target.value ? { effectiveTo: e.target.value } : { effectiveTo: undefined }) })} />
                  <Button variant="secondary" className="btn-small" disabled={j.rates.length <= 1} onClick={() => set(i, { ...j, rates: j.rates.filter((_, k) => k !== ri) })} aria-label={`Remove rate ${ri + 1} of jurisdiction ${i + 1}`}>Remove</Button>
                </div>
              );
            })}
            <div className="toolbar">
              <Button variant="secondary" className="btn-small" onClick={() => set(i, { ...j, rates: [...j.rates, { ratePercent: '', effectiveFrom: todayIn() }] })}>Add a rate to jurisdiction {i + 1}</Button>
              <Button variant="danger" className="btn-small" onClick={() => { setList(list.filter((_, k) => k !== i)); setExempt(exempt.filter((_, k) => k !== i)); }}>Remove jurisdiction {i + 1}</Button>
            </div>
          </fieldset>
        );
      })}
      {manage ? (
        <div className="toolbar">
          <Button variant="secondary" onClick={() => { setList([...list, { code: '', name: '', rates: [{ ratePercent: '', effectiveFrom: todayIn() }], exemptCategories: [] }]); setExempt([...exempt, '']); }}>Add a jurisdiction</Button>
          <Button type="submit" busy={busy}>Save taxes</Button>
        </div>
      ) : null}
    </form>
  );
}

const fieldErrorKey = (f: string) => f.replace(/\[(\d+)\]/g, '.$1');
