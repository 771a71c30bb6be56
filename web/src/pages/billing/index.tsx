/** The billing area: invoices (list, new draft, one invoice with payments) and the AR aging with the CSV exports. */
import { NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../session.tsx';
import { EmptyState } from '../../ui/kit.tsx';
import { InvoiceList } from './InvoiceList.tsx';
import { NewInvoice } from './NewInvoice.tsx';
import { InvoiceDetail } from './InvoiceDetail.tsx';
import { ArAging } from './ArAging.tsx';
import './billing.css';

export function BillingArea() {
  const { can } = useSession();
  if (!can('billing:read')) {
    return <EmptyState title="Billing is not available to you">Invoices and payments need the billing permission. Ask an administrator if you need it.</EmptyState>;
  }
  return (
    <>
      <nav aria-label="Billing" className="billing-nav">
        <NavLink to="/billing" end>Invoices</NavLink>
        <NavLink to="/billing/ar-aging">AR aging and exports</NavLink>
      </nav>
      <Routes>
        <Route index element={<InvoiceList />} />
        <Route path="invoices/new" element={<NewInvoice />} />
        <Route path="invoices/:id" element={<InvoiceDetail />} />
        <Route path="ar-aging" element={<ArAging />} />
        <Route path="*" element={<EmptyState title="Page not found">There is nothing at this address in Billing.</EmptyState>} />
      </Routes>
    </>
  );
}
