// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function LocationsSettings() {
  return (
    <>
      <PageHeader title="LocationsSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
