/** The Invoices tab: the patient's invoices and credit notes, newest first, each opening in Billing. */
import { Link } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatMoney } from '../../ui/format.ts';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../ui/kit.tsx';

interface Invoice {
  readonly id: string;
  readonly number: string | null;
  readonly status: string;
  readonly kind: string;
  readonly currency: string;
  readonly issueDate: string | null;
  readonly total: number | null;
  readonly createdAt: string;
}

const STATUS: Record<string, { label: string; tone: 'neutral' | 'good' | 'warn' | 'bad' | 'info' }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  issued: { label: 'Issued', tone: 'info' },
  partially_paid: { label: 'Partly paid', tone: 'warn' },
  paid: { label: 'Paid', tone: 'good' },
  void: { label: 'Void', tone: 'bad' },
};

const LIMIT = 200;

export function PatientInvoices({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const list = useLoad((signal) => api.get<{ items: Invoice[] }>('/api/invoices', { patientId, limit: LIMIT }, signal), [api, patientId]);

  return (
    <section aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      <ErrorBanner error={list.error} title="The invoices could not be loaded" />
      {list.loading && !list.data ? (
        <Loading label="Loading invoices…" />
      ) : list.data && list.data.items.length === 0 ? (
        <EmptyState title="No invoices for this patient yet">Invoices made in Billing, or from a completed appointment, appear here.</EmptyState>
      ) : list.data ? (
        <>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Invoices and credit notes</caption>
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Issued</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Total</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((inv) => {
                  const s = STATUS[inv.status] ?? { label: inv.status, tone: 'neutral' as const };
                  return (
                    <tr key={inv.id}>
                      <td className="nowrap"><Link to={`/billing/invoices/${inv.id}`}>{inv.number ?? `Draft of ${formatDate(inv.createdAt)}`}</Link></td>
                      <td>{inv.kind === 'credit_note' ? 'Credit note' : 'Invoice'}</td>
                      <td className="nowrap">{inv.issueDate ? formatDate(inv.issueDate) : <span className="muted">Not issued</span>}</td>
                      <td><Badge tone={s.tone}>{s.label}</Badge></td>
                      <td className="num nowrap">{inv.total === null ? <span className="muted">—</span> : formatMoney(inv.total, inv.currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {list.data.items.length >= LIMIT ? <p className="muted small">The {LIMIT} newest are shown; older ones are in Billing.</p> : null}
        </>
      ) : null}
    </section>
  );
}
