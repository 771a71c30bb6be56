/**
 * One report of the suite: a grouping picker, the chart (recharts) with its table view, and the CSV
 * download of exactly what is shown (the same route with `format=csv`).
 */
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { currencyDigits, formatMoney } from '../../ui/format.ts';
import { ChartFigure } from '../../ui/chart-figure.tsx';
import { Button, ErrorBanner, Loading, SelectField } from '../../ui/kit.tsx';
import type { Report, ReportSpec, ValueKind } from './types.ts';

export interface Range {
  readonly from: string;
  readonly to: string;
}

/** Only one provider's and/or one location's appointments (and the invoices and payments of them). */
export interface Filters {
  readonly providerId?: string;
  readonly locationId?: string;
}

function display(kind: ValueKind, value: string | number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return '—';
  if (kind === 'money') return formatMoney(value, currency);
  if (kind === 'rate') return `${(Math.round(Number(value) * 1000) / 10).toString()}%`;
  return String(value);
}

/** The number a bar is drawn at: major units for money (a chart needs no exactness; the table has it). */
function plotted(kind: ValueKind, value: string | number | null | undefined, currency: string): number {
  if (value === null || value === undefined) return 0;
  if (kind === 'money') return Number(value) / 10 ** currencyDigits(currency);
  if (kind === 'rate') return Math.round(Number(value) * 1000) / 10;
  return Number(value);
}

export function ReportCard({ spec, range, filters = {}, onLoaded }: { spec: ReportSpec; range: Range; filters?: Filters; onLoaded?: (report: Report) => void }) {
  const { api } = useSession();
  const [groupBy, setGroupBy] = useState(spec.groups[0]!.value);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const path = `/api/reports/${spec.report}`;
  const query = { from: range.from, to: range.to, ...filters, groupBy };
  const loaded = useLoad((signal) => api.get<Report>(path, query, signal), [api, path, range.from, range.to, filters.providerId, filters.locationId, groupBy]);
  const filtered = filters.providerId !== undefined || filters.locationId !== undefined;
  const report = loaded.data;
  useEffect(() => {
    if (report && onLoaded) onLoaded(report);
  }, [report, onLoaded]);

  const groupLabel = spec.groups.find((g) => g.value === groupBy)?.label ?? groupBy;
  const columns = [...spec.series, ...(spec.extra ?? [])];
  const empty = report !== undefined && report.rows.every((r) => spec.series.every((s) => !Number(r[s.field] ?? 0)));

  async function download() {
    setDownloading(true);
    setDownloadError(null);
    try {
      await api.download(path, `${spec.report}-${groupBy}-${range.from}-${range.to}.csv`, { ...query, format: 'csv' });
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  }

  const chartRows = (report?.rows ?? []).map((r) => ({
    label: r.label,
    ...Object.fromEntries(spec.series.map((s) => [s.field, plotted(spec.kind, r[s.field], report!.currency)])),
  }));

  return (
    <section className="report-card" aria-label={spec.title}>
      <div className="report-card-tools">
        <SelectField label={`Group ${spec.title.toLowerCase()} by`} value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
          {spec.groups.map((g) => <option key={g.value} value={g.value}>{g.label}</option>)}
        </SelectField>
        <Button variant="secondary" busy={downloading} disabled={!report} onClick={() => void download()}>
          Download CSV<span className="visually-hidden">: {spec.title}</span>
        </Button>
      </div>
      <ErrorBanner error={loaded.error ?? downloadError} title={`${spec.title} could not be loaded`} />
      {loaded.loading && !report ? <Loading label={`Loading ${spec.title.toLowerCase()}…`} /> : null}
      {report ? (
        <ChartFigure
          title={`${spec.title} by ${groupLabel.toLowerCase()}`}
          description={spec.description}
          chart={
            empty ? (
              <p className="muted">{filtered ? 'No data matches the filters in this period.' : 'Nothing to show for this period. Try a longer range.'}</p>
            ) : (
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={chartRows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" minTickGap={16} />
                  <YAxis allowDecimals={spec.kind !== 'count'} width={spec.kind === 'count' ? 40 : 60} unit={spec.kind === 'rate' ? '%' : undefined} />
                  <Tooltip />
                  <Legend />
                  {spec.series.map((s) => (
                    <Bar key={s.field} dataKey={s.field} name={s.name} fill={s.color} isAnimationActive={false} {...(spec.stacked ? { stackId: 'a' } : {})} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            )
          }
          table={
            <table className="data">
              <caption className="visually-hidden">{`${spec.title} by ${groupLabel.toLowerCase()}`}</caption>
              <thead>
                <tr>
                  <th scope="col">{groupLabel}</th>
                  {columns.map((c) => <th key={c.field} scope="col" className="num">{c.name}</th>)}
                </tr>
              </thead>
              <tbody>
                {report.rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.label}</th>
                    {columns.map((c) => <td key={c.field} className="num nowrap">{display(c.kind ?? spec.kind, r[c.field], report.currency)}</td>)}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  {columns.map((c) => <td key={c.field} className="num nowrap">{display(c.kind ?? spec.kind, report.totals[c.field], report.currency)}</td>)}
                </tr>
              </tfoot>
            </table>
          }
        />
      ) : null}
    </section>
  );
}
