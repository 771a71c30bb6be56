/** The patients area: the searchable list, registering a patient, and one patient's record. */
import { Route, Routes } from 'react-router';
import { EmptyState } from '../../ui/kit.tsx';
import { useSession } from '../../session.tsx';
import { PatientList } from './PatientList.tsx';
import { NewPatient } from './NewPatient.tsx';
import { PatientDetail } from './PatientDetail.tsx';
import './patients.css';

export function PatientsArea() {
  const { can } = useSession();
  if (!can('patients:read')) {
    return <EmptyState title="Patients are not available to you">Reading patient records needs the patients permission. Ask an administrator if you need it.</EmptyState>;
  }
  return (
    <Routes>
      <Route index element={<PatientList />} />
      <Route path="new" element={<NewPatient />} />
      <Route path=":id" element={<PatientDetail />} />
      <Route path="*" element={<EmptyState title="Page not found">There is nothing at this address in Patients.</EmptyState>} />
    </Routes>
  );
}
