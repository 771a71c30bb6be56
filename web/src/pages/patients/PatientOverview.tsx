/** The Overview tab: the whole record, and editing it (with If-Match so two people cannot overwrite each other). */
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { Button, useToast } from '../../ui/kit.tsx';
import { PatientForm } from './PatientForm.tsx';
import { updateBody, valuesFrom } from './patient-form-values.ts';
import { addressLine, SEX_LABELS, type Patient } from './types.ts';

export function PatientOverview({ patient, onSaved, onReload }: { patient: Patient; onSaved: (p: Patient) => void; onReload: () => void }) {
  const { api, can } = useSession();
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState(false);
  const canEdit = can('patients:write') && patient.status === 'active';

  if (editing) {
    return (
      <section aria-labelledby="edit-patient-heading">
        <h2 id="edit-patient-heading">Edit details</h2>
        {conflict ? (
          <div className="banner banner-warn" role="status">
            <p>Your changes were not saved, so theirs are not lost. Load the latest version, then make your changes again.</p>
            <Button variant="secondary" className="btn-small" onClick={() => { setConflict(false); setEditing(false); onReload(); }}>Load the latest version</Button>
          </div>
        ) : null}
        <PatientForm
          key={patient.version}
          initial={valuesFrom(patient)}
          submitLabel="Save changes"
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            const body = updateBody(patient, values);
            if (Object.keys(body).length === 0) {
              setEditing(false);
              toast('Nothing to save: no field changed');
              return;
            }
            try {
              const saved = await api.request<Patient>(`/api/patients/${patient.id}`, { method: 'PATCH', body, headers: { 'if-match': `"${patient.version}"` } });
              onSaved(saved);
              setEditing(false);
              toast('Changes saved');
            } catch (err) {
              if (err instanceof ApiError && (err.status === 409 || err.status === 412) && err.errors.length === 0) setConflict(true);
              throw err;
            }
          }}
        />
      </section>
    );
  }

  return (
    <section aria-labelledby="details-heading">
      <div className="patient-section-head">
        <h2 id="details-heading">Details</h2>
        {canEdit ? <Button variant="secondary" onClick={() => setEditing(true)}>Edit details</Button> : null}
      </div>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{patient.firstName} {patient.lastName}</dd>
        <dt>Preferred name</dt>
        <dd>{patient.preferredName ?? <span className="muted">Not recorded</span>}</dd>
        <dt>Medical record number</dt>
        <dd>{patient.mrn}</dd>
        <dt>Date of birth</dt>
        <dd>{formatDate(patient.dateOfBirth)}</dd>
        <dt>Sex</dt>
        <dd>{patient.sex ? SEX_LABELS[patient.sex] : <span className="muted">Not recorded</span>}</dd>
        <dt>Phone</dt>
        <dd>{patient.phone ?? <span className="muted">Not recorded</span>}</dd>
        <dt>Email</dt>
        <dd className="patient-email">{patient.email ?? <span className="muted">Not recorded</span>}</dd>
        <dt>Address</dt>
        <dd>{patient.address ? addressLine(patient.address) : <span className="muted">Not recorded</span>}</dd>
        <dt>Allergies</dt>
        <dd>
          {patient.allergies.length > 0 ? (
            <ul className="patient-allergies">{patient.allergies.map((a) => <li key={a}>{a}</li>)}</ul>
          ) : (
            <span className="muted">None reported</span>
          )}
        </dd>
        <dt>Registered</dt>
        <dd>{formatDateTime(patient.createdAt)}</dd>
        <dt>Last changed</dt>
        <dd>{formatDateTime(patient.updatedAt)}</dd>
      </dl>
    </section>
  );
}
