/**
 * The fixed permission catalogue and the built-in roles made from it. Roles are tenant data
 * (table `roles`); custom roles pick from this same catalogue, so routes never change.
 */

export const PERMISSIONS = {
  'patients:read': 'View patients and their demographics',
  'patients:write': 'Create and update patients',
  'patients:archive': 'Archive and restore patients',
  'audit:read': "Read the practice's audit trail",
  'staff:read': 'View staff members and their roles',
  'staff:manage': 'Invite staff and assign roles',
  'settings:manage': 'Change practice settings',
  'scheduling:read': 'View calendars and appointments',
  'scheduling:write': 'Book, reschedule and cancel appointments',
  'billing:read': 'View invoices and payments',
  'billing:write': 'Issue invoices and record payments',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, value);
}

export interface BuiltInRole {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

/** Created for every new practice; admins may later add custom roles from the catalogue. */
export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  { key: 'admin', name: 'Administrator', description: 'Runs the practice account', permissions: ALL_PERMISSIONS },
  {
    key: 'provider',
    name: 'Provider',
    description: 'Doctors and therapists',
    permissions: ['patients:read', 'patients:write', 'scheduling:read', 'scheduling:write', 'staff:read'],
  },
  {
    key: 'front_desk',
    name: 'Front desk',
    description: 'Reception: patients and the calendar',
    permissions: ['patients:read', 'patients:write', 'patients:archive', 'scheduling:read', 'scheduling:write', 'staff:read'],
  },
  {
    key: 'billing',
    name: 'Billing',
    description: 'Invoices and payments',
    permissions: ['patients:read', 'billing:read', 'billing:write', 'staff:read'],
  },
];
