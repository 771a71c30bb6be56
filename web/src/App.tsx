/**
 * The routes. Each area owns its own nested routes in pages/<area>/index.tsx:
 * staff workspace (signed in), patient pages under /p/{practice}/… (no login), the operator console
 * under /operator (its own sign-in), and the account pages (sign-in, password reset).
 */
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { lazy, Suspense, type ReactNode } from 'react';
import { useSession } from './session.tsx';
import { BrandingProvider } from './branding.tsx';
import { StaffLayout } from './layout.tsx';
import { SignIn } from './pages/auth/SignIn.tsx';
import { AccountPages } from './pages/account/index.tsx';
import { PracticeSwitcher } from './pages/account/PracticeSwitcher.tsx';
import { Loading } from './ui/kit.tsx';

// Each area is its own chunk, loaded when first opened: a patient opening a form link downloads
// neither the calendar nor the charts.
const DashboardArea = lazy(() => import('./pages/dashboard/index.tsx').then((m) => ({ default: m.DashboardArea })));
const PatientsArea = lazy(() => import('./pages/patients/index.tsx').then((m) => ({ default: m.PatientsArea })));
const CalendarArea = lazy(() => import('./pages/calendar/index.tsx').then((m) => ({ default: m.CalendarArea })));
const BillingArea = lazy(() => import('./pages/billing/index.tsx').then((m) => ({ default: m.BillingArea })));
const ReportsArea = lazy(() => import('./pages/reports/index.tsx').then((m) => ({ default: m.ReportsArea })));
const SettingsArea = lazy(() => import('./pages/settings/index.tsx').then((m) => ({ default: m.SettingsArea })));
const OperatorArea = lazy(() => import('./pages/operator/index.tsx').then((m) => ({ default: m.OperatorArea })));
const PatientArea = lazy(() => import('./pages/patient/index.tsx').then((m) => ({ default: m.PatientArea })));

function RequireStaff({ children }: { children: ReactNode }) {
  const { session, me } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return (
    <BrandingProvider slug={session.slug}>
      <StaffLayout accountMenu={<PracticeSwitcher />}>{me ? <Suspense fallback={<Loading />}>{children}</Suspense> : <Loading label="Opening your practice…" />}</StaffLayout>
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
      <Route path="/operator/*" element={<Suspense fallback={<Loading />}><OperatorArea /></Suspense>} />
      <Route path="/p/:slug/*" element={<Suspense fallback={<Loading />}><PatientArea /></Suspense>} />
      <Route path="/dashboard/*" element={<RequireStaff><DashboardArea /></RequireStaff>} />
      <Route path="/patients/*" element={<RequireStaff><PatientsArea /></RequireStaff>} />
      <Route path="/calendar/*" element={<RequireStaff><CalendarArea /></RequireStaff>} />
      <Route path="/billing/*" element={<RequireStaff><BillingArea /></RequireStaff>} />
      <Route path="/reports/*" element={<RequireStaff><ReportsArea /></RequireStaff>} />
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
