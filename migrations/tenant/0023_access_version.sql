-- Access versions replace the access fingerprint in the per-request guard (src/domain/access/).
-- The guard used to recompute a digest of the member's status and permissions (a join over
-- memberships and roles) on every cached read; it now probes one primary-key row. Every change that
-- alters what a member may do bumps that member's version by trigger, in the changing transaction,
-- so a committed change cannot be missed and there is still no invalidation message to lose:
--   * a status change (disable, enable) of the member;
--   * a role given, taken away or moved (member_roles insert, delete, update; a role or member
--     deleted cascades through member_roles);
--   * a change to a role's permissions (every holder).
-- Versions come from a sequence, so a member removed and added again never gets back a version an
-- old cache entry could still hold. The triggers on memberships and roles take the practice's
-- access-change lock (the one `lockAccess` takes, src/domain/access/access-guard.ts; re-entrant in
-- the same transaction) before bumping, so a role's permissions edited while the role is being given
-- to someone cannot miss the new holder, even from a writer that forgot the lock.
-- The trigger functions pin the search_path they were created with (this schema, then platform), so
-- they also work in owner transactions (practice erasure) whatever the session's search_path.
-- `assert_access` and `access_fingerprint` (0022) stay for now: processes of the previous release
-- still call them during a rolling deploy. A later migration drops them.
create sequence access_versions;
grant usage on sequence access_versions to healthtrack_app;
alter table staff_members add column access_version bigint not null default nextval('access_versions');

create function staff_access_bump() returns trigger
  language plpgsql set search_path from current as $$
begin
  -- Any change of status, or any write of the version, takes a fresh one from the sequence.
  if new.status is distinct from old.status or new.access_version is distinct from old.access_version then
    new.access_version := nextval('access_versions');
  end if;
  return new;
end $$;

create trigger staff_members_access_version before update on staff_members
  for each row execute function staff_access_bump();

create function member_roles_access_bump() returns trigger
  language plpgsql set search_path from current as $$
begin
  perform pg_advisory_xact_lock(7271020, hashtext(coalesce(new.tenant_id, old.tenant_id)::text));
  if tg_op in ('INSERT', 'UPDATE') then
    update staff_members set access_version = access_version + 1
     where tenant_id = new.tenant_id and user_id = new.user_id;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update staff_members set access_version = access_version + 1
     where tenant_id = old.tenant_id and user_id = old.user_id;
  end if;
  return null;
end $$;

create trigger member_roles_access_version after insert or update or delete on member_roles
  for each row execute function member_roles_access_bump();

create function roles_access_bump() returns trigger
  language plpgsql set search_path from current as $$
begin
  perform pg_advisory_xact_lock(7271020, hashtext(new.tenant_id::text));
  update staff_members s set access_version = access_version + 1
   where s.tenant_id = new.tenant_id
     and exists (select 1 from member_roles mr
                  where mr.tenant_id = new.tenant_id and mr.role_id = new.id and mr.user_id = s.user_id);
  return null;
end $$;

create trigger roles_access_version after update of permissions on roles
  for each row when (old.permissions is distinct from new.permissions) execute function roles_access_bump();

-- Raises SQLSTATE HT403 unless the member is active at `p_version`. Runs with the caller's rights,
-- under RLS and the transaction's tenant context, like the rest of the request.
create function assert_access_version(p_tenant uuid, p_user uuid, p_version bigint) returns void
  language plpgsql stable as $$
begin
  perform 1 from staff_members
   where tenant_id = p_tenant and user_id = p_user and access_version = p_version and status = 'active';
  if not found then
    raise exception 'access changed' using errcode = 'HT403';
  end if;
end $$;
