-- Scheduling: locations, providers and their availability, resources, appointment types, rules,
-- appointments (overlap impossible by exclusion constraints), series, waitlist, idempotency.

create table locations (
  tenant_id uuid not null,
  id uuid not null,
  name text not null,
  time_zone text not null,
  address jsonb,
  phone text,
  -- {"1": [["08:00","18:00"]], ... "7": []}: ISO weekday -> open intervals in local wall time.
  opening_hours jsonb not null default '{}',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table location_holidays (
  tenant_id uuid not null,
  id uuid not null,
  location_id uuid not null,
  date date not null,
  name text not null,
  primary key (tenant_id, id),
  unique (tenant_id, location_id, date),
  foreign key (tenant_id, location_id) references locations (tenant_id, id) on delete cascade
);

create table providers (
  tenant_id uuid not null,
  id uuid not null,
  user_id uuid,
  display_name text not null,
  color text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, user_id)
);

-- Weekly working hours per provider per location, in the location's wall time.
create table provider_hours (
  tenant_id uuid not null,
  id uuid not null,
  provider_id uuid not null,
  location_id uuid not null,
  weekday smallint not null check (weekday between 1 and 7),
  start_time time not null,
  end_time time not null check (end_time > start_time),
  valid_from date,
  valid_to date,
  primary key (tenant_id, id),
  foreign key (tenant_id, provider_id) references providers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, location_id) references locations (tenant_id, id) on delete cascade
);
create index provider_hours_provider_idx on provider_hours (tenant_id, provider_id, location_id);

-- A date-specific override replaces the weekly hours of that provider/location/date
-- (no interval at all = not working that day).
create table provider_overrides (
  tenant_id uuid not null,
  id uuid not null,
  provider_id uuid not null,
  location_id uuid not null,
  date date not null,
  intervals jsonb not null default '[]',
  reason text,
  primary key (tenant_id, id),
  unique (tenant_id, provider_id, location_id, date),
  foreign key (tenant_id, provider_id) references providers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, location_id) references locations (tenant_id, id) on delete cascade
);

create table provider_time_off (
  tenant_id uuid not null,
  id uuid not null,
  provider_id uuid not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  reason text,
  primary key (tenant_id, id),
  foreign key (tenant_id, provider_id) references providers (tenant_id, id) on delete cascade
);
create index provider_time_off_idx on provider_time_off (tenant_id, provider_id, starts_at);

create table resources (
  tenant_id uuid not null,
  id uuid not null,
  location_id uuid not null,
  name text not null,
  kind text not null default 'room',
  active boolean not null default true,
  primary key (tenant_id, id),
  foreign key (tenant_id, location_id) references locations (tenant_id, id) on delete cascade
);

create table appointment_types (
  tenant_id uuid not null,
  id uuid not null,
  name text not null,
  duration_minutes integer not null check (duration_minutes between 5 and 720),
  buffer_before_minutes integer not null default 0 check (buffer_before_minutes between 0 and 240),
  buffer_after_minutes integer not null default 0 check (buffer_after_minutes between 0 and 240),
  color text not null default '#3b82f6',
  price_item_code text,
  -- Per-type overrides of the practice's scheduling rules (same keys as scheduling_settings.rules).
  rules jsonb not null default '{}',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table appointment_type_providers (
  tenant_id uuid not null,
  type_id uuid not null,
  provider_id uuid not null,
  primary key (tenant_id, type_id, provider_id),
  foreign key (tenant_id, type_id) references appointment_types (tenant_id, id) on delete cascade,
  foreign key (tenant_id, provider_id) references providers (tenant_id, id) on delete cascade
);

-- A type that lists resources needs one of them free (e.g. any exam room).
create table appointment_type_resources (
  tenant_id uuid not null,
  type_id uuid not null,
  resource_id uuid not null,
  primary key (tenant_id, type_id, resource_id),
  foreign key (tenant_id, type_id) references appointment_types (tenant_id, id) on delete cascade,
  foreign key (tenant_id, resource_id) references resources (tenant_id, id) on delete cascade
);

create table scheduling_settings (
  tenant_id uuid primary key,
  rules jsonb not null default '{}',
  updated_at timestamptz not null default now()
);

create table appointment_series (
  tenant_id uuid not null,
  id uuid not null,
  rrule text not null,
  time_zone text not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table appointments (
  tenant_id uuid not null,
  id uuid not null,
  patient_id uuid not null,
  provider_id uuid not null,
  location_id uuid not null,
  type_id uuid not null,
  resource_id uuid,
  series_id uuid,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  -- The time the provider (and resource) is taken: the appointment plus its buffers.
  blocked tstzrange not null,
  status text not null default 'booked' check (status in ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
  late_cancel boolean not null default false,
  cancel_reason text,
  override_reason text,
  notes text,
  created_by uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id),
  foreign key (tenant_id, provider_id) references providers (tenant_id, id),
  foreign key (tenant_id, location_id) references locations (tenant_id, id),
  foreign key (tenant_id, type_id) references appointment_types (tenant_id, id),
  foreign key (tenant_id, resource_id) references resources (tenant_id, id),
  foreign key (tenant_id, series_id) references appointment_series (tenant_id, id),
  -- Double booking is impossible by construction, whatever the application does.
  constraint appointments_no_provider_overlap exclude using gist (tenant_id with =, provider_id with =, blocked with &&)
    where (status in ('booked', 'checked_in', 'completed')),
  constraint appointments_no_resource_overlap exclude using gist (tenant_id with =, resource_id with =, blocked with &&)
    where (resource_id is not null and status in ('booked', 'checked_in', 'completed'))
);
create index appointments_provider_time_idx on appointments (tenant_id, provider_id, starts_at);
create index appointments_location_time_idx on appointments (tenant_id, location_id, starts_at);
create index appointments_patient_idx on appointments (tenant_id, patient_id, starts_at);

create table waitlist_entries (
  tenant_id uuid not null,
  id uuid not null,
  patient_id uuid not null,
  type_id uuid not null,
  provider_id uuid,
  location_id uuid,
  earliest date not null,
  latest date not null check (latest >= earliest),
  status text not null default 'waiting' check (status in ('waiting', 'offered', 'booked', 'expired', 'cancelled')),
  offer_token_hash text,
  offer_expires_at timestamptz,
  offered_slot jsonb,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id),
  foreign key (tenant_id, type_id) references appointment_types (tenant_id, id)
);
create index waitlist_entries_match_idx on waitlist_entries (tenant_id, type_id, status, created_at);

-- Replays of creating POSTs: the first response is kept and returned for the same key.
create table idempotency_keys (
  tenant_id uuid not null,
  key text not null,
  scope text not null,
  request_hash text not null,
  status_code integer not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, scope, key)
);

select platform.enforce_tenant_rls(t::regclass)
from unnest(array['locations', 'location_holidays', 'providers', 'provider_hours', 'provider_overrides', 'provider_time_off',
  'resources', 'appointment_types', 'appointment_type_providers', 'appointment_type_resources', 'scheduling_settings',
  'appointment_series', 'appointments', 'waitlist_entries', 'idempotency_keys']) as t;

grant select, insert, update, delete on locations, location_holidays, providers, provider_hours, provider_overrides,
  provider_time_off, resources, appointment_types, appointment_type_providers, appointment_type_resources,
  scheduling_settings, appointment_series, appointments, waitlist_entries, idempotency_keys to healthtrack_app;
