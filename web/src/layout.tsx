/**
 * The staff workspace frame: a skip link, the practice's logo and name in its colours, the main
 * navigation (a menu button below 768 px), and the signed-in person's menu.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router';
import { useBranding } from './branding.tsx';
import { useSession } from './session.tsx';

export interface NavItem {
  readonly to: string;
  readonly label: string;
  /** Shown only to people holding this permission. */
  readonly permission?: string;
  /** Shown only to people holding at least one of these. */
  readonly anyPermission?: readonly string[];
}

export const STAFF_NAV: readonly NavItem[] = [
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/calendar', label: 'Calendar', permission: 'scheduling:read' },
  { to: '/patients', label: 'Patients', permission: 'patients:read' },
  { to: '/billing', label: 'Billing', permission: 'billing:read' },
  { to: '/reports', label: 'Reports', anyPermission: ['scheduling:read', 'billing:read'] },
  { to: '/settings', label: 'Settings', permission: 'settings:manage' },
];

export function BrandMark({ fallback }: { fallback: string }) {
  const { branding } = useBranding();
  const name = branding?.displayName ?? fallback;
  return (
    <span className="brand-mark">
      {branding?.logoUrl ? <img src={branding.logoUrl} alt="" className="brand-logo" /> : null}
      <span className="brand-name">{name}</span>
    </span>
  );
}

export function StaffLayout({ children, accountMenu }: { children: ReactNode; accountMenu?: ReactNode }) {
  const { session, can, signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);
  return (
    <div className="app-shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="topbar">
        <NavLink to="/dashboard" className="topbar-brand">
          <BrandMark fallback={session?.practiceName ?? 'HealthTrack'} />
        </NavLink>
        <button type="button" className="btn btn-secondary menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <div className="topbar-account">
          {accountMenu}
          <span className="muted small who">{session?.name}</span>
          <button type="button" className="btn btn-link topbar-link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="app-body">
        <nav id="main-nav" aria-label="Main" className={`sidenav${menuOpen ? ' open' : ''}`}>
          <ul>
            {STAFF_NAV.filter((n) => (!n.permission || can(n.permission)) && (!n.anyPermission || n.anyPermission.some((p) => can(p)))).map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>{n.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1} className="content">
          {children}
        </main>
      </div>
    </div>
  );
}
