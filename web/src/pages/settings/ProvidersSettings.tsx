/**
 * Providers: the people appointments are booked with, their colour on the calendar, the staff
 * sign-in they use, their weekly hours per location and their time off. The list links to one
 * provider's editor at /settings/providers/<id> (or /new).
 */
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader } from '../../ui/kit.tsx';
import type { WeeklyHours } from './LocationsWeeklyHours.tsx';
import type { Location } from './LocationsSettings.tsx';
import { ProviderEditor } from './ProvidersEditor.tsx';
import './LocationsWeeklyHours.css';

export interface Provider {
  readonly id: string;
  readonly displayName: string;
  readonly userId: string | null;
  readonly color: string | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly hours: readonly { locationId: string; hours: WeeklyHours }[];
}

function ProviderList() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const list = useLoad(async (signal) => {
    const [providers, locations] = await Promise.all([
      api.get<{ items: Provider[] }>('/api/providers', undefined, signal),
      api.get<{ items: Location[] }>('/api/locations', undefined, signal),
    ]);
    return { providers: providers.items, locations: locations.items };
  }, [api]);
  const editable = can('settings:manage');
  const locationName = (id: string) => list.data?.locations.find((l) => l.id === id)?.name ?? 'Unknown location';
  return (
    <>
      <PageHeader title="Providers" subtitle="The people patients book with, and when they work at each location.">
        {editable ? <button type="button" className="btn btn-primary" onClick={() => navigate('new')}>New provider</button> : null}
      </PageHeader>
      {list.error ? <ErrorBanner error={list.error} title="Could not load the providers" /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.providers.length === 0 ? (
        <EmptyState title="No providers yet">
          Add a provider, then give them weekly hours at a location so patients can book them.
          {list.data.locations.length === 0 ? ' Create a location first (Locations and hours).' : ''}
        </EmptyState>
      ) : null}
      {list.data && list.data.providers.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Providers</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Works at</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {list.data.providers.map((p) => {
                const at = p.hours.filter((h) => Object.values(h.hours).some((d) => d && d.length > 0));
                return (
                  <tr key={p.id}>
                    <td>
                      {p.color ? <span className="swatch" style={{ background: p.color }} aria-hidden="true" /> : null}
                      <Link to={p.id}>{p.displayName}</Link>
                    </td>
                    <td className="small">{at.length ? at.map((h) => locationName(h.locationId)).join(', ') : <span className="muted">No weekly hours yet</span>}</td>
                    <td>{p.active ? <Badge tone="good">Active</Badge> : <Badge>Inactive</Badge>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function ProviderRoute() {
  const { id } = useParams();
  return <ProviderEditor key={id} id={id === 'new' ? null : id!} />;
}

export function ProvidersSettings() {
  return (
    <Routes>
      <Route index element={<ProviderList />} />
      <Route path=":id" element={<ProviderRoute />} />
    </Routes>
  );
}
