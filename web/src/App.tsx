/**
 * The routes. Each area owns its own nested routes in pages/<area>/index.tsx:
 * staff workspace (signed in), patient pages under /p/{practice}/… (no login), the operator console
 * under /operator (its own sign-in), and the account pages (sign-in, password reset).
 */
import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { useSession } from './session.tsx';
import { BrandingProvider } from './branding.tsx';
import { StaffLayout } from './layout.tsx';
import { SignIn } from './pages/auth/SignIn.tsx';
import { AccountPages } from './pages/account/index.tsx';
import { PracticeSwitcher } from './pages/account/PracticeSwitcher.tsx';
import { DashboardArea } from './pages/dashboard/index.tsx';
import { PatientsArea } from './pages/patients/index.tsx';
import { CalendarArea } from './pages/calendar/index.tsx';
import { BillingArea } from './pages/billing/index.tsx';
import { SettingsArea } from './pages/settings/index.tsx';
import { OperatorArea } from './pages/operator/index.tsx';
import { PatientArea } from './pages/patient/index.tsx';
import { Loading } from './ui/kit.tsx';

function RequireStaff({ children }: { children: ReactNode }) {
  const { session, me } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <BrandingProvider slug={session.slug}>
      <StaffLayout accountMenu={<PracticeSwitcher />}>{me ? children : <Loading label="Opening your practice…" />}</StaffLayout>
    </BrandingProvider>
  );
}

export function App() {
  const { session } = useSession();
  return (
    <Routes>
      <Route path="/login" element={<SignIn />} />
      <Route path="/forgot-password" element={<AccountPages page="forgot" />} />
      <Route path="/reset-password" element={<AccountPages page="reset" />} />
      <Route path="/operator/*" element={<OperatorArea />} />
      <Route path="/p/:slug/*" element={<PatientArea />} />
      <Route path="/dashboard/*" element={<RequireStaff><DashboardArea /></RequireStaff>} />
      <Route path="/patients/*" element={<RequireStaff><PatientsArea /></RequireStaff>} />
      <Route path="/calendar/*" element={<RequireStaff><CalendarArea /></RequireStaff>} />
      <Route path="/billing/*" element={<RequireStaff><BillingArea /></RequireStaff>} />
      <Route path="/settings/*" element={<RequireStaff><SettingsArea /></RequireStaff>} />
      <Route path="/" element={<Navigate to={session ? '/dashboard' : '/login'} replace />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

function NotFound() {
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <p><a href="/">Go to the start page</a></p>
      </div>
    </main>
  );
}
