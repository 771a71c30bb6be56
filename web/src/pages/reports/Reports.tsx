/**
 * /reports: the report suite over a chosen period (days in the practice time zone, as the API counts
 * them): appointments, attendance rates, new and returning patients, and for billing staff revenue
 * and payments. Every chart reads as a table and downloads as CSV. The accounts-receivable aging
 * lives in Billing (it lists patients), linked from here.
 */
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../session.tsx';
import { addDays, formatDate, todayIn } from '../../ui/format.ts';
import { EmptyState, PageHeader, SelectField, TextField } from '../../ui/kit.tsx';
import { ReportCard, type Range } from './ReportCard.tsx';
import type { Report, ReportSpec } from './types.ts';

/** The API's limit on one period (see README "Reports"). */
const MAX_DAYS = 366;
const PRESETS = [7, 30, 90, 365] as const;

const PERIODS = [{ value: 'day', label: 'Day' }, { value: 'week', label: 'Week' }, { value: 'month', label: 'Month' }];

const SPECS: readonly ReportSpec[] = [
  {
    report: 'appointments',
    title: 'Appointments',
    description: 'Appointments by the day they start, by status (cancelled ones included).',
    groups: [...PERIODS, { value: 'provider', label: 'Provider' }, { value: 'type', label: 'Type' }, { value: 'status', label: 'Status' }, { value: 'location', label: 'Location' }],
    kind: 'count',
    stacked: true,
    series: [
      { field: 'completed', name: 'Completed', color: '#1f6f43' },
      { field: 'checkedIn', name: 'Checked in', color: '#2f6db5' },
      { field: 'booked', name: 'Booked', color: 'var(--brand)' },
      { field: 'noShows', name: 'No-shows', color: '#b3261e' },
      { field: 'cancelled', name: 'Cancelled', color: '#6b6b6b' },
    ],
    extra: [{ field: 'lateCancels', name: 'Late cancellations', color: '' }, { field: 'appointments', name: 'All', color: '' }],
    permission: 'scheduling:read',
  },
  {
    report: 'attendance',
    title: 'No-show and late-cancel rates',
    description: 'No-shows among appointments not cancelled; late cancellations among all appointments.',
    groups: [{ value: 'provider', label: 'Provider' }, { value: 'type', label: 'Type' }, { value: 'location', label: 'Location' }],
    kind: 'rate',
    series: [
      { field: 'noShowRate', name: 'No-show rate', color: '#b3261e' },
      { field: 'lateCancelRate', name: 'Late-cancel rate', color: '#8a5a00' },
    ],
    extra: [{ field: 'appointments', name: 'Appointments', color: '', kind: 'count' }, { field: 'noShows', name: 'No-shows', color: '', kind: 'count' }, { field: 'lateCancels', name: 'Late cancellations', color: '', kind: 'count' }],
    permission: 'scheduling:read',
  },
  {
    report: 'patients',
    title: 'New and returning patients',
    description: 'Patients with a visit: new when it is their first at the practice, else returning.',
    groups: [PERIODS[2]!, PERIODS[1]!, PERIODS[0]!],
    kind: 'count',
    stacked: true,
    series: [
      { field: 'new', name: 'New', color: '#1f6f43' },
      { field: 'returning', name: 'Returning', color: 'var(--brand)' },
    ],
    permission: 'scheduling:read',
  },
  {
    report: 'revenue',
    title: 'Revenue',
    description: 'Billed: issued invoices less credit notes, with tax. Collected: payments less refunds.',
    groups: [PERIODS[2]!, PERIODS[1]!, PERIODS[0]!, { value: 'service', label: 'Service' }, { value: 'provider', label: 'Provider' }],
    kind: 'money',
    series: [
      { field: 'billed', name: 'Billed', color: 'var(--brand)' },
      { field: 'collected', name: 'Collected', color: '#1f6f43' },
    ],
    permission: 'billing:read',
  },
  {
    report: 'payments',
    title: 'Payments',
    description: 'Payments received per method; refunds and the net in the table.',
    groups: PERIODS,
    kind: 'money',
    stacked: true,
    series: [
      { field: 'card', name: 'Card', color: 'var(--brand)' },
      { field: 'cash', name: 'Cash', color: '#1f6f43' },
      { field: 'cheque', name: 'Cheque', color: '#8a5a00' },
      { field: 'insurance', name: 'Insurance', color: '#5b3fa0' },
    ],
    extra: [{ field: 'refunds', name: 'Refunds', color: '' }, { field: 'net', name: 'Net', color: '' }],
    permission: 'billing:read',
  },
];

function rangeError(range: Range): string | null {
  if (!range.from || !range.to) return 'Choose both dates';
  if (range.from > range.to) return 'The start must not be after the end';
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1;
  if (days > MAX_DAYS) return `At most ${MAX_DAYS} days at a time`;
  return null;
}

export function Reports() {
  const { can } = useSession();
  const [range, setRange] = useState<Range>(() => {
    const to = todayIn();
    return { from: addDays(to, -29), to };
  });
  const [applied, setApplied] = useState<Range>(range);
  const [activity, setActivity] = useState<number | null>(null);
  const onAppointments = useCallback((r: Report) => setActivity(Number(r.totals.appointments ?? 0)), []);
  const error = rangeError(range);

  const update = (next: Range) => {
    setRange(next);
    if (!rangeError(next)) setApplied(next);
  };
  const preset = (days: number) => {
    const to = todayIn();
    update({ from: addDays(to, -(days - 1)), to });
  };
  const specs = SPECS.filter((s) => can(s.permission));

  return (
    <>
      <PageHeader title="Reports" subtitle="Days are counted in the practice time zone.">
        <form className="report-range" aria-label="Report period" onSubmit={(e) => e.preventDefault()}>
          <SelectField label="Quick range" value="" onChange={(e) => e.target.value && preset(Number(e.target.value))}>
            <option value="">Choose…</option>
            {PRESETS.map((d) => <option key={d} value={d}>Last {d} days</option>)}
          </SelectField>
          <TextField label="From" type="date" value={range.from} max={range.to || undefined} onChange={(e) => update({ ...range, from: e.target.value })} error={error && error !== 'Choose both dates' ? error : undefined} />
          <TextField label="To" type="date" value={range.to} min={range.from || undefined} onChange={(e) => update({ ...range, to: e.target.value })} />
        </form>
      </PageHeader>
      <p className="muted small">
        {formatDate(applied.from)} – {formatDate(applied.to)}.
        {can('billing:read') ? <> Open balances by age are in <Link to="/billing/ar-aging">Billing → AR aging</Link>.</> : null}
      </p>
      {activity === 0 ? (
        <EmptyState title="No appointments in this period" action={<Link className="btn btn-secondary" to="/calendar">Open the Calendar</Link>}>
          Choose a longer range above, or book appointments: the reports fill in as visits are booked, invoiced and paid.
        </EmptyState>
      ) : null}
      <div className="report-grid">
        {specs.map((spec) => (
          <ReportCard key={spec.report} spec={spec} range={applied} {...(spec.report === 'appointments' ? { onLoaded: onAppointments } : {})} />
        ))}
      </div>
    </>
  );
}
