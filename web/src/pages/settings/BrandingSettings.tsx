// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function BrandingSettings() {
  return (
    <>
      <PageHeader title="BrandingSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
