// Placeholder: replaced by the patient area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function PatientArea() {
  return (
    <>
      <PageHeader title="Patient" />
      <EmptyState title="Coming soon" />
    </>
  );
}
