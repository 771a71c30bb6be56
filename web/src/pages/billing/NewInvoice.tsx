/**
 * /billing/invoices/new: a draft invoice for one patient, with lines from the price list (or typed
 * in), quantities and an optional percent discount per line. Saving creates the draft and opens it;
 * issuing is a separate step on the invoice, so a draft can be checked first.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatMoney, parseMoney, todayIn } from '../../ui/format.ts';
import { Button, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../../ui/kit.tsx';
import { PatientPicker } from './patients.tsx';
import type { Invoice, PriceItem } from './types.ts';

interface LineDraft {
  readonly key: number;
  priceItemId: string; // '' for a typed-in line
  description: string;
  unitPrice: string;
  category: string;
  quantity: string;
  discountPercent: string;
  discountReason: string;
}

let nextKey = 1;
const emptyLine = (): LineDraft => ({ key: nextKey++, priceItemId: '', description: '', unitPrice: '', category: 'medical_service', quantity: '1', discountPercent: '', discountReason: '' });

export function NewInvoice() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [patientId, setPatientId] = useState(params.get('patient') ?? '');
  const [lines, setLines] = useState<LineDraft[]>(() => [emptyLine()]);
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const setup = useLoad(
    async (signal) => {
      const settings = await api.get<{ currency: string }>('/api/billing/settings', undefined, signal);
      const items = await api.get<{ items: PriceItem[] }>('/api/price-items', { active: true, asOf: todayIn() }, signal);
      return { currency: settings.currency, items: items.items };
    },
    [api],
  );

  if (!can('billing:write')) return <EmptyState title="Creating invoices is not available to you">It needs the billing write permission.</EmptyState>;
  if (setup.loading && !setup.data) return <Loading label="Loading the price list…" />;
  if (!setup.data) return <ErrorBanner error={setup.error} title="The price list could not be loaded" />;
  const { currency, items } = setup.data;

  const api400 = error instanceof ApiError ? error : null;
  const fieldError = (path: string) => localErrors[path] ?? api400?.fieldError(path);
  const update = (key: number, patch: Partial<LineDraft>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));

  async function save(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!patientId) local.patientId = 'Choose the patient to bill';
    const body = lines.map((l, i) => {
      const discounts = l.discountPercent.trim() ? [{ kind: 'percent' as const, value: l.discountPercent.trim(), reason: l.discountReason.trim() }] : undefined;
      if (discounts && !l.discountReason.trim()) local[`lines[${i}].discounts[0].reason`] = 'Say why the discount is given';
      if (l.priceItemId) return { priceItemId: l.priceItemId, quantity: l.quantity.trim(), ...(discounts ? { discounts } : {}) };
      const price = parseMoney(l.unitPrice, currency);
      if (price === null) local[`lines[${i}].unitPrice`] = `Enter an amount such as 12.50`;
      return { description: l.description.trim(), category: l.category.trim(), unitPrice: Number(price ?? 0), quantity: l.quantity.trim(), ...(discounts ? { discounts } : {}) };
    });
    setLocalErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const created = await api.post<Invoice>('/api/invoices', { patientId, lines: body });
      navigate(`/billing/invoices/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="New invoice" subtitle="Saved as a draft: check it, then issue it from the invoice page." />
      {items.length === 0 ? (
        <div className="banner banner-info">
          <strong>The price list is empty.</strong>
          <p>Type the lines in below, or add services and products in <Link to="/settings/prices">Settings → Prices</Link>.</p>
        </div>
      ) : null}
      <form onSubmit={save} noValidate className="stack">
        <div className="card">
          <PatientPicker label="Patient" value={patientId} onChange={setPatientId} error={fieldError('patientId')} />
        </div>
        {lines.map((l, i) => {
          const item = items.find((it) => it.id === l.priceItemId);
          return (
            <fieldset key={l.key} className="billing-line">
              <legend>Line {i + 1}</legend>
              <div className="row">
                <SelectField label="Item" value={l.priceItemId} onChange={(e) => update(l.key, { priceItemId: e.target.value })} error={fieldError(`lines[${i}].priceItemId`)}>
                  <option value="">Type in a line</option>
                  {items.map((it) => (
                    <option key={it.id} value={it.id}>
                      {it.code} · {it.description}{it.price ? ` · ${formatMoney(it.price.unitPrice, it.price.currency)}` : ' · no price today'}
                    </option>
                  ))}
                </SelectField>
                <TextField label="Quantity" inputMode="decimal" value={l.quantity} onChange={(e) => update(l.key, { quantity: e.target.value })} error={fieldError(`lines[${i}].quantity`)} />
              </div>
              {!item ? (
                <div className="row">
                  <TextField label="Description" value={l.description} onChange={(e) => update(l.key, { description: e.target.value })} error={fieldError(`lines[${i}].description`)} />
                  <TextField label={`Unit price (${currency})`} inputMode="decimal" value={l.unitPrice} onChange={(e) => update(l.key, { unitPrice: e.target.value })} error={fieldError(`lines[${i}].unitPrice`)} />
                  <TextField label="Tax category" value={l.category} onChange={(e) => update(l.key, { category: e.target.value })} error={fieldError(`lines[${i}].category`)} hint="e.g. medical_service, retail_product" />
                </div>
              ) : null}
              <div className="row">
                <TextField label="Discount (%)" inputMode="decimal" value={l.discountPercent} onChange={(e) => update(l.key, { discountPercent: e.target.value })} error={fieldError(`lines[${i}].discounts[0].value`)} />
                <TextField label="Discount reason" value={l.discountReason} onChange={(e) => update(l.key, { discountReason: e.target.value })} error={fieldError(`lines[${i}].discounts[0].reason`)} />
              </div>
              {lines.length > 1 ? (
                <Button variant="link" onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}>Remove line {i + 1}</Button>
              ) : null}
            </fieldset>
          );
        })}
        <div className="toolbar">
          <Button variant="secondary" onClick={() => setLines((ls) => [...ls, emptyLine()])}>Add a line</Button>
        </div>
        <ErrorBanner error={error} title="The draft could not be saved" />
        <div className="toolbar">
          <Button type="submit" busy={busy}>Save draft</Button>
          <Link className="btn btn-secondary" to="/billing">Cancel</Link>
        </div>
      </form>
    </>
  );
}
