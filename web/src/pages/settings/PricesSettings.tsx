// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function PricesSettings() {
  return (
    <>
      <PageHeader title="PricesSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
