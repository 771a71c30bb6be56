/**
 * The operator console (/operator): its own sign-in and session, then the practices list, one
 * practice's health, and the onboarding wizard.
 */
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { applyBrandColours, DEFAULT_ACCENT, DEFAULT_PRIMARY } from '../../branding.tsx';
import { OperatorSessionProvider, useOperator } from './operator-session.tsx';
import { OperatorSignIn } from './OperatorSignIn.tsx';
import { TenantsList } from './TenantsList.tsx';
import { TenantPage } from './TenantPage.tsx';
import { OnboardWizard } from './OnboardWizard.tsx';
import { Loading } from '../../ui/kit.tsx';
import './operator.css';

// Charts (recharts) load only when the Costs page is opened.
const CostsPage = lazy(() => import('./CostsPage.tsx').then((m) => ({ default: m.CostsPage })));

export function OperatorArea() {
  // The console is HealthTrack's, never a practice's: back to the default colours.
  useEffect(() => applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT), []);
  return (
    <OperatorSessionProvider>
      <Routes>
        <Route path="login" element={<OperatorSignIn />} />
        <Route path="tenants" element={<RequireOperator><TenantsList /></RequireOperator>} />
        <Route path="tenants/new" element={<RequireOperator><OnboardWizard /></RequireOperator>} />
        <Route path="tenants/:slug" element={<RequireOperator><TenantPage /></RequireOperator>} />
        <Route path="costs" element={<RequireOperator><Suspense fallback={<Loading />}><CostsPage /></Suspense></RequireOperator>} />
        <Route path="*" element={<Navigate to="/operator/tenants" replace />} />
      </Routes>
    </OperatorSessionProvider>
  );
}

function RequireOperator({ children }: { children: ReactNode }) {
  const { session } = useOperator();
  const location = useLocation();
  if (!session) return <Navigate to="/operator/login" replace state={{ from: location.pathname + location.search }} />;
  return <OperatorLayout>{children}</OperatorLayout>;
}

function OperatorLayout({ children }: { children: ReactNode }) {
  const { session, signOut } = useOperator();
  return (
    <div className="app-shell operator-shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="topbar operator-topbar">
        <NavLink to="/operator/tenants" className="topbar-brand" end>
          <span className="brand-name">HealthTrack operators</span>
        </NavLink>
        <nav aria-label="Operator" className="operator-nav">
          <NavLink to="/operator/tenants" end>Practices</NavLink>
          <NavLink to="/operator/tenants/new">Onboard a practice</NavLink>
          <NavLink to="/operator/costs">Costs</NavLink>
        </nav>
        <div className="topbar-account">
          <span className="muted small who">{session?.name}</span>
          <button type="button" className="btn btn-link topbar-link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="content operator-content">
        {children}
      </main>
    </div>
  );
}
