/** "Send to patient": choose a patient, create a single-use link, show it (and email it when asked). */
import { useState } from 'react';
import { ApiError } from '../../../api.ts';
import { useSession } from '../../../session.tsx';
import { useDebounced, useLoad } from '../../../ui/hooks.ts';
import { Button, Checkbox, Dialog, ErrorBanner, TextField } from '../../../ui/kit.tsx';
import { formatDate, formatDateTime } from '../../../ui/format.ts';

interface PatientHit {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly dateOfBirth: string | null;
  readonly mrn?: string | null;
  readonly email?: string | null;
}

interface LinkCreated {
  readonly url: string;
  readonly expiresAt: string;
  readonly version: number;
  readonly email: 'queued' | 'no_address' | 'not_requested';
}

export function SendFormDialog({ formId, formTitle, open, onClose }: { formId: string; formTitle: string; open: boolean; onClose: () => void }) {
  const { api } = useSession();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [patient, setPatient] = useState<PatientHit | null>(null);
  const [sendEmail, setSendEmail] = useState(true);
  const [hours, setHours] = useState('72');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [link, setLink] = useState<LinkCreated | null>(null);
  const hits = useLoad(
    (signal) => (query.length >= 2 ? api.get<{ items: PatientHit[] }>('/api/patients', { q: query, limit: 8 }, signal) : Promise.resolve({ items: [] })),
    [query],
  );
  const close = () => {
    setLink(null);
    setPatient(null);
    setQ('');
    setError(null);
    onClose();
  };
  const send = async () => {
    if (!patient) return;
    setBusy(true);
    setError(null);
    try {
      setLink(await api.post<LinkCreated>(`/api/forms/${formId}/links`, { patientId: patient.id, sendEmail, expiresInHours: Number(hours) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <Dialog open={open} title={`Send “${formTitle}” to a patient`} onClose={close} footer={link ? <Button onClick={close}>Done</Button> : null}>
      {link ? (
        <div>
          <p role="status">
            Link created for {patient?.firstName} {patient?.lastName} (version {link.version}).{' '}
            {link.email === 'queued' ? 'It was emailed to the patient.' : link.email === 'no_address' ? 'The patient has no email address on file: share the link another way.' : 'It was not emailed.'}
          </p>
          <TextField label="Form link" readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} hint={`Single use; works until ${formatDateTime(link.expiresAt)}. It is shown only now.`} />
          <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(link.url)}>Copy link</Button>
        </div>
      ) : (
        <div>
          <ErrorBanner error={error} title="The link was not created" />
          <TextField label="Find a patient" type="search" placeholder="Name or MRN" value={q} onChange={(e) => { setQ(e.target.value); setPatient(null); }} error={apiErr?.fieldError('patientId')} />
          {query.length >= 2 && !patient ? (
            hits.loading ? (
              <p className="muted small" role="status">Searching…</p>
            ) : hits.data && hits.data.items.length > 0 ? (
              <ul className="builder-picklist" aria-label="Matching patients">
                {hits.data.items.map((p) => (
                  <li key={p.id}>
                    <button type="button" className="btn btn-secondary btn-small" onClick={() => setPatient(p)}>
                      {p.firstName} {p.lastName}{p.dateOfBirth ? `, born ${formatDate(p.dateOfBirth)}` : ''}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted small" role="status">No patient matches “{query}”.</p>
            )
          ) : null}
          {patient ? <p>Sending to <strong>{patient.firstName} {patient.lastName}</strong>.</p> : null}
          <TextField label="Link works for (hours)" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} error={apiErr?.fieldError('expiresInHours')} hint="At most 720 (30 days)" />
          <Checkbox label="Email the link to the patient" checked={sendEmail} onChange={(e) => setSendEmail(e.target.checked)} />
          <Button onClick={() => void send()} busy={busy} disabled={!patient}>Create link</Button>
        </div>
      )}
    </Dialog>
  );
}
