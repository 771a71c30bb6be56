// Placeholder: replaced by the dashboard area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function DashboardArea() {
  return (
    <>
      <PageHeader title="Dashboard" />
      <EmptyState title="Coming soon" />
    </>
  );
}
