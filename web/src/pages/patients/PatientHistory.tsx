/**
 * The History tab: the audit trail of this patient (who viewed, changed, archived, billed),
 * newest first. The trail is readable with `audit:read` only (administrators); others are told so.
 */
import { useState } from 'react';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { Button, EmptyState, ErrorBanner, Loading } from '../../ui/kit.tsx';
import type { Page } from './types.ts';

interface AuditEvent {
  readonly id: string;
  readonly occurredAt: string;
  readonly actor: { type: string; id: string | null };
  readonly action: string;
  readonly details: Record<string, unknown>;
}

const ACTIONS: Record<string, string> = {
  'patient.create': 'Registered',
  'patient.read': 'Viewed the record',
  'patient.update': 'Changed details',
  'patient.archive': 'Archived',
  'patient.restore': 'Restored',
  'patient.statement': 'Viewed a statement',
  'patient.statement_pdf': 'Downloaded a statement',
  'form_response.list': 'Viewed the form responses',
};

/** A short human description of what an event did, with the fields changed when known. */
export function describe(e: AuditEvent): string {
  const base = ACTIONS[e.action] ?? e.action.replace(/[._]/g, ' ');
  const fields = e.details.fields;
  return Array.isArray(fields) && fields.length > 0 ? `${base}: ${fields.join(', ')}` : base;
}

export function PatientHistory({ patientId }: { patientId: string }) {
  const { api, can } = useSession();
  const allowed = can('audit:read');
  const query = { resourceType: 'patient', resourceId: patientId, limit: 50 };
  const first = useLoad(
    (signal) => (allowed ? api.get<Page<AuditEvent>>('/api/audit-events', query, signal) : Promise.resolve(null)),
    [api, patientId, allowed],
  );
  const staff = useLoad(
    async (signal) => {
      if (!can('staff:read')) return new Map<string, string>();
      const res = await api.get<{ items: { userId: string; name: string }[] }>('/api/staff', undefined, signal);
      return new Map(res.items.map((s) => [s.userId, s.name]));
    },
    [api],
  );
  const [more, setMore] = useState<{ items: AuditEvent[]; nextCursor: string | null } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  if (!allowed) {
    return (
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <EmptyState title="History needs the audit permission">
          The record of who viewed and changed this patient is kept for every action, but only people allowed to read the audit trail (administrators) can see it here.
        </EmptyState>
      </section>
    );
  }

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : first.data?.nextCursor ?? null;

  async function loadMore() {
    if (!nextCursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await api.get<Page<AuditEvent>>('/api/audit-events', { ...query, cursor: nextCursor });
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setMoreError(err);
    } finally {
      setMoreBusy(false);
    }
  }

  const who = (e: AuditEvent) => {
    if (e.actor.type === 'user') return (e.actor.id && staff.data?.get(e.actor.id)) || 'A staff member';
    if (e.actor.type === 'patient') return 'The patient';
    if (e.actor.type === 'operator') return 'HealthTrack support';
    return e.actor.type === 'system' ? 'HealthTrack (automatic)' : e.actor.type;
  };

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <ErrorBanner error={first.error} title="The history could not be loaded" />
      {first.loading && !first.data ? (
        <Loading label="Loading history…" />
      ) : first.data && items.length === 0 ? (
        <EmptyState title="No history yet">Views and changes of this patient will be listed here.</EmptyState>
      ) : first.data ? (
        <>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">History of this patient, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">{formatDateTime(e.occurredAt)}</td>
                    <td>{who(e)}</td>
                    <td>{describe(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ErrorBanner error={moreError} title="More history could not be loaded" />
          {nextCursor ? <Button variant="secondary" busy={moreBusy} onClick={() => void loadMore()}>Show older events</Button> : null}
        </>
      ) : null}
    </section>
  );
}
