/**
 * The calendar area (/calendar): a location's day or week, filtered by provider, in the location's
 * time zone; booking from a free slot and the appointment's steps in dialogs. What is shown lives in
 * the address (?view=&date=&location=&provider=) so a reload or a shared link shows the same page.
 */
import { useState } from 'react';
import { Link, Navigate, Route, Routes, useSearchParams } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, useToast } from '../../ui/kit.tsx';
import { addDays, todayIn } from '../../ui/format.ts';
import type { AppointmentType, CalendarView, Location, PracticeRules, Provider } from './calendar-data.ts';
import { formatDayHeading, mondayOf } from './calendar-data.ts';
import { DayView, WeekView } from './CalendarViews.tsx';
import { BookDialog, type BookingPreset } from './BookDialog.tsx';
import { AppointmentDialog, type OpenAppointment } from './AppointmentDialog.tsx';
import './calendar.css';

export function CalendarArea() {
  return (
    <Routes>
      <Route index element={<CalendarPage />} />
      <Route path="*" element={<Navigate to="/calendar" replace />} />
    </Routes>
  );
}

interface Setup {
  readonly locations: Location[];
  readonly providers: Provider[];
  readonly types: AppointmentType[];
  readonly rules: PracticeRules;
}

function CalendarPage() {
  const { api } = useSession();
  const setup = useLoad(async (signal): Promise<Setup> => {
    const [locations, providers, types, rules] = await Promise.all([
      api.get<{ items: Location[] }>('/api/locations', undefined, signal),
      api.get<{ items: Provider[] }>('/api/providers', undefined, signal),
      api.get<{ items: AppointmentType[] }>('/api/appointment-types', undefined, signal),
      api.get<PracticeRules>('/api/scheduling/rules', undefined, signal),
    ]);
    return { locations: locations.items, providers: providers.items, types: types.items, rules };
  }, [api]);

  if (setup.error) {
    return (
      <>
        <PageHeader title="Calendar" />
        <ErrorBanner error={setup.error} title="Could not open the calendar" />
        <Button variant="secondary" onClick={setup.reload}>Try again</Button>
      </>
    );
  }
  if (!setup.data) {
    return (
      <>
        <PageHeader title="Calendar" />
        <Loading label="Opening the calendar…" />
      </>
    );
  }
  const locations = setup.data.locations.filter((l) => l.active);
  if (locations.length === 0) {
    return (
      <>
        <PageHeader title="Calendar" />
        <EmptyState title="No locations yet" action={<Link to="/settings/locations">Add a location in Settings</Link>}>
          The calendar shows a location’s day. Add a location and your providers’ hours first.
        </EmptyState>
      </>
    );
  }
  return <Calendar setup={setup.data} locations={locations} />;
}

