// Placeholder: replaced by the billing area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function BillingArea() {
  return (
    <>
      <PageHeader title="Billing" />
      <EmptyState title="Coming soon" />
    </>
  );
}
