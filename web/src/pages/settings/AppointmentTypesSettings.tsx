// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function AppointmentTypesSettings() {
  return (
    <>
      <PageHeader title="AppointmentTypesSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
