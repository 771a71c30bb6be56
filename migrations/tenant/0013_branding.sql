-- Practice branding: one row per practice, shown on documents (invoice PDFs), emails and the
-- patient-facing pages. A practice without a row (or with display_name null, when only a logo was
-- uploaded) shows defaults: its own name and the default colours (src/domain/branding).
-- The logo lives here as bytes: it is small (≤ 512 KiB, checked by the application) and moves with
-- the practice's rows between tiers, exports and erasure like any other tenant data.

create table practice_branding (
  tenant_id uuid not null,
  -- null until the branding is saved: the practice's name from the tenant record is shown.
  display_name text check (display_name is null or char_length(display_name) between 1 and 120),
  tagline text check (tagline is null or char_length(tagline) <= 160),
  primary_color text not null default '#1f5f8b' check (primary_color ~ '^#[0-9a-f]{6}$'),
  accent_color text not null default '#e07a2e' check (accent_color ~ '^#[0-9a-f]{6}$'),
  -- { line1, line2?, city, region?, postalCode?, country } as for patients.
  address jsonb check (address is null or jsonb_typeof(address) = 'object'),
  phone text check (phone is null or char_length(phone) <= 40),
  email text check (email is null or char_length(email) <= 254),
  website text check (website is null or char_length(website) <= 300),
  logo bytea check (logo is null or octet_length(logo) <= 524288),
  logo_content_type text check (logo_content_type in ('image/png', 'image/jpeg')),
  logo_sha256 text check (logo_sha256 ~ '^[0-9a-f]{64}$'),
  logo_width integer check (logo_width > 0),
  logo_height integer check (logo_height > 0),
  logo_updated_at timestamptz,
  -- null while only the logo has been set (the rest is still the defaults).
  updated_at timestamptz,
  primary key (tenant_id),
  -- The logo columns are all set or all null.
  check (
    (logo is null) = (logo_content_type is null) and (logo is null) = (logo_sha256 is null)
    and (logo is null) = (logo_width is null) and (logo is null) = (logo_height is null)
    and (logo is null) = (logo_updated_at is null)
  )
);

select platform.enforce_tenant_rls('practice_branding'::regclass);

grant select, insert, update, delete on practice_branding to healthtrack_app;
