-- Per-practice workflows (state machines) for appointments, invoices and patient intake.
-- The entities keep their own status columns; the workflow state lives beside them, and every
-- workflow state of an appointment or invoice maps to a status the core understands.

-- Versions of a practice's definition per kind; the highest version is in force. Version 0 is the
-- built-in default and has no row. Rows are never changed: a new definition is a new version.
create table workflow_definitions (
  tenant_id uuid not null,
  id uuid not null,
  kind text not null check (kind in ('appointment', 'invoice', 'patient_intake')),
  version integer not null check (version > 0),
  definition jsonb not null,
  -- true when this version restored the built-in default (DELETE /api/workflows/{kind})
  is_default boolean not null default false,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, kind, version)
);

-- One instance per entity (appointment, invoice, patient for intake). No foreign key to the entity:
-- the kinds live in different tables. The entity's row lock serialises transitions of an instance.
create table workflow_instances (
  tenant_id uuid not null,
  id uuid not null,
  kind text not null check (kind in ('appointment', 'invoice', 'patient_intake')),
  entity_id uuid not null,
  version integer not null check (version >= 0),
  state text not null,
  data jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, kind, entity_id)
);

-- Every transition taken: who, when, from/to, under which version, why (a note, or the core cause
-- such as a payment) and what its actions did.
create table workflow_history (
  tenant_id uuid not null,
  id uuid not null,
  instance_id uuid not null,
  transition text,
  from_state text not null,
  to_state text not null,
  version integer not null,
  actor_type text not null,
  actor_id text,
  note text,
  cause jsonb,
  actions jsonb not null default '[]',
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, instance_id) references workflow_instances (tenant_id, id)
);
create index workflow_history_instance_idx on workflow_history (tenant_id, instance_id, created_at, id);

-- Work items created by `create_task` actions, addressed to a role of the practice.
create table workflow_tasks (
  tenant_id uuid not null,
  id uuid not null,
  instance_id uuid not null,
  history_id uuid not null,
  role_key text not null,
  title text not null,
  status text not null default 'open' check (status in ('open', 'done')),
  due_at timestamptz,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  completed_by uuid,
  primary key (tenant_id, id),
  foreign key (tenant_id, instance_id) references workflow_instances (tenant_id, id)
);
create index workflow_tasks_role_idx on workflow_tasks (tenant_id, role_key, status, created_at);
create index workflow_tasks_instance_idx on workflow_tasks (tenant_id, instance_id);

select platform.enforce_tenant_rls('workflow_definitions'::regclass);
select platform.enforce_tenant_rls('workflow_instances'::regclass);
select platform.enforce_tenant_rls('workflow_history'::regclass);
select platform.enforce_tenant_rls('workflow_tasks'::regclass);

grant select, insert on workflow_definitions to healthtrack_app;
grant select, insert, update on workflow_instances to healthtrack_app;
grant select, insert on workflow_history to healthtrack_app;
grant select, insert, update on workflow_tasks to healthtrack_app;
