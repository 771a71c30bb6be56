/** A practice's metered usage per UTC day (requests and errors as bars), readable as a table. Lazy-loaded with recharts. */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorBanner, Loading } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { ChartFigure } from '../../ui/chart-figure.tsx';
import { formatBytes, useOperator } from './operator-session.tsx';
import type { DailyUsage } from '../../../../src/platform/daily-usage-types.ts';

/** The last 30 UTC days, today included. */
function lastThirtyDays(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

export default function UsageDailyChart({ slug }: { slug: string }) {
  const { api } = useOperator();
  const period = lastThirtyDays();
  const daily = useLoad(
    (signal) => api.get<{ items: DailyUsage[] }>(`/platform/tenants/${encodeURIComponent(slug)}/usage/daily`, period, signal),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, slug, period.to],
  );
  if (!daily.data) return daily.loading ? <Loading label="Loading daily usage…" /> : <ErrorBanner error={daily.error} title="Could not load the daily usage" />;
  const rows = daily.data.items.map((d) => ({ ...d, label: d.day.slice(5) }));
  return (
    <ChartFigure
      title="Daily usage, last 30 days"
      description="Requests and server errors per UTC day; the table adds database time, active users, emails, jobs and storage. Today fills in as usage is flushed (every few seconds)."
      chart={
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" minTickGap={16} />
            <YAxis allowDecimals={false} width={48} />
            <Tooltip />
            <Legend />
            <Bar dataKey="requests" name="Requests" fill="var(--brand)" />
            <Bar dataKey="errors" name="Errors (5xx)" fill="#b3261e" />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table className="data">
          <caption className="visually-hidden">Daily usage, last 30 days</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" className="num">Requests</th>
              <th scope="col" className="num">Errors</th>
              <th scope="col" className="num">Database ms</th>
              <th scope="col" className="num">Active users</th>
              <th scope="col" className="num">Emails</th>
              <th scope="col" className="num">Jobs</th>
              <th scope="col" className="num">Storage</th>
            </tr>
          </thead>
          <tbody>
            {daily.data.items.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td className="num">{d.requests}</td>
                <td className="num">{d.errors}</td>
                <td className="num">{d.dbMs}</td>
                <td className="num">{d.activeUsers}</td>
                <td className="num">{d.emailsSent}</td>
                <td className="num">{d.jobsRun}</td>
                <td className="num">{d.storageBytes === null ? '—' : formatBytes(d.storageBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
