-- Intake forms (issue 5): versioned form definitions, responses attached to patients, and
-- single-use patient links. Definitions and responses are append-only for the application: a new
-- definition is a new version row, and a response stays readable with the version it was filled in.

-- Allergies as the patient reported them (free text per entry); intake forms can add to the list.
alter table patients add column allergies text[] not null default '{}';

create table forms (
  tenant_id uuid not null,
  id uuid not null,
  -- Stable machine name within the practice, e.g. 'new-patient-intake'.
  key text not null,
  -- The current version's title, kept here for lists.
  title text not null,
  status text not null default 'active' check (status in ('active', 'archived')),
  current_version integer not null check (current_version >= 1),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  archived_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, key)
);
create index forms_title_idx on forms (tenant_id, status, lower(title), id);

create table form_versions (
  tenant_id uuid not null,
  id uuid not null,
  form_id uuid not null,
  version integer not null check (version >= 1),
  definition jsonb not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, form_id, version),
  foreign key (tenant_id, form_id) references forms (tenant_id, id)
);

-- A link pins the version current when it was sent, so what the patient is shown is what their
-- answers are checked against, even if the practice publishes a new version meanwhile.
create table form_links (
  tenant_id uuid not null,
  id uuid not null,
  form_id uuid not null,
  version integer not null,
  patient_id uuid not null,
  -- sha256 of the 32-byte random token; the token itself is never stored.
  token_hash text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, token_hash),
  foreign key (tenant_id, form_id, version) references form_versions (tenant_id, form_id, version),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index form_links_patient_idx on form_links (tenant_id, patient_id, created_at);

create table form_responses (
  tenant_id uuid not null,
  id uuid not null,
  form_id uuid not null,
  version integer not null,
  patient_id uuid not null,
  answers jsonb not null,
  submitted_via text not null check (submitted_via in ('staff', 'link')),
  -- The staff member who entered it (null when the patient submitted through a link).
  submitted_by uuid,
  link_id uuid,
  submitted_at timestamptz not null default now(),
  applied_to_patient boolean not null default false,
  -- What the answers changed on the patient record: [{target, previous, value}], plus skipped targets.
  changes jsonb not null default '{"applied": [], "skipped": []}',
  primary key (tenant_id, id),
  unique (tenant_id, link_id),
  foreign key (tenant_id, form_id, version) references form_versions (tenant_id, form_id, version),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id),
  foreign key (tenant_id, link_id) references form_links (tenant_id, id),
  check ((submitted_via = 'link') = (link_id is not null))
);
create index form_responses_patient_idx on form_responses (tenant_id, patient_id, id desc);
create index form_responses_form_idx on form_responses (tenant_id, form_id, version);

select platform.enforce_tenant_rls(t::regclass)
from unnest(array['forms', 'form_versions', 'form_links', 'form_responses']) as t;

grant select, insert, update on forms, form_links to healthtrack_app;
-- Versions and responses are immutable for the application.
grant select, insert on form_versions, form_responses to healthtrack_app;
