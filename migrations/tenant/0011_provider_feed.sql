-- A provider's private calendar-feed URL: only its SHA-256 is stored; rotating it revokes the old one.
alter table providers add column feed_token_hash text;
create unique index providers_feed_token_idx on providers (tenant_id, feed_token_hash) where feed_token_hash is not null;
