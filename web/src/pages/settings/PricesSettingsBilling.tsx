/** Billing settings: currency, tax-inclusive prices, rounding, invoice numbering, tax ids and auto-invoicing. */
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, ErrorBanner, Loading, SelectField, TextField, useToast } from '../../ui/kit.tsx';
import { fieldErrorMap } from '../../ui/field-errors.ts';

interface BillingSettings {
  currency: string;
  pricesIncludeTax: boolean;
  roundingMode: 'half_up' | 'half_even';
  roundingLevel: 'line' | 'invoice';
  invoiceNumberFormat: string;
  taxIds: { label: string; value: string }[];
  autoInvoice: 'off' | 'draft' | 'issue';
  updatedAt?: string | null;
}

export function BillingSettingsPanel() {
  const { api } = useSession();
  const loaded = useLoad((signal) => api.get<BillingSettings>('/api/billing/settings', undefined, signal), []);
  if (loaded.error) return <ErrorBanner error={loaded.error} title="The billing settings could not be loaded" />;
  if (!loaded.data) return <Loading />;
  return <BillingForm key={loaded.data.updatedAt ?? 'default'} initial={loaded.data} onSaved={loaded.reload} />;
}

function BillingForm({ initial, onSaved }: { initial: BillingSettings; onSaved: () => void }) {
  const { api, can } = useSession();
  const toast = useToast();
  const [s, setS] = useState<BillingSettings>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errs = fieldErrorMap(error);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const { updatedAt: _u, ...body } = s;
      await api.put('/api/billing/settings', { ...body, currency: body.currency.trim().toUpperCase() });
      toast('Billing settings saved');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const plain = error instanceof ApiError && error.errors.length > 0 ? null : error;
  return (
    <form className="card" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate aria-labelledby="billing-title">
      <h2 id="billing-title">Billing settings</h2>
      {initial.updatedAt ? null : <p className="muted small">These are the defaults; save to make them yours.</p>}
      <ErrorBanner error={plain} title="The settings were not saved" />
      <div className="row">
        <TextField label="Currency" hint="ISO 4217 code, e.g. USD, EUR" value={s.currency} maxLength={3} error={errs.get('currency')} onChange={(e) => setS({ ...s, currency: e.target.value })} />
        <TextField label="Invoice number format" hint="{YYYY} the year, {SEQ} or {SEQ:5} the sequence (required)" value={s.invoiceNumberFormat} error={errs.get('invoiceNumberFormat')} onChange={(e) => setS({ ...s, invoiceNumberFormat: e.target.value })} />
      </div>
      <div className="row">
        <SelectField label="Rounding" value={s.roundingMode} onChange={(e) => setS({ ...s, roundingMode: e.target.value as BillingSettings['roundingMode'] })}>
          <option value="half_up">Half up (0.5 rounds up)</option>
          <option value="half_even">Half even (banker's rounding)</option>
        </SelectField>
        <SelectField label="Round tax per" value={s.roundingLevel} onChange={(e) => setS({ ...s, roundingLevel: e.target.value as BillingSettings['roundingLevel'] })}>
          <option value="line">Line</option>
          <option value="invoice">Invoice</option>
        </SelectField>
        <SelectField label="When an appointment is completed" value={s.autoInvoice} onChange={(e) => setS({ ...s, autoInvoice: e.target.value as BillingSettings['autoInvoice'] })}>
          <option value="off">Do nothing</option>
          <option value="draft">Create a draft invoice</option>
          <option value="issue">Create and issue the invoice</option>
        </SelectField>
      </div>
      <Checkbox label="Prices include tax" checked={s.pricesIncludeTax} onChange={(e) => setS({ ...s, pricesIncludeTax: e.target.checked })} />
      <fieldset>
        <legend>Tax ids printed on invoices</legend>
        {s.taxIds.length === 0 ? <p className="muted small">None.</p> : null}
        {s.taxIds.map((t, i) => (
          <div className="row" key={i}>
            <TextField label={`Tax id ${i + 1} label`} hint={i === 0 ? 'e.g. EIN, VAT' : undefined} value={t.label} error={errs.get(`taxIds.${i}.label`)} onChange={(e) => setS({ ...s, taxIds: s.taxIds.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)) })} />
            <TextField label={`Tax id ${i + 1} value`} value={t.value} error={errs.get(`taxIds.${i}.value`)} onChange={(e) => setS({ ...s, taxIds: s.taxIds.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })} />
            <Button variant="secondary" className="btn-small" onClick={() => setS({ ...s, taxIds: s.taxIds.filter((_, j) => j !== i) })} aria-label={`Remove tax id ${i + 1}`}>Remove</Button>
          </div>
        ))}
        <Button variant="secondary" className="btn-small" disabled={s.taxIds.length >= 10} onClick={() => setS({ ...s, taxIds: [...s.taxIds, { label: '', value: '' }] })}>Add a tax id</Button>
      </fieldset>
      {can('settings:manage') ? <Button type="submit" busy={busy}>Save billing settings</Button> : null}
    </form>
  );
}
