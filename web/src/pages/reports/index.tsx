/** The reports area (lazy-loaded): the report suite, for people who may view appointments or billing. */
import { Route, Routes } from 'react-router';
import { useSession } from '../../session.tsx';
import { EmptyState, PageHeader } from '../../ui/kit.tsx';
import { Reports } from './Reports.tsx';
import './reports.css';

export function ReportsArea() {
  const { can } = useSession();
  if (!can('scheduling:read') && !can('billing:read')) {
    return (
      <>
        <PageHeader title="Reports" />
        <EmptyState title="The reports are not available to you">They need the permission to view appointments or billing. Use the menu to reach your work.</EmptyState>
      </>
    );
  }
  return (
    <Routes>
      <Route index element={<Reports />} />
      <Route path="*" element={<EmptyState title="Page not found">There is nothing at this address in Reports.</EmptyState>} />
    </Routes>
  );
}
