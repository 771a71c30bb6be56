// Placeholder: replaced by the patients area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function PatientsArea() {
  return (
    <>
      <PageHeader title="Patients" />
      <EmptyState title="Coming soon" />
    </>
  );
}
