-- Payments and refunds against issued invoices. Append-only: a refund is a new row of kind 'refund',
-- never an update or delete of a payment. Amounts are positive minor units; the kind gives the sign.
-- The invoice status (issued / partially_paid / paid) follows the ledger and moves in the same
-- transaction; the invoices trigger of 0004 already allows status-only changes of issued documents.

create table payments (
  tenant_id uuid not null,
  id uuid not null,
  invoice_id uuid not null,
  patient_id uuid not null,
  kind text not null default 'payment' check (kind in ('payment', 'refund')),
  method text not null check (method in ('cash', 'card', 'cheque', 'insurance')),
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  received_on date not null,
  reference text,
  note text,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, invoice_id) references invoices (tenant_id, id),
  foreign key (tenant_id, patient_id) references patients (tenant_id, id)
);
create index payments_invoice_idx on payments (tenant_id, invoice_id, created_at);
create index payments_patient_idx on payments (tenant_id, patient_id, created_at);

select platform.enforce_tenant_rls('payments'::regclass);

grant select, insert on payments to healthtrack_app;
