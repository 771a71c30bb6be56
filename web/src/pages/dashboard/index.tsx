/** The dashboard area: the practice overview (charts of appointments, no-shows, revenue and new patients). */
import { Route, Routes } from 'react-router';
import { useSession } from '../../session.tsx';
import { EmptyState, PageHeader } from '../../ui/kit.tsx';
import { Dashboard } from './Dashboard.tsx';
import './dashboard.css';

export function DashboardArea() {
  const { can, session } = useSession();
  if (!can('scheduling:read')) {
    return (
      <>
        <PageHeader title="Dashboard" subtitle={session ? `Welcome to ${session.practiceName}.` : undefined} />
        <EmptyState title="The practice charts are not available to you">They need the permission to view calendars and appointments. Use the menu to reach your work.</EmptyState>
      </>
    );
  }
  return (
    <Routes>
      <Route index element={<Dashboard />} />
      <Route path="*" element={<EmptyState title="Page not found">There is nothing at this address in the Dashboard.</EmptyState>} />
    </Routes>
  );
}
