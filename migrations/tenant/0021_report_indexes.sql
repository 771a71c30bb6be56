-- Indexes for the practice reports: appointments by start time and patients by the day they joined,
-- across the whole practice (the existing appointment indexes lead with a provider, location or
-- patient). Both match the range predicates of src/domain/reporting/overview.ts.
create index if not exists appointments_time_idx on appointments (tenant_id, starts_at);
create index if not exists patients_created_idx on patients (tenant_id, created_at);
