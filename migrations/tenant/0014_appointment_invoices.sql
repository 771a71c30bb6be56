-- Invoices made from appointments, automatically when a visit is completed or by hand.
--
-- billing_settings.auto_invoice: what completing an appointment does: 'off' nothing, 'draft' a draft
-- invoice, 'issue' an issued one (numbered from the same gapless counter, in the same transaction).
--
-- invoices.appointment_id links an invoice to the visit it bills. An appointment has at most one live
-- invoice: the partial unique index ignores void invoices, so voiding the invoice frees the appointment
-- for a corrected one, while a credit note (which documents a refund of a still-valid invoice) does not.
-- The index is the backstop against racing completions and double clicks; the services check first
-- so the caller gets a clear answer.

alter table billing_settings
  add column auto_invoice text not null default 'off' check (auto_invoice in ('off', 'draft', 'issue'));

alter table invoices add column appointment_id uuid;
alter table invoices
  add constraint invoices_appointment_fk foreign key (tenant_id, appointment_id) references appointments (tenant_id, id);
-- Only invoices bill a visit; a credit note points at the invoice it credits instead.
alter table invoices
  add constraint invoices_appointment_kind check (appointment_id is null or kind = 'invoice');

create unique index invoices_one_live_per_appointment on invoices (tenant_id, appointment_id)
  where appointment_id is not null and kind = 'invoice' and status <> 'void';
-- Every invoice of an appointment, void ones included (the list filter, the foreign key).
create index invoices_appointment_idx on invoices (tenant_id, appointment_id) where appointment_id is not null;

-- The issued document stays frozen, and so does the visit it bills.
create or replace function invoices_freeze_issued() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and (
       new.computed is distinct from old.computed or new.total is distinct from old.total
    or new.tax_total is distinct from old.tax_total or new.number is distinct from old.number
    or new.inputs is distinct from old.inputs or new.issue_date is distinct from old.issue_date
    or new.currency is distinct from old.currency or new.patient_id is distinct from old.patient_id
    or new.kind is distinct from old.kind or new.credits_invoice_id is distinct from old.credits_invoice_id
    or new.appointment_id is distinct from old.appointment_id
    or new.status = 'draft') then
    raise exception 'invoice % is issued: its document is immutable', old.id using errcode = 'check_violation';
  end if;
  return new;
end
$$;
