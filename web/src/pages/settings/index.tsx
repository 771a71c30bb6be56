// Placeholder: replaced by the settings area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function SettingsArea() {
  return (
    <>
      <PageHeader title="Settings" />
      <EmptyState title="Coming soon" />
    </>
  );
}
