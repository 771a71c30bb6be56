-- The latest usage measurement of each practice, for the operator console's list. Measuring a
-- practice reads its own data under its tenant context (RLS allows no cross-practice count), so the
-- list reads these snapshots in one query instead of measuring every practice on every page.
create table platform.tenant_usage (
  tenant_id uuid primary key references platform.tenants (id) on delete cascade,
  patients integer not null,
  active_staff integer not null,
  appointments_30d integer not null,
  invoices integer not null,
  storage_bytes bigint not null,
  -- true: pooled practice, the bytes are its rows' own size (an estimate); false: its schema measured.
  storage_estimated boolean not null,
  last_activity_at timestamptz,
  measured_at timestamptz not null default now()
);
create index tenant_usage_measured_idx on platform.tenant_usage (measured_at);
grant select, insert, update, delete on platform.tenant_usage to healthtrack_app;
