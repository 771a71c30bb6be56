/**
 * /patients/:id: who the patient is and what they owe at a glance, then tabs for the record
 * (overview and edit), appointments, invoices, forms and history. The current tab is in the
 * address (?tab=) so a reload or a shared link opens the same view. Tabs the person may not use
 * (no permission, or a feature outside the plan) are not shown.
 */
import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatMoney } from '../../ui/format.ts';
import { Badge, Button, Dialog, EmptyState, ErrorBanner, Loading, PageHeader, TabPanel, Tabs, useToast } from '../../ui/kit.tsx';
import { PatientOverview } from './PatientOverview.tsx';
import { PatientAppointments } from './PatientAppointments.tsx';
import { PatientInvoices } from './PatientInvoices.tsx';
import { PatientForms } from './PatientForms.tsx';
import { PatientHistory } from './PatientHistory.tsx';
import { ageOn, displayName, type Patient } from './types.ts';

type TabKey = 'overview' | 'appointments' | 'invoices' | 'forms' | 'history';

interface Balance {
  readonly currency: string;
  readonly balance: number;
}

export function PatientDetail() {
  const { id = '' } = useParams();
  const { api, can, has } = useSession();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const loaded = useLoad((signal) => api.get<Patient>(`/api/patients/${encodeURIComponent(id)}`, undefined, signal), [api, id]);
  // What a save, archive or restore answered; a fresh load (reload, another patient) replaces it.
  const [patientOverride, setPatientOverride] = useState<Patient | null>(null);
  useEffect(() => setPatientOverride(null), [loaded.data]);
  const patient = patientOverride && patientOverride.id === id ? patientOverride : loaded.data;

  const canBilling = can('billing:read');
  const balance = useLoad(
    (signal) => (canBilling ? api.get<Balance>(`/api/patients/${encodeURIComponent(id)}/balance`, undefined, signal) : Promise.resolve(null)),
    [api, id, canBilling],
  );

  const [confirm, setConfirm] = useState(false);
  const [archiveBusy, setArchiveBusy] = useState(false);
  const [archiveError, setArchiveError] = useState<unknown>(null);
  const [pdfBusy, setPdfBusy] = useState(false);
  const [pdfError, setPdfError] = useState<unknown>(null);

  const tabs: { key: TabKey; label: string }[] = [{ key: 'overview', label: 'Overview' }];
  if (can('scheduling:read')) tabs.push({ key: 'appointments', label: 'Appointments' });
  if (canBilling) tabs.push({ key: 'invoices', label: 'Invoices' });
  if (has('intake_forms')) tabs.push({ key: 'forms', label: 'Forms' });
  tabs.push({ key: 'history', label: 'History' });
  const requested = params.get('tab') as TabKey | null;
  const current: TabKey = tabs.some((t) => t.key === requested) ? requested! : 'overview';
  const setTab = (k: TabKey) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (k === 'overview') next.delete('tab');
    else next.set('tab', k);
    return next;
  }, { replace: true });

  if (loaded.loading && !patient) return <Loading label="Loading patient…" />;
  if (!patient) {
    const missing = loaded.error instanceof ApiError && (loaded.error.status === 404 || loaded.error.status === 400);
    return missing ? (
      <EmptyState title="Patient not found" action={<Link className="btn btn-secondary" to="/patients">Back to patients</Link>}>
        There is no patient at this address in your practice. They may have been registered in another practice.
      </EmptyState>
    ) : (
      <>
        <ErrorBanner error={loaded.error} title="The patient could not be loaded" />
        <Button variant="secondary" onClick={loaded.reload}>Try again</Button>
      </>
    );
  }

  const archived = patient.status === 'archived';

  async function setArchived(archive: boolean) {
    setArchiveBusy(true);
    setArchiveError(null);
    try {
      const next = await api.post<Patient>(`/api/patients/${patient!.id}/${archive ? 'archive' : 'restore'}`);
      setPatientOverride(next);
      setConfirm(false);
      toast(archive ? `${displayName(next)} archived` : `${displayName(next)} restored`);
    } catch (err) {
      setArchiveError(err);
    } finally {
      setArchiveBusy(false);
    }
  }

  async function downloadStatement() {
    setPdfBusy(true);
    setPdfError(null);
    try {
      await api.download(`/api/patients/${patient!.id}/statement.pdf`, `statement-${patient!.mrn}.pdf`);
    } catch (err) {
      setPdfError(err);
    } finally {
      setPdfBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title={displayName(patient)}
        subtitle={
          <>
            <Link to="/patients">← All patients</Link>
            <span aria-hidden="true"> · </span>
            {patient.mrn}
            {patient.preferredName ? <> · prefers “{patient.preferredName}”</> : null}
            {' '}
            {archived ? <Badge tone="warn">Archived</Badge> : <Badge tone="good">Active</Badge>}
          </>
        }
      >
        {canBilling ? <Button variant="secondary" busy={pdfBusy} onClick={() => void downloadStatement()}>Download statement (PDF)</Button> : null}
        {can('patients:archive') ? (
          archived ? (
            <Button variant="secondary" busy={archiveBusy} onClick={() => void setArchived(false)}>Restore patient</Button>
          ) : (
            <Button variant="secondary" onClick={() => { setArchiveError(null); setConfirm(true); }}>Archive patient</Button>
          )
        ) : null}
      </PageHeader>

      <ErrorBanner error={pdfError} title="The statement could not be made" />
      {!confirm ? <ErrorBanner error={archiveError} title="That did not work" /> : null}
      {archived ? (
        <div className="banner banner-warn">
          <strong>This patient is archived</strong>
          <p>Archived {patient.archivedAt ? formatDate(patient.archivedAt) : ''}. They are left out of searches and cannot be edited{can('patients:archive') ? ' until restored' : ''}.</p>
        </div>
      ) : null}

      <section className="card patient-summary" aria-label="Patient summary">
        <dl className="facts patient-facts">
          <dt>Date of birth</dt>
          <dd>{formatDate(patient.dateOfBirth)} (age {ageOn(patient.dateOfBirth)})</dd>
          <dt>Phone</dt>
          <dd>{patient.phone ? <a href={`tel:${patient.phone.replace(/[^\d+]/g, '')}`}>{patient.phone}</a> : <span className="muted">Not recorded</span>}</dd>
          <dt>Email</dt>
          <dd className="patient-email">{patient.email ? <a href={`mailto:${patient.email}`}>{patient.email}</a> : <span className="muted">Not recorded</span>}</dd>
          {canBilling ? (
            <>
              <dt>Balance owed</dt>
              <dd>
                {balance.loading && !balance.data ? (
                  <span className="muted">Loading…</span>
                ) : balance.data ? (
                  <strong className={balance.data.balance > 0 ? 'patient-owes' : undefined}>
                    {formatMoney(balance.data.balance, balance.data.currency)}
                    {balance.data.balance > 0 ? ' owed' : balance.data.balance < 0 ? ' in credit' : ''}
                  </strong>
                ) : (
                  <span className="muted">Not available</span>
                )}
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <Tabs label="Patient record" tabs={tabs} current={current} onChange={setTab} />
      {tabs.map((t) =>
        t.key === current ? (
          <TabPanel key={t.key} id={t.key}>
            {t.key === 'overview' ? <PatientOverview patient={patient} onSaved={setPatientOverride} onReload={loaded.reload} /> : null}
            {t.key === 'appointments' ? <PatientAppointments patientId={patient.id} /> : null}
            {t.key === 'invoices' ? <PatientInvoices patientId={patient.id} /> : null}
            {t.key === 'forms' ? <PatientForms patientId={patient.id} /> : null}
            {t.key === 'history' ? <PatientHistory patientId={patient.id} /> : null}
          </TabPanel>
        ) : (
          // Every tab's aria-controls names a panel that exists; the inactive ones are hidden.
          <div key={t.key} role="tabpanel" id={`panel-${t.key}`} aria-labelledby={`tab-${t.key}`} hidden />
        ),
      )}

      <Dialog
        open={confirm}
        title="Archive this patient?"
        onClose={() => setConfirm(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirm(false)} disabled={archiveBusy}>Cancel</Button>
            <Button variant="danger" busy={archiveBusy} onClick={() => void setArchived(true)}>Archive {displayName(patient)}</Button>
          </>
        }
      >
        <p>
          {displayName(patient)} ({patient.mrn}) will be left out of patient searches and their record can no longer be edited. Nothing is deleted:
          appointments, invoices and forms stay, and you can restore the patient at any time.
        </p>
        <ErrorBanner error={confirm ? archiveError : null} title="The patient could not be archived" />
      </Dialog>
    </>
  );
}
