// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function RolesSettings() {
  return (
    <>
      <PageHeader title="RolesSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
