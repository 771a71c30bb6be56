-- Staff password resets. A request names the practice (its template and outbox send the email);
-- the token itself is never stored, only its SHA-256. Single use (`used_at`), short-lived.
create table platform.password_resets (
  id uuid primary key,
  user_id uuid not null references platform.users (id) on delete cascade,
  tenant_id uuid not null references platform.tenants (id) on delete cascade,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_resets_user_idx on platform.password_resets (user_id);
create index password_resets_tenant_idx on platform.password_resets (tenant_id);
grant select, insert, update, delete on platform.password_resets to healthtrack_app;
