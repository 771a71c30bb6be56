-- Webhooks: a practice's endpoints, one delivery per (event, endpoint), and every HTTP attempt made.
-- Signing secrets are needed in the clear to sign, so they are stored sealed (AES-256-GCM with the
-- key from HEALTHTRACK_SECRET_KEY, bound to the endpoint's tenant and id), never as plaintext.

create table webhook_endpoints (
  tenant_id uuid not null,
  id uuid not null,
  url text not null,
  description text,
  events text[] not null check (cardinality(events) > 0),
  active boolean not null default true,
  secret_sealed text not null,
  -- After a rotation the previous secret still signs (a second signature) until it expires.
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  secret_rotated_at timestamptz,
  -- Consecutive deliveries that ran out of attempts; any success resets it. Reaching the limit disables the endpoint.
  consecutive_failures integer not null default 0,
  disabled_reason text,
  disabled_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
-- emitEvent's lookup: the practice's active endpoints (a handful at most).
create index webhook_endpoints_active_idx on webhook_endpoints (tenant_id) where active;

create table webhook_deliveries (
  tenant_id uuid not null,
  id uuid not null,
  endpoint_id uuid not null,
  -- The event's id: the same at every endpoint and on every retry (the `webhook-id` header).
  event_id uuid not null,
  event_type text not null,
  -- The event's `data` (ids, statuses, times, amounts; no names or contact details).
  payload jsonb not null,
  occurred_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'exhausted')),
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  last_duration_ms integer,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, endpoint_id, event_id),
  foreign key (tenant_id, endpoint_id) references webhook_endpoints (tenant_id, id) on delete cascade
);
create index webhook_deliveries_endpoint_idx on webhook_deliveries (tenant_id, endpoint_id, id desc);

create table webhook_attempts (
  tenant_id uuid not null,
  id uuid not null,
  delivery_id uuid not null,
  attempt integer not null check (attempt > 0),
  started_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  -- The first bytes of the response body, for debugging the receiver.
  response_excerpt text,
  primary key (tenant_id, id),
  unique (tenant_id, delivery_id, attempt),
  foreign key (tenant_id, delivery_id) references webhook_deliveries (tenant_id, id) on delete cascade
);

select platform.enforce_tenant_rls('webhook_endpoints'::regclass);
select platform.enforce_tenant_rls('webhook_deliveries'::regclass);
select platform.enforce_tenant_rls('webhook_attempts'::regclass);

grant select, insert, update, delete on webhook_endpoints to healthtrack_app;
grant select, insert, update, delete on webhook_deliveries to healthtrack_app;
grant select, insert, delete on webhook_attempts to healthtrack_app;
