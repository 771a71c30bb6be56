/**
 * Every table the application owns, classified once. The isolation check refuses to start when
 * the catalog holds a table missing here; tenant erase and tier moves walk `TENANT_TABLES` in order.
 */

/** Control-plane tables (schema `platform`); no tenant data, reached only through `asPlatform`. */
export const CONTROL_PLANE_TABLES = [
  'schema_migrations',
  'tenants',
  'users',
  'memberships',
  'operators',
  'refresh_tokens',
  'signing_keys',
  'login_failures',
  'operator_audit',
  'jobs',
  'password_resets',
  'tenant_features',
  'tenant_usage',
  'usage_daily',
  'usage_active_users',
  'tenant_limits',
] as const;

/**
 * Tenant tables, present in the pooled schema and in every dedicated schema, children before
 * parents so that erasing in this order never trips a foreign key.
 */
export const TENANT_TABLES = [
  'workflow_tasks',
  'workflow_history',
  'workflow_instances',
  'workflow_definitions',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_endpoints',
  'form_responses',
  'form_links',
  'form_versions',
  'forms',
  'payments',
  'invoices',
  'tax_rates',
  'tax_jurisdictions',
  'price_item_versions',
  'price_items',
  'billing_settings',
  'practice_branding',
  'message_templates',
  'email_outbox',
  'idempotency_keys',
  'waitlist_entries',
  'appointment_manage_links',
  'appointments',
  'appointment_series',
  'scheduling_settings',
  'appointment_type_resources',
  'appointment_type_providers',
  'appointment_types',
  'resources',
  'provider_time_off',
  'provider_overrides',
  'provider_hours',
  'providers',
  'location_holidays',
  'locations',
  'audit_events',
  'patients',
  'counters',
  'member_roles',
  'staff_members',
  'roles',
  'settings',
] as const;

export type ControlPlaneTable = (typeof CONTROL_PLANE_TABLES)[number];
export type TenantTable = (typeof TENANT_TABLES)[number];

/** Schemas the application owns: the control plane, the pool, and `t_<hex>` dedicated schemas. */
export const DEDICATED_SCHEMA_PREFIX = 't_';

/** The dedicated schema name for a tenant id: stable, unique, and always a safe identifier. */
export function dedicatedSchemaName(tenantId: string): string {
  return DEDICATED_SCHEMA_PREFIX + tenantId.replace(/-/g, '').toLowerCase();
}
