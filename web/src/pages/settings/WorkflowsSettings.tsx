// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function WorkflowsSettings() {
  return (
    <>
      <PageHeader title="WorkflowsSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
