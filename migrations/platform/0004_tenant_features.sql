-- Per-practice feature overrides on top of the plan (the plan catalogue itself lives in code,
-- src/platform/plans.ts). A row says "on" or "off" whatever the plan says; no row: the plan decides.
create table platform.tenant_features (
  tenant_id uuid not null references platform.tenants (id) on delete cascade,
  feature text not null check (feature ~ '^[a-z][a-z0-9_]{0,63}$'),
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  -- The operator who set it (operators can be removed; the override stays).
  updated_by uuid,
  primary key (tenant_id, feature)
);
grant select, insert, update, delete on platform.tenant_features to healthtrack_app;
