/**
 * Settings: one page per section, listed in a side menu. Each section is its own file in this
 * folder (or a sub-folder) and owns its routes below /settings/<section>.
 */
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { BrandingSettings } from './BrandingSettings.tsx';
import { LocationsSettings } from './LocationsSettings.tsx';
import { ProvidersSettings } from './ProvidersSettings.tsx';
import { AppointmentTypesSettings } from './AppointmentTypesSettings.tsx';
import { RolesSettings } from './RolesSettings.tsx';
import { WebhooksSettings } from './WebhooksSettings.tsx';
import { PricesSettings } from './PricesSettings.tsx';
import { FormsSettings } from './FormsSettings.tsx';
import { WorkflowsSettings } from './WorkflowsSettings.tsx';
import { TemplatesSettings } from './TemplatesSettings.tsx';
import './settings.css';

export const SETTINGS_SECTIONS = [
  { path: 'branding', label: 'Branding', element: <BrandingSettings /> },
  { path: 'locations', label: 'Locations and hours', element: <LocationsSettings /> },
  { path: 'providers', label: 'Providers', element: <ProvidersSettings /> },
  { path: 'appointment-types', label: 'Appointment types and rules', element: <AppointmentTypesSettings /> },
  { path: 'prices', label: 'Prices and tax', element: <PricesSettings /> },
  { path: 'forms', label: 'Intake forms', element: <FormsSettings /> },
  { path: 'workflows', label: 'Workflows', element: <WorkflowsSettings /> },
  { path: 'templates', label: 'Email templates', element: <TemplatesSettings /> },
  { path: 'roles', label: 'Staff and roles', element: <RolesSettings /> },
  { path: 'webhooks', label: 'Webhooks', element: <WebhooksSettings /> },
] as const;

export function SettingsArea() {
  return (
    <div className="settings-layout">
      <nav aria-label="Settings" className="settings-nav">
        <ul>
          {SETTINGS_SECTIONS.map((s) => (
            <li key={s.path}>
              <NavLink to={`/settings/${s.path}`}>{s.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-page">
        <Routes>
          <Route index element={<Navigate to="branding" replace />} />
          {SETTINGS_SECTIONS.map((s) => (
            <Route key={s.path} path={`${s.path}/*`} element={s.element} />
          ))}
        </Routes>
      </div>
    </div>
  );
}
