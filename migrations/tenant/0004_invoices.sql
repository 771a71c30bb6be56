-- Invoices and credit notes. A draft keeps its lines in `inputs` and is computed live; issuing
-- freezes the computed document (`computed`, totals) and assigns a gapless number. From then on the
-- trigger below refuses any change to the document: only the status may move (paid, void).

create table invoices (
  tenant_id uuid not null,
  id uuid not null,
  number text,
  patient_id uuid not null,
  status text not null default 'draft' check (status in ('draft', 'issued', 'partially_paid', 'paid', 'void')),
  kind text not null default 'invoice' check (kind in ('invoice', 'credit_note')),
  credits_invoice_id uuid,
  currency char(3) not null,
  issue_date date,
  -- The frozen document (document-json.ts wire form), written at issue.
  computed jsonb,
  -- Draft lines and invoice discounts as entered.
  inputs jsonb not null,
  total bigint,
  tax_total bigint,
  created_at timestamptz not null default now(),
  issued_at timestamptz,
  voided_at timestamptz,
  void_reason text,
  primary key (tenant_id, id),
  unique (tenant_id, number),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id),
  foreign key (tenant_id, credits_invoice_id) references invoices (tenant_id, id),
  check ((kind = 'credit_note') = (credits_invoice_id is not null)),
  check (status = 'draft' or (number is not null and computed is not null and total is not null and tax_total is not null and issue_date is not null))
);
create index invoices_patient_idx on invoices (tenant_id, patient_id, created_at desc);
create index invoices_status_idx on invoices (tenant_id, status, created_at desc);
create index invoices_credits_idx on invoices (tenant_id, credits_invoice_id) where credits_invoice_id is not null;

create function invoices_freeze_issued() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and (
       new.computed is distinct from old.computed or new.total is distinct from old.total
    or new.tax_total is distinct from old.tax_total or new.number is distinct from old.number
    or new.inputs is distinct from old.inputs or new.issue_date is distinct from old.issue_date
    or new.currency is distinct from old.currency or new.patient_id is distinct from old.patient_id
    or new.kind is distinct from old.kind or new.credits_invoice_id is distinct from old.credits_invoice_id
    or new.status = 'draft') then
    raise exception 'invoice % is issued: its document is immutable', old.id using errcode = 'check_violation';
  end if;
  return new;
end
$$;

create trigger invoices_freeze_issued before update on invoices
  for each row execute function invoices_freeze_issued();

select platform.enforce_tenant_rls('invoices'::regclass);

grant select, insert, update, delete on invoices to healthtrack_app;
