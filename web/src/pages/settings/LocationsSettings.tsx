/**
 * Locations and hours: the practice's sites with their time zone, address, opening hours and
 * holidays. The list links to one location's editor at /settings/locations/<id> (or /new).
 */
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, EmptyState, ErrorBanner, Loading, PageHeader } from '../../ui/kit.tsx';
import { summariseHours, type WeeklyHours } from './LocationsWeeklyHours.tsx';
import { LocationEditor } from './LocationsEditor.tsx';

export interface Address { line1: string; line2?: string; city: string; region?: string; postalCode?: string; country: string }

export interface Location {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly address: Address | null;
  readonly phone: string | null;
  readonly openingHours: WeeklyHours;
  readonly active: boolean;
  readonly createdAt: string;
}

function LocationList() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const list = useLoad((signal) => api.get<{ items: Location[] }>('/api/locations', undefined, signal), [api]);
  const editable = can('settings:manage');
  return (
    <>
      <PageHeader title="Locations and hours" subtitle="Each site's time zone, address, opening hours and holidays. Appointments are booked in the location's time zone.">
        {editable ? <button type="button" className="btn btn-primary" onClick={() => navigate('new')}>New location</button> : null}
      </PageHeader>
      {list.error ? <ErrorBanner error={list.error} title="Could not load the locations" /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? (
        <EmptyState title="No locations yet">Add the practice's first location: appointments, providers' hours and the calendar all belong to one.</EmptyState>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Locations</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Time zone</th><th scope="col">Opening hours</th><th scope="col">Status</th></tr>
            </thead>
            <tbody>
              {list.data.items.map((l) => (
                <tr key={l.id}>
                  <td><Link to={l.id}>{l.name}</Link>{l.address ? <div className="small muted">{l.address.line1}, {l.address.city}</div> : null}</td>
                  <td>{l.timeZone}</td>
                  <td className="small">{summariseHours(l.openingHours)}</td>
                  <td>{l.active ? <Badge tone="good">Active</Badge> : <Badge>Inactive</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function LocationRoute() {
  const { id } = useParams();
  return <LocationEditor key={id} id={id === 'new' ? null : id!} />;
}

export function LocationsSettings() {
  return (
    <Routes>
      <Route index element={<LocationList />} />
      <Route path=":id" element={<LocationRoute />} />
    </Routes>
  );
}
