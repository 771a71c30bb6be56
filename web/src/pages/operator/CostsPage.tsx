/**
 * Costs (/operator/costs): metered usage of a period priced with the deployment's rates, per
 * practice. A bar chart of the most expensive practices (readable as a table), the rates in use,
 * the full list a page at a time, and the CSV of the whole report.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError } from '../../api.ts';
import { Button, EmptyState, ErrorBanner, Loading, PageHeader, TextField } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { ChartFigure } from '../../ui/chart-figure.tsx';
import { useOperator } from './operator-session.tsx';

const UNITS = [
  ['requests', 'Requests'],
  ['dbHours', 'Database hours'],
  ['gbMonths', 'GB-months'],
  ['activeUserMonths', 'Active user-months'],
  ['emails', 'Emails'],
  ['jobs', 'Jobs'],
] as const;
type Unit = (typeof UNITS)[number][0];

const RATE_LABELS: Record<string, string> = {
  perMillionRequests: 'per million requests',
  perDbHour: 'per database hour',
  perGbMonth: 'per GB-month of storage',
  perActiveUserMonth: 'per active user-month',
  perThousandEmails: 'per thousand emails',
  perThousandJobs: 'per thousand jobs',
};

interface Line {
  readonly quantity: string;
  readonly cost: string;
  readonly costMinor: number;
}

interface TenantCost {
  readonly tenant: { id: string; slug: string; name: string };
  readonly lines: Record<Unit, Line>;
  readonly total: string;
  readonly totalMinor: number;
  readonly sharePercent: string;
}

interface Report {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly rates: Record<string, string>;
  readonly total: string;
  readonly count: number;
  readonly items: TenantCost[];
  readonly next: number | null;
}

const PAGE = 25;
const TOP = 10;

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export function CostsPage() {
  const { api } = useOperator();
  const [range, setRange] = useState({ from: `${todayUtc().slice(0, 7)}-01`, to: todayUtc() });
  const [draft, setDraft] = useState(range);
  const [offset, setOffset] = useState(0);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const report = useLoad((signal) => api.get<Report>('/platform/costs', { ...range, offset, limit: PAGE }, signal), [api, range, offset]);
  // The chart always shows the most expensive practices, whatever page the table is on.
  const top = useLoad((signal) => api.get<Report>('/platform/costs', { ...range, limit: TOP }, signal), [api, range]);

  const money = (amount: string, currency: string) => {
    try {
      // A decimal string is formatted exactly (no float on the way).
      const format = new Intl.NumberFormat(undefined, { style: 'currency', currency }).format as unknown as (value: string) => string;
      return format(amount);
    } catch {
      return `${amount} ${currency}`;
    }
  };

  async function download() {
    setDownloading(true);
    setDownloadError(null);
    try {
      await api.download('/platform/costs/export.csv', `costs-${range.from}-${range.to}.csv`, range);
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  }

  const error = report.error ?? top.error;
  const fieldError = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const data = report.data;
  const chartRows = (top.data?.items ?? []).map((i) => ({ name: i.tenant.slug, cost: Number(i.total), label: money(i.total, top.data!.currency) }));
  return (
    <>
      <PageHeader title="Costs" subtitle="What each practice used in a period (UTC days) and what it costs at the rates below.">
        <Button variant="secondary" busy={downloading} onClick={() => void download()}>Download CSV</Button>
      </PageHeader>
      <form
        className="toolbar"
        aria-label="Period"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setRange(draft);
        }}
      >
        <TextField label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} error={fieldError('from')} required />
        <TextField label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={fieldError('to')} required />
        <Button type="submit">Show costs</Button>
      </form>
      {error && !fieldError('from') && !fieldError('to') ? <ErrorBanner error={error} title="Could not load the costs" /> : null}
      <ErrorBanner error={downloadError} title="Could not download the CSV" />
      {!data ? (
        report.loading ? <Loading label="Pricing usage…" /> : null
      ) : data.count === 0 ? (
        <EmptyState title="No metered usage in this period">Usage is counted as practices use HealthTrack; choose another period.</EmptyState>
      ) : (
        <>
          <p>
            <strong>Total {money(data.total, data.currency)}</strong> for {data.count} practice{data.count === 1 ? '' : 's'}, {data.from} to {data.to}.
          </p>
          <ChartFigure
            title={`Cost per practice, top ${Math.min(TOP, data.count)}`}
            description={`Total cost in ${data.currency}, most expensive first.`}
            chart={
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={chartRows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="name" interval={0} tick={{ fontSize: 12 }} />
                  <YAxis width={60} />
                  <Tooltip formatter={(_v, _n, item) => (item.payload as { label: string }).label} />
                  <Bar dataKey="cost" name="Cost" fill="var(--brand)" maxBarSize={64} />
                </BarChart>
              </ResponsiveContainer>
            }
            table={
              <table className="data">
                <caption className="visually-hidden">Cost per practice, top {TOP}</caption>
                <thead>
                  <tr><th scope="col">Practice</th><th scope="col" className="num">Cost</th><th scope="col" className="num">Share</th></tr>
                </thead>
                <tbody>
                  {(top.data?.items ?? []).map((i) => (
                    <tr key={i.tenant.id}><th scope="row">{i.tenant.name}</th><td className="num">{money(i.total, data.currency)}</td><td className="num">{i.sharePercent}%</td></tr>
                  ))}
                </tbody>
              </table>
            }
          />
          <section className="card" aria-labelledby="cost-table-h">
            <h2 id="cost-table-h">Every practice</h2>
            <div className="table-wrap">
              <table className="data operator-rows">
                <caption className="visually-hidden">Cost per practice and unit, most expensive first</caption>
                <thead>
                  <tr>
                    <th scope="col">Practice</th>
                    {UNITS.map(([key, label]) => <th key={key} scope="col" className="num">{label}</th>)}
                    <th scope="col" className="num">Total</th>
                    <th scope="col" className="num">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={i.tenant.id}>
                      <th scope="row"><Link to={`/operator/tenants/${i.tenant.slug}`}>{i.tenant.name}</Link></th>
                      {UNITS.map(([key]) => (
                        <td key={key} className="num">
                          {money(i.lines[key].cost, data.currency)}
                          <div className="muted small">{i.lines[key].quantity}</div>
                        </td>
                      ))}
                      <td className="num"><strong>{money(i.total, data.currency)}</strong></td>
                      <td className="num">{i.sharePercent}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="row operator-pager">
              <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</Button>
              <span className="muted small">{offset + 1}–{offset + data.items.length} of {data.count}</span>
              <Button variant="secondary" disabled={data.next === null} onClick={() => data.next !== null && setOffset(data.next)}>Next</Button>
            </div>
          </section>
        </>
      )}
      {data ? (
        <section className="card" aria-labelledby="rates-h">
          <h2 id="rates-h">Rates in use</h2>
          <dl className="facts">
            {Object.entries(data.rates).map(([key, value]) => (
              <div key={key} style={{ display: 'contents' }}>
                <dt>{RATE_LABELS[key] ?? key}</dt>
                <dd>{value} {data.currency}</dd>
              </div>
            ))}
          </dl>
          <p className="muted small">Set by HEALTHTRACK_COST_RATES. Each cost is rounded half up to the cent once per practice and unit; totals are sums of those.</p>
        </section>
      ) : null}
    </>
  );
}
