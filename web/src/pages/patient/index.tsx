/**
 * Patient-facing pages under /p/{practice}/…, in the practice's branding, without a staff login:
 * intake forms from a link, booking and managing an appointment, waitlist offers.
 */
import { Route, Routes, useParams } from 'react-router';
import { BrandingProvider } from '../../branding.tsx';
import { PublicLayout } from './PublicLayout.tsx';
import { FormLinkPage } from './FormLinkPage.tsx';
import { BookingPage } from './BookingPage.tsx';
import { ManageAppointmentPage } from './ManageAppointmentPage.tsx';
import { WaitlistOfferPage } from './WaitlistOfferPage.tsx';
import { EmptyState } from '../../ui/kit.tsx';

export function PatientArea() {
  const { slug = '' } = useParams();
  return (
    <BrandingProvider slug={slug}>
      <PublicLayout>
        <Routes>
          <Route path="forms/:token" element={<FormLinkPage />} />
          <Route path="book" element={<BookingPage />} />
          <Route path="appointments/:token" element={<ManageAppointmentPage />} />
          <Route path="waitlist/:token" element={<WaitlistOfferPage />} />
          <Route path="*" element={<EmptyState title="Page not found">This link is not valid. Please contact the practice.</EmptyState>} />
        </Routes>
      </PublicLayout>
    </BrandingProvider>
  );
}
