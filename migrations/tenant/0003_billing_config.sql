-- Billing configuration: practice billing settings, the price list with dated price versions,
-- and tax jurisdictions with dated rates (stored exactly as numeric, never as floats).

create table billing_settings (
  tenant_id uuid not null,
  currency char(3) not null default 'USD',
  prices_include_tax boolean not null default false,
  rounding_mode text not null default 'half_up' check (rounding_mode in ('half_up', 'half_even')),
  rounding_level text not null default 'line' check (rounding_level in ('line', 'invoice')),
  invoice_number_format text not null default 'INV-{YYYY}-{SEQ:5}' check (invoice_number_format like '%{SEQ%'),
  tax_ids jsonb not null default '[]',
  updated_at timestamptz not null default now(),
  primary key (tenant_id)
);

create table price_items (
  tenant_id uuid not null,
  id uuid not null,
  code text not null,
  description text not null,
  -- Matched against tax_jurisdictions.exempt_categories, e.g. 'medical_service', 'retail_product'.
  category text not null,
  kind text not null check (kind in ('service', 'product')),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);

-- One row per price change; the open version (effective_to null) is the current price of its level.
create table price_item_versions (
  tenant_id uuid not null,
  id uuid not null,
  item_id uuid not null,
  -- 'standard', 'self_pay', 'insurance' or a location key.
  price_level text not null default 'standard',
  unit_price bigint not null check (unit_price >= 0),
  currency char(3) not null,
  effective_from date not null,
  effective_to date check (effective_to is null or effective_to >= effective_from),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, item_id, price_level, effective_from),
  foreign key (tenant_id, item_id) references price_items (tenant_id, id) on delete cascade
);

create table tax_jurisdictions (
  tenant_id uuid not null,
  id uuid not null,
  code text not null,
  name text not null,
  exempt_categories text[] not null default '{}',
  compound boolean not null default false,
  -- Order of the list: compound taxes include the taxes of the jurisdictions before them.
  position integer not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);

create table tax_rates (
  tenant_id uuid not null,
  id uuid not null,
  jurisdiction_id uuid not null,
  rate_percent numeric(9, 5) not null check (rate_percent >= 0),
  effective_from date not null,
  effective_to date check (effective_to is null or effective_to >= effective_from),
  primary key (tenant_id, id),
  foreign key (tenant_id, jurisdiction_id) references tax_jurisdictions (tenant_id, id) on delete cascade
);
create index tax_rates_jurisdiction_idx on tax_rates (tenant_id, jurisdiction_id, effective_from);

select platform.enforce_tenant_rls(t::regclass)
from unnest(array['billing_settings', 'price_items', 'price_item_versions', 'tax_jurisdictions', 'tax_rates']) as t;

grant select, insert, update, delete on billing_settings, price_items, price_item_versions, tax_jurisdictions, tax_rates
  to healthtrack_app;
