-- Control plane: tenants, identities, memberships, keys, tokens, throttling, operator audit.
create table platform.tenants (
  id uuid primary key,
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$'),
  name text not null,
  tier text not null check (tier in ('pooled', 'schema')),
  schema_name text not null,
  status text not null default 'active' check (status in ('active', 'suspended')),
  plan text not null default 'standard',
  suspended_reason text,
  suspended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table platform.users (
  id uuid primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on platform.users (lower(email));

create table platform.memberships (
  user_id uuid not null references platform.users (id) on delete cascade,
  tenant_id uuid not null references platform.tenants (id) on delete cascade,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  primary key (user_id, tenant_id)
);
create index memberships_tenant_idx on platform.memberships (tenant_id);

create table platform.operators (
  id uuid primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create unique index operators_email_key on platform.operators (lower(email));

create table platform.refresh_tokens (
  id uuid primary key,
  family_id uuid not null,
  audience text not null check (audience in ('tenant', 'platform')),
  subject_id uuid not null,
  tenant_id uuid references platform.tenants (id) on delete cascade,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create index refresh_tokens_family_idx on platform.refresh_tokens (family_id);

create table platform.signing_keys (
  kid text primary key,
  alg text not null,
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  -- After retirement a key only verifies; it leaves the JWKS once every token it signed has expired.
  retired_at timestamptz
);

create table platform.login_failures (
  key text primary key,
  window_started_at timestamptz not null,
  failures integer not null
);

create table platform.operator_audit (
  id uuid primary key,
  occurred_at timestamptz not null default now(),
  operator_id uuid,
  action text not null,
  target text,
  request_id text,
  details jsonb not null default '{}'
);
create index operator_audit_time_idx on platform.operator_audit (occurred_at desc);

grant select, insert, update, delete on all tables in schema platform to healthtrack_app;
revoke update, delete on platform.operator_audit from healthtrack_app;
revoke insert, update, delete on platform.schema_migrations from healthtrack_app;
