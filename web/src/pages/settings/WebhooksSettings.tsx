// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function WebhooksSettings() {
  return (
    <>
      <PageHeader title="WebhooksSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
