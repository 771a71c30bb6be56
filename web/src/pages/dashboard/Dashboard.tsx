/**
 * /dashboard: the practice over the last 30 or 90 days: appointments and no-shows, revenue and new
 * patients per day (in the practice time zone, as the reporting API counts them), with the headline
 * totals. Every chart can be read as a table. Revenue shows only to people who may see billing.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { addDays, currencyDigits, formatDate, formatMoney } from '../../ui/format.ts';
import { ChartFigure } from '../../ui/chart-figure.tsx';
import { EmptyState, ErrorBanner, Loading, PageHeader, SelectField } from '../../ui/kit.tsx';
import { noShowRate, type Overview } from './types.ts';

const PERIODS = [30, 90] as const;
type Period = (typeof PERIODS)[number];

const shortDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
};

export function Dashboard() {
  const { api, session } = useSession();
  const [period, setPeriod] = useState<Period>(30);
  // The server knows the practice's today; the 90-day view ends on the day the 30-day one did.
  const [anchor, setAnchor] = useState<string | null>(null);
  const overview = useLoad(
    async (signal) => {
      // The 30 days to the practice's today is the API's default period; 90 days end on that same day.
      const base = period === 30 || !anchor ? await api.get<Overview>('/api/reports/overview', {}, signal) : null;
      if (base) setAnchor(base.to);
      if (period === 30) return base!;
      const to = anchor ?? base!.to;
      return api.get<Overview>('/api/reports/overview', { from: addDays(to, -(period - 1)), to }, signal);
    },
    [api, period],
  );
  const data = overview.data;

  return (
    <>
      <PageHeader title="Dashboard" subtitle={session ? `How ${session.practiceName} is doing.` : undefined}>
        <SelectField label="Period" value={String(period)} onChange={(e) => setPeriod(Number(e.target.value) as Period)}>
          {PERIODS.map((p) => <option key={p} value={p}>Last {p} days</option>)}
        </SelectField>
      </PageHeader>
      <ErrorBanner error={overview.error} title="The dashboard could not be loaded" />
      {overview.loading && !data ? <Loading label="Loading the dashboard…" /> : null}
      {data ? <OverviewView data={data} /> : null}
    </>
  );
}

function OverviewView({ data }: { data: Overview }) {
  const { totals, currency } = data;
  const hasRevenue = totals.revenue !== null;
  const empty = totals.appointments === 0 && totals.newPatients === 0 && (totals.revenue === null || totals.revenue === '0');
  const money = (minor: string | number) => formatMoney(minor, currency);
  const digits = currencyDigits(currency);
  const rows = data.days.map((d) => ({
    ...d,
    label: shortDate(d.date),
    revenueMajor: d.revenue === null ? 0 : Number(d.revenue) / 10 ** digits,
  }));
  const period = `${formatDate(data.from)} – ${formatDate(data.to)}`;

  return (
    <>
      <p className="muted small">{period}, days in the practice time zone ({data.timeZone}).</p>
      <section aria-label="Totals for the period" className="grid dashboard-headlines">
        <Headline label="Appointments" value={String(totals.appointments)} />
        <Headline label="No-shows" value={String(totals.noShows)} />
        <Headline label="No-show rate" value={noShowRate(totals.noShows, totals.appointments)} />
        {hasRevenue ? <Headline label="Revenue" value={money(totals.revenue!)} /> : null}
        <Headline label="New patients" value={String(totals.newPatients)} />
      </section>

      {empty ? (
        <EmptyState title="No appointments in this period — book one from the Calendar" action={<Link className="btn btn-primary" to="/calendar">Open the Calendar</Link>}>
          The charts fill in as appointments are booked, patients registered and payments recorded.
        </EmptyState>
      ) : (
        <div className="dashboard-charts">
          <ChartFigure
            title="Appointments and no-shows per day"
            description="Appointments by the day they start (cancelled ones excluded); no-shows among them."
            chart={
              totals.appointments === 0 ? (
                <p className="muted">No appointments in this period — <Link to="/calendar">book one from the Calendar</Link>.</p>
              ) : (
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="label" minTickGap={16} />
                    <YAxis allowDecimals={false} width={36} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="appointments" name="Appointments" fill="var(--brand)" />
                    <Bar dataKey="noShows" name="No-shows" fill="#b3261e" />
                  </BarChart>
                </ResponsiveContainer>
              )
            }
            table={
              <DayTable caption="Appointments and no-shows per day" rows={data.days} columns={[['Appointments', (d) => String(d.appointments)], ['No-shows', (d) => String(d.noShows)]]} />
            }
          />
          {hasRevenue ? (
            <ChartFigure
              title="Revenue per day"
              description={`Payments received minus refunds, in ${currency}.`}
              chart={
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="label" minTickGap={16} />
                    <YAxis width={60} />
                    <Tooltip formatter={(_v, _n, item) => money((item.payload as { revenue: string }).revenue)} />
                    <Bar dataKey="revenueMajor" name="Revenue" fill="var(--brand)" />
                  </BarChart>
                </ResponsiveContainer>
              }
              table={<DayTable caption="Revenue per day" rows={data.days} columns={[['Revenue', (d) => money(d.revenue ?? '0')]]} />}
            />
          ) : null}
          <ChartFigure
            title="New patients per day"
            description="Patients registered each day."
            chart={
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" minTickGap={16} />
                  <YAxis allowDecimals={false} width={36} />
                  <Tooltip />
                  <Bar dataKey="newPatients" name="New patients" fill="#1f6f43" />
                </BarChart>
              </ResponsiveContainer>
            }
            table={<DayTable caption="New patients per day" rows={data.days} columns={[['New patients', (d) => String(d.newPatients)]]} />}
          />
        </div>
      )}
    </>
  );
}

function Headline({ label, value }: { label: string; value: string }) {
  return (
    <div className="card dashboard-headline">
      <div className="muted small">{label}</div>
      <div className="dashboard-headline-value">{value}</div>
    </div>
  );
}

function DayTable({ caption, rows, columns }: { caption: string; rows: Overview['days']; columns: readonly (readonly [string, (d: Overview['days'][number]) => string])[] }) {
  return (
    <table className="data">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {columns.map(([h]) => <th key={h} scope="col" className="num">{h}</th>)}
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.date}>
            <th scope="row" className="nowrap">{formatDate(d.date)}</th>
            {columns.map(([h, cell]) => <td key={h} className="num nowrap">{cell(d)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
