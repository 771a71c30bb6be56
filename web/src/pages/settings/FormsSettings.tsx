// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function FormsSettings() {
  return (
    <>
      <PageHeader title="FormsSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
