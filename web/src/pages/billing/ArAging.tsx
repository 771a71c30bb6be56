/**
 * /billing/ar-aging: what patients owe, by age of the invoice (0–30, 31–60, 61–90, over 90 days from
 * the issue date), as a bar chart and per patient; and the CSV exports of invoices and payments for
 * a period (for the accountant).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { addDays, currencyDigits, formatDate, formatMoney, todayIn } from '../../ui/format.ts';
import { Button, EmptyState, ErrorBanner, Loading, PageHeader, TextField } from '../../ui/kit.tsx';
import { ChartFigure } from '../../ui/chart-figure.tsx';

const BUCKETS = [
  { key: 'days0to30', label: '0–30 days' },
  { key: 'days31to60', label: '31–60 days' },
  { key: 'days61to90', label: '61–90 days' },
  { key: 'over90', label: 'Over 90 days' },
] as const;
type BucketKey = (typeof BUCKETS)[number]['key'];

interface AgingRow extends Record<BucketKey, number> {
  readonly patientId: string;
  readonly name: string;
  readonly mrn: string;
  readonly total: number;
  readonly invoiceCount: number;
  readonly oldestInvoiceDate: string;
}

interface Aging {
  readonly currency: string;
  readonly asOf: string;
  readonly buckets: Record<BucketKey, { amount: number; invoiceCount: number }>;
  readonly total: { amount: number; invoiceCount: number };
  readonly patientCount: number;
  readonly otherCurrencies: readonly string[];
  readonly items: readonly AgingRow[];
  readonly nextCursor: string | null;
}

/** Minor units as a plain number of major units, for plotting only (labels use formatMoney). */
const major = (minor: number, currency: string) => minor / 10 ** currencyDigits(currency);

export function ArAging() {
  const { api } = useSession();
  const aging = useLoad((signal) => api.get<Aging>('/api/billing/ar-aging', { limit: 200 }, signal), [api]);

  return (
    <>
      <PageHeader title="Accounts receivable aging" subtitle="Open balances by the age of the invoice, from its issue date." />
      <ErrorBanner error={aging.error} title="The aging could not be loaded" />
      {aging.loading && !aging.data ? <Loading label="Loading the aging…" /> : null}
      {aging.data ? <AgingReport aging={aging.data} /> : null}
      <CsvExports />
    </>
  );
}

function AgingReport({ aging }: { aging: Aging }) {
  const { currency } = aging;
  const money = (minor: number) => formatMoney(minor, currency);
  const data = BUCKETS.map((b) => ({ label: b.label, amount: major(aging.buckets[b.key].amount, currency), minor: aging.buckets[b.key].amount, count: aging.buckets[b.key].invoiceCount }));
  return (
    <>
      <p>
        As of {formatDate(aging.asOf)}: <strong>{money(aging.total.amount)}</strong> open on {aging.total.invoiceCount} invoice{aging.total.invoiceCount === 1 ? '' : 's'} of {aging.patientCount} patient{aging.patientCount === 1 ? '' : 's'}.
      </p>
      {aging.otherCurrencies.length ? <div className="banner banner-info">Balances in {aging.otherCurrencies.join(', ')} are not included here.</div> : null}
      {aging.total.invoiceCount === 0 ? (
        <EmptyState title="Nothing is owed" action={<Link className="btn btn-secondary" to="/billing">See invoices</Link>}>
          Every issued invoice is paid. Open balances appear here by age once invoices are issued and not yet paid.
        </EmptyState>
      ) : (
        <>
          <ChartFigure
            title="Open balances by age"
            description={`Amounts in ${currency}`}
            chart={
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" />
                  <YAxis width={70} />
                  <Tooltip formatter={(_v, _n, item) => money((item.payload as { minor: number }).minor)} />
                  <Bar dataKey="amount" name="Open balance" fill="var(--brand)" />
                </BarChart>
              </ResponsiveContainer>
            }
            table={
              <table className="data">
                <thead>
                  <tr><th scope="col">Age</th><th scope="col" className="num">Invoices</th><th scope="col" className="num">Open balance</th></tr>
                </thead>
                <tbody>
                  {data.map((d) => (
                    <tr key={d.label}><th scope="row">{d.label}</th><td className="num">{d.count}</td><td className="num nowrap">{money(d.minor)}</td></tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <section aria-labelledby="aging-patients-h" className="billing-aging-patients">
            <h2 id="aging-patients-h">By patient</h2>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Patient</th>
                    {BUCKETS.map((b) => <th key={b.key} scope="col" className="num">{b.label}</th>)}
                    <th scope="col" className="num">Total</th>
                    <th scope="col">Oldest invoice</th>
                  </tr>
                </thead>
                <tbody>
                  {aging.items.map((r) => (
                    <tr key={r.patientId}>
                      <td><Link to={`/billing?patient=${r.patientId}`}>{r.name}</Link> <span className="muted small">{r.mrn}</span></td>
                      {BUCKETS.map((b) => <td key={b.key} className="num nowrap">{r[b.key] ? money(r[b.key]) : '—'}</td>)}
                      <td className="num nowrap"><strong>{money(r.total)}</strong></td>
                      <td className="nowrap">{formatDate(r.oldestInvoiceDate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {aging.nextCursor ? <p className="muted small">Showing the {aging.items.length} largest balances.</p> : null}
          </section>
        </>
      )}
    </>
  );
}

function CsvExports() {
  const { api } = useSession();
  const today = todayIn();
  const [from, setFrom] = useState(addDays(today, -30));
  const [to, setTo] = useState(today);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function download(kind: 'invoices' | 'payments') {
    setBusy(kind);
    setError(null);
    try {
      await api.download(`/api/${kind}/export.csv`, `${kind}-${from}-${to}.csv`, { from, to });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }
  return (
    <section aria-labelledby="exports-h" className="card">
      <h2 id="exports-h">Export as CSV</h2>
      <p className="muted small">Invoices by issue date and payments by the date received, both days included.</p>
      <div className="row">
        <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <ErrorBanner error={error} title="The export failed" />
      <div className="toolbar">
        <Button variant="secondary" busy={busy === 'invoices'} onClick={() => download('invoices')}>Download invoices CSV</Button>
        <Button variant="secondary" busy={busy === 'payments'} onClick={() => download('payments')}>Download payments CSV</Button>
      </div>
    </section>
  );
}
