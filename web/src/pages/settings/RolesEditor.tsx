/**
 * One role: a custom role is created or edited from the permission catalogue (checkboxes grouped by
 * area, e.g. "patients"); a built-in role is shown read-only. The API refuses escalation (granting
 * what you do not hold) and removing the last administrator: those errors are shown as they come.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, Checkbox, ErrorBanner, Loading, PageHeader, TextArea, TextField, useToast } from '../../ui/kit.tsx';
import type { Role } from './RolesSettings.tsx';

interface Permission { readonly key: string; readonly description: string }

/** Groups "patients:read", "patients:write" under "patients". */
function groupPermissions(items: readonly Permission[]): [string, Permission[]][] {
  const groups = new Map<string, Permission[]>();
  for (const p of items) {
    const area = p.key.split(':')[0] ?? p.key;
    groups.set(area, [...(groups.get(area) ?? []), p]);
  }
  return [...groups.entries()];
}

function keyFromName(name: string): string {
  const k = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+/, '').replace(/_+$/, '').slice(0, 40);
  return k;
}

export function RoleEditor({ id }: { id: string | null }) {
  const { api, can, has, reloadMe } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const loaded = useLoad(async (signal) => {
    const [role, catalogue] = await Promise.all([
      id ? api.get<Role>(`/api/roles/${id}`, undefined, signal) : Promise.resolve(null),
      api.get<{ items: Permission[] }>('/api/permissions', undefined, signal),
    ]);
    return { role, catalogue: catalogue.items };
  }, [api, id]);
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [description, setDescription] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const r = loaded.data?.role;
    if (r) {
      setName(r.name);
      setKey(r.key);
      setDescription(r.description);
      setPermissions(r.permissions);
    }
  }, [loaded.data]);

  const role = loaded.data?.role ?? null;
  const title = id ? (role?.name ?? 'Role') : 'New custom role';
  if (loaded.error) return <><PageHeader title={title} /><ErrorBanner error={loaded.error} title="Could not load the role" /><Link to="..">Back to staff and roles</Link></>;
  if (!loaded.data) return <><PageHeader title={title} /><Loading /></>;
  const editable = can('staff:manage') && has('custom_roles') && !role?.builtIn;
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const permError = error instanceof ApiError ? error.errors.find((e) => e.field.startsWith('permissions')) : undefined;

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (id) {
        await api.patch<Role>(`/api/roles/${id}`, { name: name.trim(), description: description.trim(), permissions });
        await reloadMe();
        toast('Role saved');
        navigate('..');
      } else {
        const created = await api.post<Role>('/api/roles', { key: key.trim(), name: name.trim(), description: description.trim(), permissions });
        toast(`Role ${created.name} created`);
        navigate('..');
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (p: string, on: boolean) => setPermissions((cur) => (on ? [...cur, p] : cur.filter((x) => x !== p)));
  return (
    <>
      <PageHeader title={title} subtitle={role?.builtIn ? 'A built-in role: read-only. Create a custom role to give a different set of permissions.' : undefined}>
        <Link to=".." className="btn btn-secondary">Staff and roles</Link>
      </PageHeader>
      <form className="card" onSubmit={save} noValidate aria-label={id ? 'Role' : 'New custom role'}>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the role" /> : null}
        {error instanceof ApiError && error.errors.length ? <p className="banner banner-error" role="alert">{error.detail}: see the messages below the fields.</p> : null}
        <fieldset disabled={!editable} className="settings-plain-fieldset">
          <div className="row">
            <TextField
              label="Role name"
              value={name}
              required
              maxLength={100}
              onChange={(e) => {
                setName(e.target.value);
                if (!id && !keyTouched) setKey(keyFromName(e.target.value));
              }}
              error={fe('name')}
            />
            <TextField
              label="Key"
              value={key}
              required
              readOnly={!!id}
              maxLength={40}
              onChange={(e) => { setKey(e.target.value); setKeyTouched(true); }}
              error={fe('key')}
              hint={id ? 'Fixed once created' : 'Lower-case letters, digits and underscores; fixed once created'}
            />
          </div>
          <TextArea label="Description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} error={fe('description')} />
          <fieldset className="settings-fieldset">
            <legend>Permissions</legend>
            {permError ? <p className="field-error" role="alert">{permError.field}: {permError.message}</p> : null}
            {groupPermissions(loaded.data.catalogue).map(([area, items]) => (
              <div key={area} className="perm-group" role="group" aria-labelledby={`perm-${area}`}>
                <h4 id={`perm-${area}`}>{area}</h4>
                <div className="check-grid">
                  {items.map((p) => (
                    <Checkbox key={p.key} label={<>{p.description} <code className="small muted">{p.key}</code></>} checked={permissions.includes(p.key)} onChange={(e) => toggle(p.key, e.target.checked)} />
                  ))}
                </div>
              </div>
            ))}
          </fieldset>
          {editable ? (
            <div className="form-actions">
              <Button type="submit" busy={busy}>{id ? 'Save role' : 'Create role'}</Button>
            </div>
          ) : null}
        </fieldset>
      </form>
    </>
  );
}
