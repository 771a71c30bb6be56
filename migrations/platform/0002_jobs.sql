-- Durable background jobs. Payloads carry ids only (never PHI); the handler re-reads tenant data
-- under that tenant's context. A dedupe key makes enqueueing idempotent (one reminder per appointment).
create table platform.jobs (
  id uuid primary key,
  tenant_id uuid references platform.tenants (id) on delete cascade,
  kind text not null,
  payload jsonb not null default '{}',
  dedupe_key text unique,
  run_at timestamptz not null default now(),
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_due_idx on platform.jobs (run_at) where status in ('queued', 'running');
create index jobs_tenant_idx on platform.jobs (tenant_id);
grant select, insert, update, delete on platform.jobs to healthtrack_app;
