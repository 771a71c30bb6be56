-- Per-practice request limit overrides on top of the plan (src/platform/plans.ts): a column left null
-- follows the plan. One row per practice at most; no row: the plan decides everything.
create table platform.tenant_limits (
  tenant_id uuid primary key references platform.tenants (id) on delete cascade,
  requests_per_minute integer check (requests_per_minute between 1 and 1000000),
  burst integer check (burst between 1 and 1000000),
  max_concurrent_requests integer check (max_concurrent_requests between 1 and 100000),
  updated_at timestamptz not null default now(),
  -- The operator who set it (operators can be removed; the override stays).
  updated_by uuid
);
grant select, insert, update, delete on platform.tenant_limits to healthtrack_app;
