// Placeholder: replaced by the settings work.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function TemplatesSettings() {
  return (
    <>
      <PageHeader title="TemplatesSettings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
