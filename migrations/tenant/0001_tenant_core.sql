-- Tenant data plane: applied unqualified to the pooled schema and to every dedicated schema.
-- Every table: tenant_id first in the key, forced RLS with one USING + WITH CHECK policy.
create table settings (
  tenant_id uuid primary key,
  time_zone text not null default 'America/New_York',
  currency char(3) not null default 'USD',
  locale text not null default 'en-US',
  mrn_prefix text not null default 'MRN-',
  updated_at timestamptz not null default now()
);

create table roles (
  tenant_id uuid not null,
  id uuid not null,
  key text not null,
  name text not null,
  description text not null default '',
  permissions text[] not null default '{}',
  built_in boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, key)
);

create table staff_members (
  tenant_id uuid not null,
  user_id uuid not null,
  email text not null,
  display_name text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

create table member_roles (
  tenant_id uuid not null,
  user_id uuid not null,
  role_id uuid not null,
  primary key (tenant_id, user_id, role_id),
  foreign key (tenant_id, user_id) references staff_members (tenant_id, user_id) on delete cascade,
  foreign key (tenant_id, role_id) references roles (tenant_id, id) on delete cascade
);
create index member_roles_role_idx on member_roles (tenant_id, role_id);

create table counters (
  tenant_id uuid not null,
  name text not null,
  value bigint not null,
  primary key (tenant_id, name)
);

create table patients (
  tenant_id uuid not null,
  id uuid not null,
  mrn text not null,
  first_name text not null,
  last_name text not null,
  preferred_name text,
  date_of_birth date not null,
  sex text check (sex in ('female', 'male', 'other', 'unknown')),
  phone text,
  phone_digits text,
  email text,
  address jsonb,
  status text not null default 'active' check (status in ('active', 'archived')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  archived_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, mrn)
);
create index patients_name_idx on patients (tenant_id, lower(last_name) text_pattern_ops, lower(first_name) text_pattern_ops, id);
create index patients_first_name_idx on patients (tenant_id, lower(first_name) text_pattern_ops);
create index patients_dob_idx on patients (tenant_id, date_of_birth);
-- Phone search matches the trailing digits ("555 0142" finds "+1 (212) 555-0142").
create index patients_phone_idx on patients (tenant_id, reverse(phone_digits) text_pattern_ops);

create table audit_events (
  tenant_id uuid not null,
  id uuid not null,
  occurred_at timestamptz not null default now(),
  actor_type text not null check (actor_type in ('user', 'operator', 'system', 'patient')),
  actor_id uuid,
  action text not null,
  resource_type text not null,
  resource_id uuid,
  request_id text,
  ip text,
  details jsonb not null default '{}',
  primary key (tenant_id, id)
);
create index audit_events_time_idx on audit_events (tenant_id, id desc);
create index audit_events_resource_idx on audit_events (tenant_id, resource_type, resource_id);

select platform.enforce_tenant_rls(t::regclass)
from unnest(array['settings', 'roles', 'staff_members', 'member_roles', 'counters', 'patients', 'audit_events']) as t;

grant select, insert, update, delete on settings, roles, staff_members, member_roles, counters, patients to healthtrack_app;
-- The audit trail is append-only for the application.
grant select, insert on audit_events to healthtrack_app;
