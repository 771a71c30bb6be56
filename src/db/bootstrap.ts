/** Creates the roles and schemas that migrations need; idempotent and safe to race. */
import type { Database } from './database.ts';
import { OWNER_ROLE, RUNTIME_ROLE } from './database.ts';
import { lockSchema } from './schema-lock.ts';

const ROLES_SQL = `
do $$
begin
  begin
    create role ${OWNER_ROLE} nologin;
  exception when duplicate_object or unique_violation then null;
  end;
  begin
    create role ${RUNTIME_ROLE} nologin;
  exception when duplicate_object or unique_violation then null;
  end;
  -- A non-superuser bootstrap login needs membership to SET ROLE; a superuser already can.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant %I, %I to %I', '${OWNER_ROLE}', '${RUNTIME_ROLE}', current_user);
  end if;
  execute format('grant create on database %I to ${OWNER_ROLE}', current_database());
end
$$;
`;

const SCHEMAS_SQL = `
-- Exclusion constraints on (tenant_id, provider_id, time range) need GiST support for uuid.
create extension if not exists btree_gist;
create schema if not exists platform authorization ${OWNER_ROLE};
create schema if not exists pool authorization ${OWNER_ROLE};
grant usage on schema platform, pool to ${RUNTIME_ROLE};
revoke create on schema public from public;
`;

const TRACKING_SQL = `
create table if not exists platform.schema_migrations (
  schema_name text not null,
  version integer not null,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now(),
  primary key (schema_name, version)
);
grant select on platform.schema_migrations to ${RUNTIME_ROLE};
create or replace function platform.enforce_tenant_rls(tbl regclass) returns void
language plpgsql as $fn$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format('alter table %s force row level security', tbl);
  execute format('drop policy if exists tenant_isolation on %s', tbl);
  -- Bare column compared to a per-statement constant: index-friendly, no per-row function.
  execute format($p$create policy tenant_isolation on %s
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, tbl);
end
$fn$;
revoke all on function platform.enforce_tenant_rls(regclass) from public;
`;

/**
 * Prepares roles, the control-plane and pooled schemas, and the migration ledger.
 *
 * Several processes may start on a brand-new database at once. Each step that updates a catalogue
 * row (GRANT, CREATE OR REPLACE) takes a lock first, or two of them collide with "tuple
 * concurrently updated": roles and schemas under one lock, the ledger and the RLS helper under the
 * lock that `platform` migrations take (their `grant ... on all tables in schema platform` touches
 * the ledger's row too).
 */
export async function bootstrapDatabase(db: Database): Promise<void> {
  await db.bootstrapExec(`begin; select pg_advisory_xact_lock(7271001); ${ROLES_SQL} ${SCHEMAS_SQL} commit;`);
  await db.ownerTransaction(async (tx) => {
    await lockSchema(tx, 'platform');
    await tx.exec(TRACKING_SQL);
  });
}
