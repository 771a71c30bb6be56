/**
 * The entities behind workflow instances: locking one (its row lock serialises the instance's
 * transitions) and the JSON view guards read. Views hold facts for decisions, not contact details.
 */
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { isoInZone } from '../scheduling/appointment-repo.ts';
import type { WorkflowKind } from './kinds.ts';

export interface EntityRef {
  readonly id: string;
  /** The entity's status column (null for intake, whose state is the workflow's alone). */
  readonly status: string | null;
  readonly patientId: string;
}

const LOCKS: Readonly<Record<WorkflowKind, string>> = {
  appointment: `select id, status, patient_id from appointments where tenant_id = $1 and id = $2`,
  // Credit notes are documents of their own and have no workflow.
  invoice: `select id, status, patient_id from invoices where tenant_id = $1 and id = $2 and kind = 'invoice'`,
  patient_intake: `select id, null as status, id as patient_id from patients where tenant_id = $1 and id = $2`,
};

/**
 * Reads the entity, locking its row when `lock` (`for no key update`: it serialises workflow
 * transitions and the core's own `for update` without blocking foreign-key checks).
 */
export async function findEntity(tx: TenantTx, kind: WorkflowKind, id: string, lock: boolean): Promise<EntityRef | undefined> {
  const res = await tx.query<{ id: string; status: string | null; patient_id: string }>(LOCKS[kind] + (lock ? ' for no key update' : ''), [tx.tenantId, id]);
  const r = res.rows[0];
  return r && { id: r.id, status: r.status, patientId: r.patient_id };
}

const PRACTICE_ZONE = `coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York')`;

interface AppointmentViewRow {
  status: string;
  starts_at: Date;
  time_zone: string;
  weekday: number;
  start_minutes: number;
  duration_minutes: number;
  minutes_until_start: number;
  type_id: string;
  provider_id: string;
  location_id: string;
  late_cancel: boolean;
  age_years: number | null;
  sex: string | null;
}

async function appointmentView(tx: TenantTx, id: string): Promise<Record<string, unknown>> {
  const res = await tx.query<AppointmentViewRow>(
    `select a.status, a.starts_at, l.time_zone,
            extract(isodow from a.starts_at at time zone l.time_zone)::int as weekday,
            (extract(hour from a.starts_at at time zone l.time_zone) * 60 + extract(minute from a.starts_at at time zone l.time_zone))::int as start_minutes,
            (extract(epoch from a.ends_at - a.starts_at) / 60)::int as duration_minutes,
            floor(extract(epoch from a.starts_at - now()) / 60)::int as minutes_until_start,
            a.type_id, a.provider_id, a.location_id, a.late_cancel,
            date_part('year', age((now() at time zone l.time_zone)::date, p.date_of_birth))::int as age_years, p.sex
       from appointments a
       join locations l on l.tenant_id = a.tenant_id and l.id = a.location_id
       join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
      where a.tenant_id = $1 and a.id = $2`,
    [tx.tenantId, id],
  );
  const r = res.rows[0]!;
  return {
    appointment: {
      status: r.status,
      start: isoInZone(r.starts_at, r.time_zone),
      weekday: r.weekday,
      startMinutes: r.start_minutes,
      durationMinutes: r.duration_minutes,
      minutesUntilStart: r.minutes_until_start,
      typeId: r.type_id,
      providerId: r.provider_id,
      locationId: r.location_id,
      lateCancel: r.late_cancel,
    },
    patient: { ageYears: r.age_years, sex: r.sex },
  };
}

async function invoiceView(tx: TenantTx, id: string): Promise<Record<string, unknown>> {
  // Amounts as text: bigint minor units, converted exactly below. A draft has no total yet (it is
  // computed live), so total and balance are null until the invoice is issued.
  const res = await tx.query<{ status: string; number: string | null; currency: string; total: string | null; credited: string; paid: string; age_years: number | null; sex: string | null }>(
    `select i.status, i.number, i.currency, i.total::text as total,
            (select coalesce(-sum(c.total), 0)::text from invoices c
              where c.tenant_id = i.tenant_id and c.credits_invoice_id = i.id and c.kind = 'credit_note' and c.status not in ('draft', 'void')) as credited,
            (select coalesce(sum(case when y.kind = 'payment' then y.amount else -y.amount end), 0)::text from payments y
              where y.tenant_id = i.tenant_id and y.invoice_id = i.id) as paid,
            date_part('year', age((now() at time zone ${PRACTICE_ZONE})::date, p.date_of_birth))::int as age_years, p.sex
       from invoices i join patients p on p.tenant_id = i.tenant_id and p.id = i.patient_id
      where i.tenant_id = $1 and i.id = $2`,
    [tx.tenantId, id],
  );
  const r = res.rows[0]!;
  const total = r.total === null ? null : Number(r.total);
  return {
    invoice: {
      status: r.status,
      number: r.number,
      currency: r.currency.trim(),
      total,
      paid: Number(r.paid),
      balance: total === null ? null : total - Number(r.credited) - Number(r.paid),
    },
    patient: { ageYears: r.age_years, sex: r.sex },
  };
}

async function intakeView(tx: TenantTx, id: string): Promise<Record<string, unknown>> {
  const res = await tx.query<{
    status: string; age_years: number | null; sex: string | null; has_email: boolean; has_phone: boolean; has_address: boolean; submitted: string[] | null; pending_links: number;
  }>(
    `select p.status, date_part('year', age((now() at time zone ${PRACTICE_ZONE})::date, p.date_of_birth))::int as age_years, p.sex,
            p.email is not null as has_email, p.phone is not null as has_phone, p.address is not null as has_address,
            array(select distinct f.key from form_responses r join forms f on f.tenant_id = r.tenant_id and f.id = r.form_id
                   where r.tenant_id = p.tenant_id and r.patient_id = p.id order by f.key) as submitted,
            (select count(*)::int from form_links l where l.tenant_id = p.tenant_id and l.patient_id = p.id and l.used_at is null and l.expires_at > now()) as pending_links
       from patients p where p.tenant_id = $1 and p.id = $2`,
    [tx.tenantId, id],
  );
  const r = res.rows[0]!;
  return {
    patient: { ageYears: r.age_years, sex: r.sex, status: r.status, hasEmail: r.has_email, hasPhone: r.has_phone, hasAddress: r.has_address },
    // The keys of the forms the patient has submitted, and the unused, unexpired form links sent to them.
    forms: { submitted: r.submitted ?? [], pendingLinks: r.pending_links },
  };
}

/** What guards of `kind` see, besides the instance's `data` (see docs/workflows.md). */
export function entityView(tx: TenantTx, kind: WorkflowKind, id: string): Promise<Record<string, unknown>> {
  switch (kind) {
    case 'appointment':
      return appointmentView(tx, id);
    case 'invoice':
      return invoiceView(tx, id);
    case 'patient_intake':
      return intakeView(tx, id);
  }
}
