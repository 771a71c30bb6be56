/**
 * /billing: invoices and credit notes, newest first, filtered by status and patient (the filters the
 * API has; they live in the address so a shared link keeps them). Each row shows what is still owed,
 * which the list itself carries; drafts, void invoices and credit notes show no balance.
 */
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatMoney } from '../../ui/format.ts';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader, SelectField } from '../../ui/kit.tsx';
import { PatientPicker, usePatientNames } from './patients.tsx';
import { invoiceTitle, patientName, STATUS_LABELS, STATUS_TONES, type InvoiceListItem, type InvoiceStatus } from './types.ts';

const LIMIT = 100;

/** What is owed on a row: the list carries it (null for drafts, void invoices and credit notes). */
function balanceOf(inv: InvoiceListItem): number | null {
  return inv.balanceDue;
}

export function InvoiceList() {
  const { api, can } = useSession();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as InvoiceStatus | '';
  const patientId = params.get('patient') ?? '';
  const list = useLoad(
    (signal) => api.get<{ items: InvoiceListItem[] }>('/api/invoices', { status: status || undefined, patientId: patientId || undefined, limit: LIMIT }, signal),
    [api, status, patientId],
  );
  const items = list.data?.items ?? [];
  const names = usePatientNames(items.map((i) => i.patientId));

  const setParam = (name: string, value: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });

  const filtered = status !== '' || patientId !== '';
  const canWrite = can('billing:write');

  return (
    <>
      <PageHeader title="Invoices" subtitle="Invoices and credit notes, newest first.">
        {canWrite ? <Link className="btn btn-primary" to="/billing/invoices/new">New invoice</Link> : null}
      </PageHeader>

      <div role="search" aria-label="Filter invoices" className="toolbar billing-filters">
        <SelectField label="Status" value={status} onChange={(e) => setParam('status', e.target.value)}>
          <option value="">Any status</option>
          {(Object.keys(STATUS_LABELS) as InvoiceStatus[]).map((s) => (
            <option key={s} value={s}>{STATUS_LABELS[s]}</option>
          ))}
        </SelectField>
        <PatientPicker label="Patient" value={patientId} onChange={(id) => setParam('patient', id)} allowAny="Any patient" />
      </div>

      <ErrorBanner error={list.error} title="The invoices could not be loaded" />

      {list.loading && !list.data ? (
        <Loading label="Loading invoices…" />
      ) : list.data && items.length === 0 ? (
        filtered ? (
          <EmptyState title="No invoice matches these filters">Choose “Any status” or “Any patient” to see more.</EmptyState>
        ) : (
          <EmptyState
            title="No invoices yet"
            action={canWrite ? <Link className="btn btn-primary" to="/billing/invoices/new">Create the first invoice</Link> : undefined}
          >
            Create an invoice from the price list, or complete a visit in the Calendar to bill it.
          </EmptyState>
        )
      ) : list.data ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Invoices</caption>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Patient</th>
                <th scope="col">Issued</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Total</th>
                <th scope="col" className="num">Balance</th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => {
                const total = inv.total ?? inv.document?.total ?? null;
                const balance = balanceOf(inv);
                return (
                  <tr key={inv.id}>
                    <td><Link to={`/billing/invoices/${inv.id}`}>{invoiceTitle(inv)}</Link></td>
                    <td>{names.has(inv.patientId) ? patientName(names.get(inv.patientId)) : <span className="muted">…</span>}</td>
                    <td className="nowrap">{inv.issueDate ? formatDate(inv.issueDate) : <span className="muted">Not issued</span>}</td>
                    <td><Badge tone={STATUS_TONES[inv.status]}>{STATUS_LABELS[inv.status]}</Badge></td>
                    <td className="num nowrap">{total !== null ? formatMoney(total, inv.currency) : '—'}</td>
                    <td className="num nowrap">{balance !== null ? formatMoney(balance, inv.currency) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {items.length === LIMIT ? <p className="muted small">Showing the newest {LIMIT}; filter by status or patient to find older ones.</p> : null}
    </>
  );
}
