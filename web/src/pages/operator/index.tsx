// Placeholder: replaced by the operator area.
import { PageHeader, EmptyState } from '../../ui/kit.tsx';

export function OperatorArea() {
  return (
    <>
      <PageHeader title="Operator console" />
      <EmptyState title="Coming soon" />
    </>
  );
}
