/** The practices: search, filter by status, a page at a time, with each one's usage. */
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, TextField, useToast } from '../../ui/kit.tsx';
import { useDebounced, useLoad } from '../../ui/hooks.ts';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { formatBytes, useOperator, type TenantRow, type Usage } from './operator-session.tsx';

interface Item extends TenantRow {
  readonly activeStaff: number;
  readonly usage: Usage | null;
}

const PAGE = 25;

export function TenantsList() {
  const { api } = useOperator();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  // Keyset paging: the `after` of every page seen, so Previous goes back exactly.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [measuring, setMeasuring] = useState(false);
  const [measureError, setMeasureError] = useState<unknown>(null);
  const query = useDebounced(q, 250);
  const after = cursors.at(-1);
  const list = useLoad(
    (signal) => api.get<{ items: Item[]; next: string | null }>('/platform/usage', { q: query, status, after, limit: PAGE }, signal),
    [api, query, status, after],
  );

  const resetPaging = () => setCursors([undefined]);

  async function measure() {
    setMeasuring(true);
    setMeasureError(null);
    try {
      const res = await api.post<{ measured: number }>('/platform/usage/measure', { limit: 25 });
      toast(`Measured ${res.measured} practice${res.measured === 1 ? '' : 's'}`);
      list.reload();
    } catch (err) {
      setMeasureError(err);
    } finally {
      setMeasuring(false);
    }
  }

  const items = list.data?.items ?? [];
  return (
    <>
      <PageHeader title="Practices" subtitle="Every practice on HealthTrack, with its plan, status and usage.">
        <Button variant="secondary" busy={measuring} onClick={() => void measure()}>Measure usage</Button>
        <Link className="btn btn-primary" to="/operator/tenants/new">Onboard a practice</Link>
      </PageHeader>
      <ErrorBanner error={measureError} title="Could not measure usage" />
      <div className="toolbar" role="search">
        <TextField label="Search" type="search" placeholder="Name or short name" value={q} onChange={(e) => { setQ(e.target.value); resetPaging(); }} />
        <SelectField label="Status" value={status} onChange={(e) => { setStatus(e.target.value); resetPaging(); }}>
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </SelectField>
      </div>
      <ErrorBanner error={list.error} title="Could not load the practices" />
      {list.loading && !list.data ? (
        <Loading label="Loading practices…" />
      ) : items.length === 0 && !list.error ? (
        query || status ? (
          <EmptyState title="No practice matches">Try another search or status.</EmptyState>
        ) : (
          <EmptyState title="No practices yet" action={<Link className="btn btn-primary" to="/operator/tenants/new">Onboard the first practice</Link>}>
            Onboard a practice to give it its own HealthTrack workspace.
          </EmptyState>
        )
      ) : (
        <>
          <p className="muted small">
            Usage figures are the latest measurement (opening a practice measures it; “Measure usage” measures the 25 measured longest ago). Staff is live.
          </p>
          <div className="table-wrap">
            <table className="data operator-rows" aria-busy={list.loading || undefined}>
              <caption className="visually-hidden">Practices</caption>
              <thead>
                <tr>
                  <th scope="col">Practice</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col" className="num">Staff</th>
                  <th scope="col" className="num">Patients</th>
                  <th scope="col" className="num">Appointments (30 days)</th>
                  <th scope="col" className="num">Invoices</th>
                  <th scope="col" className="num">Storage</th>
                  <th scope="col">Last activity</th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">
                      <Link to={`/operator/tenants/${t.slug}`}>{t.name}</Link>
                      <div className="muted small">{t.slug}</div>
                    </th>
                    <td>{t.tier === 'schema' ? 'Dedicated schema' : 'Pooled'}</td>
                    <td className="operator-plan">{t.plan}</td>
                    <td><StatusBadge status={t.status} /></td>
                    <td className="nowrap">{formatDate(t.createdAt)}</td>
                    <td className="num">{t.activeStaff}</td>
                    <UsageCells usage={t.usage} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="toolbar operator-pager" aria-label="Pages">
            <Button variant="secondary" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>Previous page</Button>
            <span className="muted small">Page {cursors.length}</span>
            <Button variant="secondary" disabled={!list.data?.next} onClick={() => setCursors((c) => [...c, list.data!.next!])}>Next page</Button>
          </nav>
        </>
      )}
    </>
  );
}

function UsageCells({ usage }: { usage: Usage | null }) {
  if (!usage) {
    return (
      <>
        <td className="num muted" colSpan={4}>Not measured yet</td>
        <td className="muted">—</td>
      </>
    );
  }
  return (
    <>
      <td className="num">{usage.patients}</td>
      <td className="num">{usage.appointmentsLast30Days}</td>
      <td className="num">{usage.invoices}</td>
      <td className="num nowrap">{usage.storageEstimated ? '≈ ' : ''}{formatBytes(usage.storageBytes)}</td>
      <td className="nowrap">{usage.lastActivityAt ? formatDateTime(usage.lastActivityAt) : 'None'}</td>
    </>
  );
}

export function StatusBadge({ status }: { status: 'active' | 'suspended' }) {
  return status === 'active' ? <Badge tone="good">Active</Badge> : <Badge tone="bad">Suspended</Badge>;
}
