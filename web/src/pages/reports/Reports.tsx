/**
 * /reports: the report suite over a chosen period (days in the practice time zone, as the API counts
 * them): appointments, attendance rates, new and returning patients, and for billing staff revenue
 * and payments, optionally for one provider and/or location. Every chart reads as a table and
 * downloads as CSV. The period and filters live in the query string (`from`, `to`, `provider`,
 * `location`), so a view can be bookmarked and shared. The accounts-receivable aging lives in Billing
 * (it lists patients), linked from here.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { addDays, formatDate, todayIn } from '../../ui/format.ts';
import { Button, EmptyState, ErrorBanner, PageHeader, SelectField, TextField } from '../../ui/kit.tsx';
import { ReportCard, type Filters, type Range } from './ReportCard.tsx';
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

const isDate = (v: string | null): v is string => v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

/** The period in the query string when it is a valid one, else the last 30 days. */
function rangeFrom(params: URLSearchParams): Range {
  const from = params.get('from');
  const to = params.get('to');
  if (isDate(from) && isDate(to) && !rangeError({ from, to })) return { from, to };
  const today = todayIn();
  return { from: addDays(today, -29), to: today };
}

interface Choice {
  readonly id: string;
  readonly label: string;
}

/** The practice's providers and locations to filter by (GET /api/providers, /api/locations: `scheduling:read`). */
function useFilterChoices(enabled: boolean) {
  const { api } = useSession();
  return useLoad(async (signal) => {
    if (!enabled) return { providers: [] as Choice[], locations: [] as Choice[] };
    const [providers, locations] = await Promise.all([
      api.get<{ items: { id: string; displayName: string; active: boolean }[] }>('/api/providers', undefined, signal),
      api.get<{ items: { id: string; name: string }[] }>('/api/locations', undefined, signal),
    ]);
    return {
      providers: providers.items.map((p) => ({ id: p.id, label: p.active ? p.displayName : `${p.displayName} (inactive)` })),
      locations: locations.items.map((l) => ({ id: l.id, label: l.name })),
    };
  }, [api, enabled]);
}

export function Reports() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const applied = rangeFrom(params);
  const [range, setRange] = useState<Range>(applied);
  // Back and forward change the query string: the date fields follow it.
  useEffect(() => setRange(applied), [applied.from, applied.to]); // eslint-disable-line react-hooks/exhaustive-deps
  const [activity, setActivity] = useState<number | null>(null);
  const onAppointments = useCallback((r: Report) => setActivity(Number(r.totals.appointments ?? 0)), []);
  const error = rangeError(range);

  // Filters need the lists to choose from (scheduling:read); an id not in them is ignored.
  const canFilter = can('scheduling:read');
  const choices = useFilterChoices(canFilter);
  const provider = choices.data?.providers.find((p) => p.id === params.get('provider'));
  const location = choices.data?.locations.find((l) => l.id === params.get('location'));
  const filters: Filters = { ...(provider ? { providerId: provider.id } : {}), ...(location ? { locationId: location.id } : {}) };
  const filtered = provider !== undefined || location !== undefined;
  // With a filter in the address, wait for the lists rather than load every report twice.
  const wantsFilter = canFilter && (params.has('provider') || params.has('location'));
  const ready = !wantsFilter || choices.data !== undefined || choices.error !== null;

  const setQuery = (next: Partial<Record<'from' | 'to' | 'provider' | 'location', string>>) => {
    setParams((p) => {
      const search = new URLSearchParams(p);
      for (const [k, v] of Object.entries(next)) {
        if (v) search.set(k, v);
        else search.delete(k);
      }
      return search;
    }, { replace: true });
  };
  const update = (next: Range) => {
    setRange(next);
    if (!rangeError(next)) setQuery({ from: next.from, to: next.to });
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
      {canFilter ? (
        <form className="report-range" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
          <SelectField label="Provider" value={provider?.id ?? ''} disabled={!choices.data} onChange={(e) => setQuery({ provider: e.target.value })}>
            <option value="">All providers</option>
            {choices.data?.providers.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </SelectField>
          <SelectField label="Location" value={location?.id ?? ''} disabled={!choices.data} onChange={(e) => setQuery({ location: e.target.value })}>
            <option value="">All locations</option>
            {choices.data?.locations.map((l) => <option key={l.id} value={l.id}>{l.label}</option>)}
          </SelectField>
          {filtered ? <Button variant="secondary" onClick={() => setQuery({ provider: '', location: '' })}>Clear filters</Button> : null}
        </form>
      ) : null}
      <ErrorBanner error={choices.error} title="Could not load the providers and locations to filter by" />
      <p className="muted small">
        {formatDate(applied.from)} – {formatDate(applied.to)}
        {provider ? <>, {provider.label}</> : null}
        {location ? <>, {location.label}</> : null}.
        {can('billing:read') ? <> Open balances by age are in <Link to="/billing/ar-aging">Billing → AR aging</Link>.</> : null}
      </p>
      {activity === 0 && filtered ? (
        <EmptyState title="No data matches these filters">
          No appointments{provider ? ` with ${provider.label}` : ''}{location ? ` at ${location.label}` : ''} in this period. Choose another provider or location, a longer range, or clear the filters above.
        </EmptyState>
      ) : activity === 0 ? (
        <EmptyState title="No appointments in this period" action={<Link className="btn btn-secondary" to="/calendar">Open the Calendar</Link>}>
          Choose a longer range above, or book appointments: the reports fill in as visits are booked, invoiced and paid.
        </EmptyState>
      ) : null}
      {ready ? (
        <div className="report-grid">
          {specs.map((spec) => (
            <ReportCard key={spec.report} spec={spec} range={applied} filters={filters} {...(spec.report === 'appointments' ? { onLoaded: onAppointments } : {})} />
          ))}
        </div>
      ) : null}
    </>
  );
}
