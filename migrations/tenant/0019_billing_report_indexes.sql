-- Indexes for the billing exports and the aging report. The CSV exports page through a period in
-- (issue_date, id) and (received_on, id) order (keyset: `(date, id) > ($cursor)`), and the aging
-- reads invoices issued and payments received up to a date; before this, both scanned every invoice
-- or payment of the practice (the existing indexes lead with patient, invoice or status).
-- `if not exists`: a dedicated schema that was given these by hand migrates without error.
create index if not exists invoices_issue_date_idx on invoices (tenant_id, issue_date, id);
create index if not exists payments_received_on_idx on payments (tenant_id, received_on, id);
