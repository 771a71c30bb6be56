-- Metered usage per practice per UTC day, for cost attribution. Processes count in memory and add
-- their deltas here every few seconds with one upsert (`requests = requests + excluded.requests`),
-- so several processes or cluster workers add up instead of overwriting each other. Storage is a
-- daily snapshot (set by the daily measurement job), not a sum; null until that day's measurement.
create table platform.usage_daily (
  tenant_id uuid not null references platform.tenants (id) on delete cascade,
  day date not null,
  requests bigint not null default 0,
  errors bigint not null default 0,
  db_ms bigint not null default 0,
  emails_sent bigint not null default 0,
  jobs_run bigint not null default 0,
  storage_bytes bigint,
  primary key (tenant_id, day)
);
create index usage_daily_day_idx on platform.usage_daily (day);
grant select, insert, update, delete on platform.usage_daily to healthtrack_app;

-- Who was active: one row per staff user per practice per UTC day (insert, do nothing on conflict).
-- Active users of a day or a month are the distinct users here, counted when read.
create table platform.usage_active_users (
  tenant_id uuid not null references platform.tenants (id) on delete cascade,
  day date not null,
  user_id uuid not null,
  primary key (tenant_id, day, user_id)
);
create index usage_active_users_day_idx on platform.usage_active_users (day);
grant select, insert, update, delete on platform.usage_active_users to healthtrack_app;
