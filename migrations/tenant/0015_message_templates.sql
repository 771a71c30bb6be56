-- A practice's own versions of its message templates (Liquid, rendered in a sandbox). Append-only:
-- saving adds the next version; going back to the built-in default adds a version with
-- `is_default = true` and no content, so the history shows when and by whom it was reverted.
-- The highest version of a kind is the one in force; no row means the default.
create table message_templates (
  tenant_id uuid not null,
  id uuid not null,
  kind text not null check (kind ~ '^[a-z][a-z_]{0,39}$'),
  version integer not null check (version > 0),
  is_default boolean not null default false,
  subject text,
  body_html text,
  body_text text,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, kind, version),
  check (
    (is_default and subject is null and body_html is null and body_text is null)
    or (not is_default and subject is not null and body_html is not null and body_text is not null)
  )
);

select platform.enforce_tenant_rls('message_templates'::regclass);
grant select, insert on message_templates to healthtrack_app;

-- Messages now carry an HTML part (null: plain text only) and the template kind they were made from.
alter table email_outbox add column body_html text;
alter table email_outbox add column template_kind text;
