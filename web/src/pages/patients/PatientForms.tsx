/**
 * The Forms tab: the patient's form responses, newest first; opening one shows the answers under
 * the labels of the form version the patient filled in (not today's version of the form).
 */
import { useState } from 'react';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { Badge, Button, Dialog, EmptyState, ErrorBanner, Loading } from '../../ui/kit.tsx';
import type { Page } from './types.ts';

interface ResponseSummary {
  readonly id: string;
  readonly formTitle: string;
  readonly version: number;
  readonly submittedVia: 'staff' | 'link';
  readonly submittedAt: string;
  readonly appliedToPatient: boolean;
}

interface FormField {
  readonly id: string;
  readonly type: string;
  readonly label: string;
  readonly options?: readonly { value: string; label: string }[];
  readonly consent?: { text: string };
}

interface FormResponse extends ResponseSummary {
  readonly answers: Record<string, unknown>;
  readonly changes: { applied: { target: string; previous: unknown; value: unknown }[]; skipped: { target: string; reason: string }[] };
  readonly definition: { title: string; description?: string; sections: { id: string; title: string; description?: string; fields: FormField[] }[] };
}

/** An answer as a person reads it, using the option labels of the version filled in. */
export function answerText(field: FormField, answer: unknown): string | null {
  if (answer === null || answer === undefined || answer === '') return null;
  const label = (v: unknown) => field.options?.find((o) => o.value === v)?.label ?? String(v);
  switch (field.type) {
    case 'yes_no':
      return answer === true ? 'Yes' : answer === false ? 'No' : String(answer);
    case 'date':
      return typeof answer === 'string' ? formatDate(answer) : String(answer);
    case 'single_choice':
      return label(answer);
    case 'multiple_choice':
      return Array.isArray(answer) ? (answer.length ? answer.map(label).join(', ') : null) : label(answer);
    case 'consent': {
      const c = answer as { agreed?: boolean; signatureName?: string; signedAt?: string };
      if (!c.agreed) return null;
      return `Agreed${c.signatureName ? `, signed “${c.signatureName}”` : ''}${c.signedAt ? ` on ${formatDateTime(c.signedAt)}` : ''}`;
    }
    default:
      return typeof answer === 'object' ? JSON.stringify(answer) : String(answer);
  }
}

function ResponseView({ id }: { id: string }) {
  const { api } = useSession();
  const r = useLoad((signal) => api.get<FormResponse>(`/api/form-responses/${id}`, undefined, signal), [api, id]);
  if (r.loading && !r.data) return <Loading label="Loading the response…" />;
  if (!r.data) return <ErrorBanner error={r.error} title="The response could not be loaded" />;
  const d = r.data;
  return (
    <div className="form-response">
      <p className="muted small">
        Version {d.version} · submitted {formatDateTime(d.submittedAt)} {d.submittedVia === 'link' ? 'by the patient through a link' : 'by staff'}
      </p>
      {d.definition.sections.map((s) => (
        <section key={s.id} aria-label={s.title}>
          <h3>{s.title}</h3>
          <dl className="facts">
            {s.fields.map((f) => {
              const text = answerText(f, d.answers[f.id]);
              return (
                <div key={f.id} className="form-answer">
                  <dt>{f.label}</dt>
                  <dd>{text ?? <span className="muted">Not answered</span>}</dd>
                </div>
              );
            })}
          </dl>
        </section>
      ))}
      {d.changes.applied.length > 0 ? (
        <>
          <h3>Changes made to the patient record</h3>
          <ul>
            {d.changes.applied.map((c) => (
              <li key={c.target}><code>{c.target}</code>: {c.previous === null || c.previous === undefined ? 'empty' : String(c.previous)} → {String(c.value)}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function PatientForms({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const first = useLoad((signal) => api.get<Page<ResponseSummary>>(`/api/patients/${patientId}/form-responses`, { limit: 25 }, signal), [api, patientId]);
  const [more, setMore] = useState<{ items: ResponseSummary[]; nextCursor: string | null } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [open, setOpen] = useState<ResponseSummary | null>(null);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : first.data?.nextCursor ?? null;

  async function loadMore() {
    if (!nextCursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await api.get<Page<ResponseSummary>>(`/api/patients/${patientId}/form-responses`, { limit: 25, cursor: nextCursor });
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setMoreError(err);
    } finally {
      setMoreBusy(false);
    }
  }

  return (
    <section aria-labelledby="forms-heading">
      <h2 id="forms-heading">Forms</h2>
      <ErrorBanner error={first.error} title="The form responses could not be loaded" />
      {first.loading && !first.data ? (
        <Loading label="Loading form responses…" />
      ) : first.data && items.length === 0 ? (
        <EmptyState title="No forms filled in yet">Send the patient a form link, or record their answers, from the practice's forms.</EmptyState>
      ) : first.data ? (
        <>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Form responses</caption>
              <thead>
                <tr>
                  <th scope="col">Form</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">By</th>
                  <th scope="col"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.formTitle} <span className="muted small">v{r.version}</span>
                      {r.appliedToPatient ? <> <Badge tone="info">Updated record</Badge></> : null}
                    </td>
                    <td className="nowrap">{formatDateTime(r.submittedAt)}</td>
                    <td>{r.submittedVia === 'link' ? 'Patient (link)' : 'Staff'}</td>
                    <td><Button variant="link" onClick={() => setOpen(r)} aria-label={`Open ${r.formTitle} of ${formatDateTime(r.submittedAt)}`}>Open</Button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ErrorBanner error={moreError} title="More responses could not be loaded" />
          {nextCursor ? <Button variant="secondary" busy={moreBusy} onClick={() => void loadMore()}>Show more responses</Button> : null}
        </>
      ) : null}
      <Dialog open={open !== null} title={open?.formTitle ?? 'Form response'} onClose={() => setOpen(null)}>
        {open ? <ResponseView id={open.id} /> : null}
      </Dialog>
    </section>
  );
}
