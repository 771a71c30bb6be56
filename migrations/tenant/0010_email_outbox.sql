-- Every message the practice sends, as sent (tenant data: it holds patient contact details).
-- `message_key` makes a message idempotent: a retried job cannot queue the same reminder twice.
create table email_outbox (
  tenant_id uuid not null,
  id uuid not null,
  message_key text not null,
  to_address text not null,
  subject text not null,
  body_text text not null,
  attachments jsonb not null default '[]',
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'kept', 'failed')),
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, message_key)
);
create index email_outbox_time_idx on email_outbox (tenant_id, created_at desc);

select platform.enforce_tenant_rls('email_outbox'::regclass);
grant select, insert, update on email_outbox to healthtrack_app;
