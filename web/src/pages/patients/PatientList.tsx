/**
 * /patients: search as you type (names in any order, an MRN, trailing phone digits or a date of
 * birth), active / archived / all, and "Show more" over the API's keyset pages. The search and
 * status live in the address so the back button and a shared link keep them.
 */
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useDebounced, useLoad } from '../../ui/hooks.ts';
import { formatDate } from '../../ui/format.ts';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../../ui/kit.tsx';
import { ageOn, listName, type Page, type Patient } from './types.ts';

const PAGE_SIZE = 25;
type StatusFilter = 'active' | 'archived' | 'all';

/** Turns the one search box into the API's filters: a date, phone digits, or names / an MRN. */
export function searchQuery(text: string): Record<string, string> {
  const t = text.trim();
  if (!t) return {};
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { dateOfBirth: t };
  if (/^[\d\s()+.-]+$/.test(t) && t.replace(/\D/g, '').length >= 4) return { phone: t };
  return { q: t };
}

export function PatientList() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const status = (['active', 'archived', 'all'].includes(params.get('status') ?? '') ? params.get('status') : 'active') as StatusFilter;
  const query = useDebounced(text.trim(), 300);

  useEffect(() => {
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (query) next.set('q', query);
      else next.delete('q');
      return next;
    }, { replace: true });
  }, [query, setParams]);

  const first = useLoad((signal) => api.get<Page<Patient>>('/api/patients', { ...searchQuery(query), status, limit: PAGE_SIZE }, signal), [api, query, status]);
  const [more, setMore] = useState<{ items: Patient[]; nextCursor: string | null } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  useEffect(() => {
    setMore(null);
    setMoreError(null);
  }, [first.data]);

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : first.data?.nextCursor ?? null;

  async function loadMore() {
    if (!nextCursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await api.get<Page<Patient>>('/api/patients', { ...searchQuery(query), status, limit: PAGE_SIZE, cursor: nextCursor });
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setMoreError(err);
    } finally {
      setMoreBusy(false);
    }
  }

  const canWrite = can('patients:write');
  const searching = query !== '';

  return (
    <>
      <PageHeader title="Patients" subtitle="Search by name, medical record number, phone or date of birth.">
        {canWrite ? <Link className="btn btn-primary" to="/patients/new">Add patient</Link> : null}
      </PageHeader>

      <div role="search" className="toolbar patients-toolbar" aria-label="Find patients">
        <TextField
          label="Search patients"
          type="search"
          value={text}
          placeholder="e.g. Smith Ann, MRN-000012, 5550123, 1980-04-02"
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setParams((p) => {
            const next = new URLSearchParams(p);
            if (e.target.value === 'active') next.delete('status');
            else next.set('status', e.target.value);
            return next;
          })}
        >
          <option value="active">Active</option>
          <option value="archived">Archived</option>
          <option value="all">Active and archived</option>
        </SelectField>
      </div>

      <ErrorBanner error={first.error} title="The patients could not be loaded" />

      {first.loading && !first.data ? (
        <Loading label="Loading patients…" />
      ) : first.data && items.length === 0 ? (
        searching ? (
          <EmptyState title={`No patient matches “${query}”`}>
            Check the spelling, try fewer letters of each name, or search by MRN, phone or date of birth (YYYY-MM-DD).
            {status === 'active' ? ' Archived patients are found with the Status filter.' : ''}
          </EmptyState>
        ) : status === 'archived' ? (
          <EmptyState title="No archived patients">Patients you archive appear here and can be restored from their page.</EmptyState>
        ) : (
          <EmptyState
            title="No patients yet — add the first one"
            action={canWrite ? <Link className="btn btn-primary" to="/patients/new">Add the first patient</Link> : undefined}
          >
            {canWrite ? 'Register a patient to book appointments, send forms and bill visits.' : 'Patients registered by your colleagues will appear here.'}
          </EmptyState>
        )
      ) : first.data ? (
        <>
          <p className="muted small" role="status" aria-live="polite">
            {first.loading ? 'Updating…' : `${items.length}${nextCursor ? '+' : ''} patient${items.length === 1 ? '' : 's'} shown`}
          </p>
          <div className="table-wrap">
            <table className="data patients-table" aria-busy={first.loading || undefined}>
              <caption className="visually-hidden">Patients{searching ? ` matching “${query}”` : ''}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">MRN</th>
                  <th scope="col">Date of birth</th>
                  <th scope="col">Phone / email</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id} className="clickable-row" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(`/patients/${p.id}`); }}>
                    <td><Link to={`/patients/${p.id}`}>{listName(p)}</Link></td>
                    <td className="nowrap">{p.mrn}</td>
                    <td className="nowrap">{formatDate(p.dateOfBirth)} <span className="muted small">({ageOn(p.dateOfBirth)})</span></td>
                    <td>
                      {p.phone ? <div className="nowrap">{p.phone}</div> : null}
                      {p.email ? <div className="patients-email">{p.email}</div> : null}
                      {!p.phone && !p.email ? <span className="muted">—</span> : null}
                    </td>
                    <td>{p.status === 'archived' ? <Badge tone="warn">Archived</Badge> : <Badge tone="good">Active</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ErrorBanner error={moreError} title="More patients could not be loaded" />
          {nextCursor ? (
            <div className="patients-more">
              <Button variant="secondary" busy={moreBusy} onClick={() => void loadMore()}>Show more patients</Button>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
