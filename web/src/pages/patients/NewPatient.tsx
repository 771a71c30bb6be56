/** /patients/new: register a patient, then go to their page. */
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../session.tsx';
import { EmptyState, PageHeader, useToast } from '../../ui/kit.tsx';
import { PatientForm } from './PatientForm.tsx';
import { createBody, EMPTY_VALUES } from './patient-form-values.ts';
import { displayName, type Patient } from './types.ts';

export function NewPatient() {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  if (!can('patients:write')) {
    return (
      <>
        <PageHeader title="Add patient" />
        <EmptyState title="You cannot register patients" action={<Link to="/patients">Back to patients</Link>}>
          Registering patients needs the permission to edit patients. Ask an administrator if you need it.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Add patient" subtitle={<Link to="/patients">← All patients</Link>} />
      <div className="card">
        <PatientForm
          initial={EMPTY_VALUES}
          submitLabel="Save patient"
          onCancel={() => navigate('/patients')}
          onSubmit={async (values) => {
            const patient = await api.post<Patient>('/api/patients', createBody(values));
            toast(`${displayName(patient)} registered (${patient.mrn})`);
            navigate(`/patients/${patient.id}`);
          }}
        />
      </div>
    </>
  );
}
