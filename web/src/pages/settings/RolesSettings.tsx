/**
 * Staff and roles: the staff list with their roles and access, and the practice's roles. Custom
 * roles are built from the permission catalogue at /settings/roles/new and /settings/roles/<id>.
 */
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, Button, ErrorBanner, Loading, PageHeader, useToast } from '../../ui/kit.tsx';
import { StaffSection, type StaffMember } from './RolesStaff.tsx';
import { RoleEditor } from './RolesEditor.tsx';
import './LocationsWeeklyHours.css';

export interface Role {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly permissions: string[];
  readonly members: number;
}

function RolesOverview() {
  const { api, can, has } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const staff = useLoad((signal) => api.get<{ items: StaffMember[] }>('/api/staff', undefined, signal), [api]);
  const roles = useLoad((signal) => api.get<{ items: Role[] }>('/api/roles', undefined, signal), [api]);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const manage = can('staff:manage');
  const custom = has('custom_roles');

  async function remove(r: Role) {
    if (!window.confirm(`Delete the role ${r.name}?`)) return;
    setDeleting(r.id);
    setError(null);
    try {
      await api.delete(`/api/roles/${r.id}`);
      toast(`Role ${r.name} deleted`);
      roles.reload();
    } catch (err) {
      setError(err);
    } finally {
      setDeleting(null);
    }
  }

  return (
    <>
      <PageHeader title="Staff and roles" subtitle="Who can sign in, and what each person may do." />
      <StaffSection staff={staff} roles={roles.data?.items ?? []} onChanged={() => { staff.reload(); roles.reload(); }} />
      <section aria-labelledby="roles-title">
        <div className="settings-subhead">
          <h2 id="roles-title">Roles</h2>
          {manage && custom ? <Button onClick={() => navigate('new')}>New custom role</Button> : null}
        </div>
        {manage && !custom ? <p className="banner banner-info">Custom roles are not in your plan: staff can hold the built-in roles. Upgrade the plan to build your own.</p> : null}
        {error ? <ErrorBanner error={error} title="Could not delete the role" /> : null}
        {roles.error ? <ErrorBanner error={roles.error} title="Could not load the roles" /> : null}
        {roles.loading && !roles.data ? <Loading /> : null}
        {roles.data ? (
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Roles</caption>
              <thead><tr><th scope="col">Role</th><th scope="col">Kind</th><th scope="col" className="num">Permissions</th><th scope="col" className="num">Members</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {roles.data.items.map((r) => (
                  <tr key={r.id}>
                    <td><Link to={r.id}>{r.name}</Link><div className="small muted">{r.description || r.key}</div></td>
                    <td>{r.builtIn ? <Badge>Built-in</Badge> : <Badge tone="info">Custom</Badge>}</td>
                    <td className="num">{r.permissions.length}</td>
                    <td className="num">{r.members}</td>
                    <td className="nowrap">
                      {!r.builtIn && manage && custom ? (
                        <Button variant="link" busy={deleting === r.id} onClick={() => void remove(r)} aria-label={`Delete role ${r.name}`}>Delete</Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}

function RoleRoute() {
  const { id } = useParams();
  return <RoleEditor key={id} id={id === 'new' ? null : id!} />;
}

export function RolesSettings() {
  return (
    <Routes>
      <Route index element={<RolesOverview />} />
      <Route path=":id" element={<RoleRoute />} />
    </Routes>
  );
}
