-- Custom subdomains: a practice may also be reached at `<subdomain>.<base host>` besides its slug.
-- One namespace for both: a name is a slug or a subdomain of at most one practice. `unique` covers
-- subdomain against subdomain and slug against slug; the trigger below covers slug against subdomain,
-- serialised per name by a transaction-scoped advisory lock so two practices claiming one name at
-- once cannot both pass the check (the second waits for the first to commit, then sees its row).
alter table platform.tenants
  add column subdomain text unique check (subdomain ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$'),
  add constraint tenants_subdomain_not_slug check (subdomain <> slug);

create function platform.tenant_name_is_free() returns trigger language plpgsql as $$
declare
  claimed text;
begin
  foreach claimed in array array_remove(array[new.slug, new.subdomain], null) loop
    if tg_op = 'UPDATE' and (claimed = old.slug or claimed = old.subdomain) then
      continue;
    end if;
    -- 7271030: the advisory-lock namespace of practice names; the second key is the name.
    perform pg_advisory_xact_lock(7271030, hashtext(claimed));
    -- A new statement, so a new snapshot: a rival that held the lock has committed by now.
    if exists (select 1 from platform.tenants t where t.id <> new.id and (t.slug = claimed or t.subdomain = claimed)) then
      raise exception 'the name "%" is already used by another practice', claimed
        using errcode = 'unique_violation', constraint = 'tenants_name_taken';
    end if;
  end loop;
  return new;
end $$;

create trigger tenants_name_is_free before insert or update of slug, subdomain on platform.tenants
  for each row execute function platform.tenant_name_is_free();
