/** Staff members: who works here, their roles, adding people, changing roles, disabling access. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { formatDate } from '../../ui/format.ts';
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorBanner, Loading, TextField, useToast } from '../../ui/kit.tsx';
import type { Loaded } from '../../ui/hooks.ts';
import type { Role } from './RolesSettings.tsx';

export interface StaffMember {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly roles: string[];
  readonly createdAt: string;
}

function RoleChecks({ roles, selected, onChange, error }: { roles: Role[]; selected: string[]; onChange: (keys: string[]) => void; error?: string }) {
  return (
    <fieldset className="settings-fieldset">
      <legend>Roles</legend>
      <div className="check-grid">
        {roles.map((r) => (
          <Checkbox
            key={r.key}
            label={<>{r.name}{r.builtIn ? null : <span className="muted small"> (custom)</span>}</>}
            checked={selected.includes(r.key)}
            onChange={(e) => onChange(e.target.checked ? [...selected, r.key] : selected.filter((k) => k !== r.key))}
          />
        ))}
      </div>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </fieldset>
  );
}

export function StaffSection({ staff, roles, onChanged }: { staff: Loaded<{ items: StaffMember[] }>; roles: Role[]; onChanged: () => void }) {
  const { api, can, me } = useSession();
  const toast = useToast();
  const manage = can('staff:manage');
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<StaffMember | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const roleName = (key: string) => roles.find((r) => r.key === key)?.name ?? key;

  async function toggle(s: StaffMember) {
    setBusy(s.userId);
    setError(null);
    try {
      await api.post(`/api/staff/${s.userId}/${s.status === 'active' ? 'disable' : 'enable'}`);
      toast(s.status === 'active' ? `${s.name} can no longer sign in` : `${s.name} can sign in again`);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="staff-title">
      <div className="settings-subhead">
        <h2 id="staff-title">Staff</h2>
        {manage ? <Button onClick={() => setAdding(true)}>Add staff member</Button> : null}
      </div>
      {error ? <ErrorBanner error={error} title="Could not change access" /> : null}
      {staff.error ? <ErrorBanner error={staff.error} title="Could not load the staff" /> : null}
      {staff.loading && !staff.data ? <Loading /> : null}
      {staff.data && staff.data.items.length === 0 ? <EmptyState title="No staff yet">Add the people who work at the practice and give them roles.</EmptyState> : null}
      {staff.data && staff.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Staff members</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Roles</th><th scope="col">Status</th><th scope="col">Since</th>{manage ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}</tr></thead>
            <tbody>
              {staff.data.items.map((s) => (
                <tr key={s.userId}>
                  <td>{s.name}<div className="small muted">{s.email}</div></td>
                  <td>{s.roles.map(roleName).join(', ')}</td>
                  <td>{s.status === 'active' ? <Badge tone="good">Active</Badge> : <Badge tone="bad">Disabled</Badge>}</td>
                  <td className="nowrap">{formatDate(s.createdAt)}</td>
                  {manage ? (
                    <td className="nowrap">
                      <Button variant="link" onClick={() => setEditing(s)} aria-label={`Change roles of ${s.name}`}>Change roles</Button>
                      {s.userId !== me?.userId ? (
                        <Button variant="link" busy={busy === s.userId} onClick={() => void toggle(s)} aria-label={`${s.status === 'active' ? 'Disable' : 'Enable'} ${s.name}`}>
                          {s.status === 'active' ? 'Disable' : 'Enable'}
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {adding ? <AddStaffDialog roles={roles} onClose={() => setAdding(false)} onAdded={() => { setAdding(false); onChanged(); }} /> : null}
      {editing ? <ChangeRolesDialog member={editing} roles={roles} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); onChanged(); }} /> : null}
    </section>
  );
}

function AddStaffDialog({ roles, onClose, onAdded }: { roles: Role[]; onClose: () => void; onAdded: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/staff', { email: email.trim(), name: name.trim(), roles: selected, ...(password ? { password } : {}) });
      toast(`${name.trim()} added`);
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title="Add a staff member" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not add the staff member" /> : null}
        <TextField label="Name" value={name} required onChange={(e) => setName(e.target.value)} error={fe('name')} />
        <TextField label="Email" type="email" value={email} required onChange={(e) => setEmail(e.target.value)} error={fe('email')} />
        <TextField label="Initial password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fe('password')} hint="At least 10 characters. Not needed for someone who already has a HealthTrack sign-in." />
        <RoleChecks roles={roles} selected={selected} onChange={setSelected} error={fe('roles')} />
        <div className="dialog-foot">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" busy={busy}>Add staff member</Button>
        </div>
      </form>
    </Dialog>
  );
}

function ChangeRolesDialog({ member, roles, onClose, onSaved }: { member: StaffMember; roles: Role[]; onClose: () => void; onSaved: () => void }) {
  const { api, reloadMe, me } = useSession();
  const toast = useToast();
  const [selected, setSelected] = useState<string[]>(member.roles);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.put(`/api/staff/${member.userId}/roles`, { roles: selected });
      toast(`Roles of ${member.name} saved`);
      if (member.userId === me?.userId) await reloadMe();
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={`Roles of ${member.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {error && !(error instanceof ApiError && error.fieldError('roles')) ? <ErrorBanner error={error} title="Could not change the roles" /> : null}
        <RoleChecks roles={roles} selected={selected} onChange={setSelected} error={error instanceof ApiError ? error.fieldError('roles') : undefined} />
        <div className="dialog-foot">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" busy={busy}>Save roles</Button>
        </div>
      </form>
    </Dialog>
  );
}
