/** The price list: items (services and products), their price in force today, and every dated price of one. */
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorBanner, Loading, SelectField, TextField, useToast } from '../../ui/kit.tsx';
import { formatDate, formatMoney, parseMoney, todayIn } from '../../ui/format.ts';

interface PriceItem {
  readonly id: string;
  readonly code: string;
  readonly description: string;
  readonly category: string;
  readonly kind: 'service' | 'product';
  readonly active: boolean;
  readonly price?: { unitPrice: number; currency: string; effectiveFrom: string } | null;
}

interface PriceVersion {
  readonly id: string;
  readonly priceLevel: string;
  readonly unitPrice: number;
  readonly currency: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
}

interface PriceItemDetail extends PriceItem {
  readonly versions: readonly PriceVersion[];
}

export function useCurrency(): string {
  const { api } = useSession();
  const settings = useLoad((signal) => api.get<{ currency: string }>('/api/billing/settings', undefined, signal), []);
  return settings.data?.currency ?? 'USD';
}

export function PriceItemsPanel() {
  const { api, can } = useSession();
  const currency = useCurrency();
  const today = todayIn();
  const list = useLoad((signal) => api.get<{ items: PriceItem[] }>('/api/price-items', { asOf: today }, signal), [today]);
  const [open, setOpen] = useState<string | null>(null);
  const manage = can('settings:manage');
  return (
    <>
      {manage ? <NewItemForm currency={currency} onCreated={list.reload} /> : null}
      <h2>Price list</h2>
      {list.error ? (
        <ErrorBanner error={list.error} title="The price list could not be loaded" />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : list.data && list.data.items.length === 0 ? (
        <EmptyState title="No price items yet">Add the services and products you charge for above; each gets a price from a date.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr><th scope="col">Code</th><th scope="col">Description</th><th scope="col">Tax category</th><th scope="col">Kind</th><th scope="col" className="num">Price today</th><th scope="col">Status</th></tr>
            </thead>
            <tbody>
              {list.data?.items.map((item) => (
                <tr key={item.id}>
                  <td><Button variant="link" onClick={() => setOpen(item.id)} aria-label={`${item.code}: open prices and details`}>{item.code}</Button></td>
                  <td>{item.description}</td>
                  <td><code>{item.category}</code></td>
                  <td>{item.kind === 'service' ? 'Service' : 'Product'}</td>
                  <td className="num">{item.price ? formatMoney(item.price.unitPrice, item.price.currency) : <span className="muted">No price</span>}</td>
                  <td>{item.active ? <Badge tone="good">Active</Badge> : <Badge>Inactive</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open ? <ItemDialog id={open} currency={currency} manage={manage} onClose={() => { setOpen(null); list.reload(); }} /> : null}
    </>
  );
}

function NewItemForm({ currency, onCreated }: { currency: string; onCreated: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const blank = { code: '', description: '', category: 'medical_service', kind: 'service' as 'service' | 'product', amount: '', from: todayIn() };
  const [f, setF] = useState(blank);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const amount = f.amount.trim() ? parseMoney(f.amount, currency) : null;
  const amountError = f.amount.trim() && amount === null ? `Enter an amount such as 120.00 (${currency})` : undefined;
  const apiErr = error instanceof ApiError ? error : null;
  const create = async () => {
    if (amountError) return;
    setBusy(true);
    setError(null);
    try {
      const item = await api.post<PriceItem>('/api/price-items', { code: f.code.trim(), description: f.description.trim(), category: f.category.trim(), kind: f.kind });
      if (amount !== null) {
        try {
          await api.post(`/api/price-items/${item.id}/prices`, { unitPrice: Number(amount), effectiveFrom: f.from });
        } catch (err) {
          setError(err);
          toast(`${item.code} was created, but its price was not saved`, 'bad');
          onCreated();
          return;
        }
      }
      toast(`${item.code} added to the price list`);
      setF(blank);
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" aria-labelledby="new-item-title" onSubmit={(e) => { e.preventDefault(); void create(); }} noValidate>
      <h2 id="new-item-title">New price item</h2>
      {apiErr && apiErr.errors.length === 0 ? <ErrorBanner error={error} title="The item was not added" /> : null}
      {error && !apiErr ? <ErrorBanner error={error} /> : null}
      <div className="row">
        <TextField label="Code" hint="e.g. 99213 or SUPP-D3" value={f.code} error={apiErr?.fieldError('code') ?? (apiErr?.code === 'already_exists' ? apiErr.detail : undefined)} onChange={(e) => setF({ ...f, code: e.target.value })} required />
        <TextField label="Description" value={f.description} error={apiErr?.fieldError('description')} onChange={(e) => setF({ ...f, description: e.target.value })} required />
      </div>
      <div className="row">
        <TextField label="Tax category" hint="Lower-case key taxes can exempt, e.g. medical_service" value={f.category} error={apiErr?.fieldError('category')} onChange={(e) => setF({ ...f, category: e.target.value })} />
        <SelectField label="Kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as 'service' | 'product' })}>
          <option value="service">Service</option>
          <option value="product">Product</option>
        </SelectField>
        <TextField label={`First price (${currency}, optional)`} inputMode="decimal" value={f.amount} error={amountError ?? apiErr?.fieldError('unitPrice')} onChange={(e) => setF({ ...f, amount: e.target.value })} />
        <TextField label="Price from" type="date" value={f.from} error={apiErr?.fieldError('effectiveFrom')} onChange={(e) => setF({ ...f, from: e.target.value })} />
      </div>
      <Button type="submit" busy={busy}>Add price item</Button>
    </form>
  );
}

function ItemDialog({ id, currency, manage, onClose }: { id: string; currency: string; manage: boolean; onClose: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const item = useLoad((signal) => api.get<PriceItemDetail>(`/api/price-items/${id}`, undefined, signal), [id]);
  const [edit, setEdit] = useState<{ description: string; category: string; active: boolean } | null>(null);
  const [price, setPrice] = useState({ level: 'standard', amount: '', from: todayIn() });
  const [error, setError] = useState<unknown>(null);
  const [priceError, setPriceError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const d = item.data;
  const e = edit ?? (d ? { description: d.description, category: d.category, active: d.active } : null);
  const apiErr = error instanceof ApiError ? error : null;
  const pErr = priceError instanceof ApiError ? priceError : null;
  const minor = price.amount.trim() ? parseMoney(price.amount, currency) : null;
  const save = async () => {
    if (!e) return;
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/price-items/${id}`, e);
      toast('Price item saved');
      setEdit(null);
      item.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const addPrice = async () => {
    if (minor === null) {
      setPriceError(new ApiError(400, 'validation_failed', 'Enter an amount', [{ field: 'unitPrice', message: `Enter an amount such as 120.00 (${currency})` }]));
      return;
    }
    setBusy(true);
    setPriceError(null);
    try {
      await api.post(`/api/price-items/${id}/prices`, { priceLevel: price.level.trim() || 'standard', unitPrice: Number(minor), effectiveFrom: price.from });
      toast('Price added');
      setPrice({ ...price, amount: '' });
      item.reload();
    } catch (err) {
      setPriceError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={d ? `${d.code}: ${d.description}` : 'Price item'} onClose={onClose}>
      {item.error ? <ErrorBanner error={item.error} /> : !d || !e ? <Loading /> : (
        <>
          {manage ? (
            <form onSubmit={(ev) => { ev.preventDefault(); void save(); }} noValidate>
              {error && apiErr?.errors.length === 0 ? <ErrorBanner error={error} /> : null}
              <TextField label="Description" value={e.description} error={apiErr?.fieldError('description')} onChange={(x) => setEdit({ ...e, description: x.target.value })} />
              <TextField label="Tax category" value={e.category} error={apiErr?.fieldError('category')} onChange={(x) => setEdit({ ...e, category: x.target.value })} />
              <Checkbox label="Active (can be put on invoices)" checked={e.active} onChange={(x) => setEdit({ ...e, active: x.target.checked })} />
              <Button type="submit" busy={busy} disabled={!edit}>Save details</Button>
            </form>
          ) : null}
          <h3>Prices</h3>
          {d.versions.length === 0 ? <p className="muted">No price yet.</p> : (
            <div className="table-wrap">
              <table className="data">
                <thead><tr><th scope="col">Level</th><th scope="col" className="num">Price</th><th scope="col">From</th><th scope="col">Until</th></tr></thead>
                <tbody>
                  {d.versions.map((v) => (
                    <tr key={v.id}>
                      <td>{v.priceLevel}</td>
                      <td className="num">{formatMoney(v.unitPrice, v.currency)}</td>
                      <td>{formatDate(v.effectiveFrom)}</td>
                      <td>{v.effectiveTo ? formatDate(v.effectiveTo) : 'open-ended'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {manage ? (
            <form className="card" onSubmit={(ev) => { ev.preventDefault(); void addPrice(); }} noValidate aria-labelledby="add-price-title">
              <h4 id="add-price-title">Add a price from a date</h4>
              <p className="muted small">The current price of the same level ends the day before.</p>
              {priceError && pErr?.errors.length === 0 ? <ErrorBanner error={priceError} /> : null}
              <div className="row">
                <TextField label="Price level" value={price.level} error={pErr?.fieldError('priceLevel')} onChange={(x) => setPrice({ ...price, level: x.target.value })} />
                <TextField label={`Amount (${currency})`} inputMode="decimal" value={price.amount} error={pErr?.fieldError('unitPrice')} onChange={(x) => setPrice({ ...price, amount: x.target.value })} />
                <TextField label="From" type="date" value={price.from} error={pErr?.fieldError('effectiveFrom')} onChange={(x) => setPrice({ ...price, from: x.target.value })} />
              </div>
              <Button type="submit" busy={busy}>Add price</Button>
            </form>
          ) : null}
        </>
      )}
    </Dialog>
  );
}
