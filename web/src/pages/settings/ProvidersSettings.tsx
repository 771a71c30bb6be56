// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function ProvidersSettings() {
  return (
    <>
      <PageHeader title="ProvidersSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