function Calendar({ setup, locations }: { setup: Setup; locations: Location[] }) {
  const { api, can } = useSession();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const location = locations.find((l) => l.id === params.get('location')) ?? locations[0]!;
  const today = todayIn(location.timeZone);
  const view = params.get('view') === 'week' ? 'week' : 'day';
  const rawDate = params.get('date') ?? '';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(rawDate) && !Number.isNaN(Date.parse(rawDate)) ? rawDate : today;
  const providerId = setup.providers.some((p) => p.id === params.get('provider')) ? params.get('provider')! : '';
  const [booking, setBooking] = useState<BookingPreset | null>(null);
  const [opened, setOpened] = useState<OpenAppointment | null>(null);

  const update = (next: Partial<Record<'view' | 'date' | 'location' | 'provider', string>>) => {
    const merged = { view, date, location: location.id, provider: providerId, ...next };
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v) search.set(k, v);
    setParams(search);
  };

  const key = `${location.id}|${view}|${date}|${providerId}`;
  const cal = useLoad(
    async (signal) => ({
      key,
      view: await api.get<CalendarView>('/api/calendar', { view, date, locationId: location.id, providerId: providerId || undefined }, signal),
    }),
    [key],
  );
  const current = cal.data?.key === key ? cal.data.view : undefined;

  const step = view === 'week' ? 7 : 1;
  const heading = view === 'week'
    ? `Week of ${formatDayHeading(mondayOf(date), 'long')}`
    : formatDayHeading(date, 'long');
  const write = can('scheduling:write');
  const providersHere = setup.providers.filter((p) => p.active || p.id === providerId);

  return (
    <>
      <PageHeader title="Calendar" subtitle={`${location.name} · times in ${location.timeZone}`}>
        {write ? <Button onClick={() => setBooking({ date: date < today ? today : date, providerId: providerId || undefined })}>Book appointment</Button> : null}
      </PageHeader>
      <div className="toolbar cal-toolbar">
        <SelectField label="Location" value={location.id} onChange={(e) => update({ location: e.target.value })}>
          {locations.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </SelectField>
        <SelectField label="Provider" value={providerId} onChange={(e) => update({ provider: e.target.value })}>
          <option value="">All providers</option>
          {providersHere.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
        </SelectField>
        <div className="cal-view-switch" role="group" aria-label="View">
          <button type="button" className="btn btn-secondary" aria-pressed={view === 'day'} onClick={() => update({ view: 'day' })}>Day</button>
          <button type="button" className="btn btn-secondary" aria-pressed={view === 'week'} onClick={() => update({ view: 'week' })}>Week</button>
        </div>
      </div>
      <nav className="cal-nav" aria-label="Dates">
        <button type="button" className="btn btn-secondary" onClick={() => update({ date: addDays(date, -step) })}>
          <span aria-hidden="true">←</span> {view === 'week' ? 'Previous week' : 'Previous day'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => update({ date: today })} disabled={date === today}>Today</button>
        <button type="button" className="btn btn-secondary" onClick={() => update({ date: addDays(date, step) })}>
          {view === 'week' ? 'Next week' : 'Next day'} <span aria-hidden="true">→</span>
        </button>
        <label className="cal-goto">
          <span className="visually-hidden">Go to date</span>
          <input type="date" value={date} onChange={(e) => { if (e.target.value) update({ date: e.target.value }); }} />
        </label>
      </nav>
      <h2 className="cal-heading" aria-live="polite">{heading}{date === today && view === 'day' ? ' (today)' : ''}</h2>
      {cal.error ? <ErrorBanner error={cal.error} title="Could not load the calendar" /> : null}
      {!current && !cal.error ? <Loading label="Loading appointments…" /> : null}
      {current ? (
        <div aria-busy={cal.loading || undefined}>
          {view === 'week' ? (
            <WeekView
              data={current}
              actions={{
                onOpen: (a, p) => setOpened({ appointment: a, providerId: p.providerId, providerName: p.name }),
                onShowDay: (d) => update({ view: 'day', date: d }),
              }}
            />
          ) : (
            <DayView
              data={current}
              actions={{
                onOpen: (a, p) => setOpened({ appointment: a, providerId: p.providerId, providerName: p.name }),
                onBookFree: write ? (pid, d) => setBooking({ date: d, providerId: pid }) : undefined,
                onShowDay: (d) => update({ view: 'day', date: d }),
              }}
            />
          )}
        </div>
      ) : null}
      <BookDialog
        open={booking !== null}
        preset={booking ?? { date }}
        location={location}
        types={setup.types}
        providers={setup.providers}
        practiceRules={setup.rules.effective}
        onClose={() => setBooking(null)}
        onBooked={(appointment) => {
          setBooking(null);
          toast('Appointment booked');
          const bookedDate = new Intl.DateTimeFormat('en-CA', { timeZone: location.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(appointment.start));
          if (bookedDate !== date || view !== 'day') update({ view: 'day', date: bookedDate });
          else cal.reload();
        }}
      />
      <AppointmentDialog
        open={opened}
        location={location}
        types={setup.types}
        providers={setup.providers}
        practiceRules={setup.rules.effective}
        onClose={() => setOpened(null)}
        onChanged={(movedTo) => {
          setOpened(null);
          if (movedTo && movedTo !== date && view === 'day') update({ date: movedTo });
          else cal.reload();
        }}
      />
    </>
  );
}
