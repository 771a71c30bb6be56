// Placeholder: replaced by the calendar area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function CalendarArea() {
  return (
    <>
      <PageHeader title="Calendar" />
      <EmptyState title="Coming soon" />
    </>
  );
}
