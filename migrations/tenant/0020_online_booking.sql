-- Online booking: a practice chooses which appointment types patients may book themselves (off
-- until switched on per type), and a patient who booked online gets a link to see and cancel it.
alter table appointment_types add column online_booking boolean not null default false;

-- The link's token (32 random bytes) is the credential; only its sha256 is kept. It works until
-- the appointment is over (`expires_at`, the end of the visit when it was issued).
create table appointment_manage_links (
  tenant_id uuid not null,
  id uuid not null,
  appointment_id uuid not null,
  token_hash text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, token_hash),
  foreign key (tenant_id, appointment_id) references appointments (tenant_id, id)
);
create index appointment_manage_links_appointment_idx on appointment_manage_links (tenant_id, appointment_id);

select platform.enforce_tenant_rls('appointment_manage_links'::regclass);

grant select, insert, update on appointment_manage_links to healthtrack_app;
