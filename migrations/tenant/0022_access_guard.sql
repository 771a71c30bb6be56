-- The access fingerprint and the per-read access guard as functions (src/domain/access/).
-- Before, each cached read sent the guard as an inline DO block, which PostgreSQL compiles afresh on
-- every request; a PL/pgSQL function keeps its plans for the session, and the fingerprint now has a
-- single definition, here, used both when access is loaded and when it is proved.
--
-- The digest covers what authorises a request: the member's status and the sorted union of their
-- role permissions (role keys are informational and left out). Null when there is no staff record.
-- Both functions run with the caller's rights, under RLS and the transaction's tenant context.
create function access_fingerprint(p_tenant uuid, p_user uuid) returns text
  language plpgsql stable as $$
begin
  return (
    select md5(s.status || '|' || array_to_string(array(
             select distinct p
               from member_roles mr
               join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id,
                    unnest(r.permissions) as p
              where mr.tenant_id = s.tenant_id and mr.user_id = s.user_id
              order by p), ','))
      from staff_members s
     where s.tenant_id = p_tenant and s.user_id = p_user);
end $$;

-- Raises SQLSTATE HT403 unless the member's access still has `p_fingerprint`.
create function assert_access(p_tenant uuid, p_user uuid, p_fingerprint text) returns void
  language plpgsql stable as $$
begin
  if access_fingerprint(p_tenant, p_user) is distinct from p_fingerprint then
    raise exception 'access changed' using errcode = 'HT403';
  end if;
end $$;

-- The primary key (tenant_id, id) already serves newest-first listing by a backward scan: this
-- index only cost a second insert on every audited read and write.
drop index if exists audit_events_time_idx;
