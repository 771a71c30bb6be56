/**
 * The frame of every patient-facing page: the practice's logo, name and colours, its contact
 * details in the footer, no staff navigation and no login.
 */
import type { ReactNode } from 'react';
import { useBranding } from '../../branding.tsx';
import { EmptyState, Loading } from '../../ui/kit.tsx';

export function PublicLayout({ children }: { children: ReactNode }) {
  const { branding, loaded } = useBranding();
  const address = branding?.address ? Object.values(branding.address).filter(Boolean).join(', ') : null;
  return (
    <div className="public-shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="public-header">
        <span className="brand-mark">
          {branding?.logoUrl ? <img src={branding.logoUrl} alt="" className="brand-logo" /> : null}
          <span className="brand-name">{branding?.displayName ?? ''}</span>
        </span>
        {branding?.tagline ? <div className="small">{branding.tagline}</div> : null}
      </header>
      <main id="main" className="public-main" tabIndex={-1}>
        {!loaded ? (
          <Loading />
        ) : branding === null ? (
          <EmptyState title="Practice not found">This link does not belong to a practice we know. Please check it, or contact your practice.</EmptyState>
        ) : (
          children
        )}
      </main>
      {branding ? (
        <footer className="public-footer">
          <div>{branding.displayName}</div>
          {address ? <div>{address}</div> : null}
          {branding.phone ? <div>Phone: <a href={`tel:${branding.phone}`}>{branding.phone}</a></div> : null}
          {branding.email ? <div>Email: <a href={`mailto:${branding.email}`}>{branding.email}</a></div> : null}
        </footer>
      ) : null}
    </div>
  );
}
