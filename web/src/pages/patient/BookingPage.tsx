/**
 * A patient books online without a login (/p/{practice}/book): choose what to book, a day and a
 * free time, give their details, confirm, and get the link to see or cancel the booking. Only what
 * the practice switched on for online booking is offered; the server applies every booking rule.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, publicApi } from '../../api.ts';
import { useBranding } from '../../branding.tsx';
import { Button, EmptyState, ErrorBanner, Loading, SelectField, TextField } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { addDays, formatDate, formatTime, todayIn } from '../../ui/format.ts';
import './booking.css';

interface BookingOptions {
  readonly practice: string;
  readonly types: readonly { id: string; name: string; durationMinutes: number; locationIds: string[]; providerIds: string[] }[];
  readonly locations: readonly { id: string; name: string; timeZone: string; address: string | null }[];
  readonly providers: readonly { id: string; name: string }[];
}

interface Slot {
  readonly start: string;
  readonly end: string;
  readonly providerId: string;
  readonly locationId: string;
  readonly timeZone: string;
}

export interface ManagedAppointment {
  readonly practice: string;
  readonly appointmentType: string;
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly location: { name: string; address: string | null };
  readonly provider: string;
  readonly status: 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'no_show';
  readonly lateCancel: boolean;
  readonly canCancel: boolean;
  readonly cancelIsLate: boolean;
  readonly policy: { cancelWindowMinutes: number; lateCancel: 'flag' | 'refuse'; text: string };
}

interface Booked {
  readonly appointment: ManagedAppointment;
  readonly manageUrl: string;
  readonly email: 'queued' | 'not_sent';
}

const EMPTY_PERSON = { firstName: '', lastName: '', dateOfBirth: '', email: '', phone: '' };
type Person = typeof EMPTY_PERSON;
type Step = 'choose' | 'details' | 'review' | 'done';
const STEPS: readonly [Step, string][] = [
  ['choose', 'Time'],
  ['details', 'Your details'],
  ['review', 'Confirm'],
  ['done', 'Booked'],
];

/** The path of the manage link, so it opens in this app whatever public address the server was given. */
export function pathOf(url: string): string {
  try {
    return new URL(url, window.location.origin).pathname;
  } catch {
    return url;
  }
}

/** Date and time of a slot, in the location's time zone. */
export function whenText(start: string, timeZone: string): string {
  return `${formatDate(start, timeZone)}, ${formatTime(start, timeZone)}`;
}

function Steps({ current }: { current: Step }) {
  return (
    <ol className="booking-steps" aria-label="Booking steps">
      {STEPS.map(([key, label]) => (
        <li key={key} aria-current={key === current ? 'step' : undefined}>
          {label}
        </li>
      ))}
    </ol>
  );
}

function NothingOnline({ practice }: { practice: string }) {
  const { branding } = useBranding();
  return (
    <EmptyState title="Online booking is not available">
      {practice} does not offer appointments online at the moment.{' '}
      {branding?.phone ? (
        <>
          Please call <a href={`tel:${branding.phone}`}>{branding.phone}</a> to book.
        </>
      ) : (
        'Please contact the practice to book.'
      )}
    </EmptyState>
  );
}

export function BookingPage() {
  const { slug = '' } = useParams();
  const base = `/public/practices/${encodeURIComponent(slug)}`;
  const options = useLoad((signal) => publicApi.get<BookingOptions>(`${base}/booking`, undefined, signal), [base]);
  const [typeId, setTypeId] = useState('');
  const [locationId, setLocationId] = useState('');
  const [providerId, setProviderId] = useState('');
  const [date, setDate] = useState('');
  const [slot, setSlot] = useState<Slot | null>(null);
  const [person, setPerson] = useState<Person>(EMPTY_PERSON);
  const [step, setStep] = useState<Step>('choose');
  const [busy, setBusy] = useState(false);
  const [bookError, setBookError] = useState<unknown>(null);
  const [booked, setBooked] = useState<Booked | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const data = options.data;
  const type = data?.types.find((x) => x.id === typeId);
  const locations = useMemo(() => (data && type ? data.locations.filter((l) => type.locationIds.includes(l.id)) : []), [data, type]);
  const providers = useMemo(() => (data && type ? data.providers.filter((p) => type.providerIds.includes(p.id)) : []), [data, type]);
  const zone = locations.find((l) => l.id === locationId)?.timeZone ?? locations[0]?.timeZone;
  const today = todayIn(zone);

  useEffect(() => {
    if (data) document.title = `Book an appointment · ${data.practice}`;
    // One type only: nothing to choose.
    if (data?.types.length === 1 && !typeId) setTypeId(data.types[0]!.id);
  }, [data, typeId]);
  useEffect(() => {
    setLocationId(locations.length === 1 ? locations[0]!.id : '');
    setProviderId('');
    setSlot(null);
  }, [typeId, locations]);
  useEffect(() => {
    if (typeId && !date) setDate(today);
  }, [typeId, date, today]);
  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  const slotsKey = typeId && date ? `${typeId}|${date}|${locationId}|${providerId}` : '';
  const slots = useLoad(
    (signal) =>
      slotsKey
        ? publicApi.get<{ items: Slot[] }>(`${base}/slots`, { typeId, date, locationId: locationId || undefined, providerId: providerId || undefined }, signal)
        : Promise.resolve({ items: [] as Slot[] }),
    [slotsKey],
  );

  if (options.loading && !data) return <Loading label="Loading what you can book…" />;
  if (options.error) return <ErrorBanner error={options.error} title="We could not load online booking" />;
  if (!data) return null;
  if (data.types.length === 0) return <NothingOnline practice={data.practice} />;

  const providerName = (id: string) => data.providers.find((p) => p.id === id)?.name ?? '';
  const location = (id: string) => data.locations.find((l) => l.id === id);
  const fieldError = (name: keyof Person) => (bookError instanceof ApiError ? bookError.fieldError(`patient.${name}`) : undefined);
  const set = (name: keyof Person) => (e: { target: { value: string } }) => setPerson((p) => ({ ...p, [name]: e.target.value }));

  const submit = async () => {
    if (!slot || !type) return;
    setBusy(true);
    setBookError(null);
    try {
      const patient = { ...person, phone: person.phone.trim() || undefined };
      const res = await publicApi.post<Booked>(`${base}/appointments`, { typeId: type.id, start: slot.start, providerId: slot.providerId, locationId: slot.locationId, patient });
      setBooked(res);
      setStep('done');
    } catch (err) {
      setBookError(err);
      // Field problems are fixed in the details form; a taken slot sends the patient back to pick another.
      if (err instanceof ApiError && err.errors.some((e) => e.field.startsWith('patient.'))) setStep('details');
      else if (err instanceof ApiError && err.status === 409) {
        setSlot(null);
        setStep('choose');
        slots.reload();
      }
    } finally {
      setBusy(false);
    }
  };

  const summary = slot && type && (
    <dl className="facts booking-summary">
      <dt>Appointment</dt>
      <dd>{type.name} ({type.durationMinutes} min)</dd>
      <dt>When</dt>
      <dd>{whenText(slot.start, slot.timeZone)}</dd>
      <dt>With</dt>
      <dd>{providerName(slot.providerId)}</dd>
      <dt>Where</dt>
      <dd>
        {location(slot.locationId)?.name}
        {location(slot.locationId)?.address ? `, ${location(slot.locationId)!.address}` : ''}
      </dd>
    </dl>
  );

  if (step === 'done' && booked) {
    const a = booked.appointment;
    return (
      <section className="card booking-section" aria-labelledby="booked-title">
        <Steps current="done" />
        <h1 id="booked-title" ref={headingRef} tabIndex={-1}>You are booked</h1>
        <dl className="facts booking-summary">
          <dt>Appointment</dt>
          <dd>{a.appointmentType}</dd>
          <dt>When</dt>
          <dd>{whenText(a.start, a.timeZone)}</dd>
          <dt>With</dt>
          <dd>{a.provider}</dd>
          <dt>Where</dt>
          <dd>{a.location.name}{a.location.address ? `, ${a.location.address}` : ''}</dd>
        </dl>
        <p>{booked.email === 'queued' ? `We have emailed a confirmation to ${person.email}.` : 'Keep the link below to see or cancel your appointment.'}</p>
        <p>
          <Link className="btn btn-primary" to={pathOf(booked.manageUrl)}>See or cancel your appointment</Link>
        </p>
        <p className="small muted">Your personal link (keep it private): <span className="manage-link">{booked.manageUrl}</span></p>
      </section>
    );
  }

  if (step === 'details' || step === 'review') {
    return (
      <section className="card booking-section" aria-labelledby="details-title">
        <Steps current={step} />
        <h1 id="details-title" ref={headingRef} tabIndex={-1}>{step === 'details' ? 'Your details' : 'Check and confirm'}</h1>
        {summary}
        {step === 'details' ? (
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              setStep('review');
            }}
          >
            {bookError && !(bookError instanceof ApiError && bookError.errors.length > 0) ? <ErrorBanner error={bookError} title="We could not book this time" /> : null}
            <div className="row">
              <TextField label="First name" name="firstName" autoComplete="given-name" required maxLength={100} value={person.firstName} onChange={set('firstName')} error={fieldError('firstName')} />
              <TextField label="Last name" name="lastName" autoComplete="family-name" required maxLength={100} value={person.lastName} onChange={set('lastName')} error={fieldError('lastName')} />
            </div>
            <div className="row">
              <TextField label="Date of birth" name="dateOfBirth" type="date" autoComplete="bday" required max={today} value={person.dateOfBirth} onChange={set('dateOfBirth')} error={fieldError('dateOfBirth')} />
              <TextField label="Email" name="email" type="email" autoComplete="email" required maxLength={254} value={person.email} onChange={set('email')} error={fieldError('email')} hint="We send your confirmation and your link here." />
            </div>
            <div className="row">
              <TextField label="Phone (optional)" name="phone" type="tel" autoComplete="tel" maxLength={40} value={person.phone} onChange={set('phone')} error={fieldError('phone')} />
            </div>
            <div className="booking-actions">
              <Button type="submit">Continue</Button>
              <Button variant="secondary" onClick={() => setStep('choose')}>Back to times</Button>
            </div>
          </form>
        ) : (
          <>
            <dl className="facts">
              <dt>Name</dt>
              <dd>{person.firstName} {person.lastName}</dd>
              <dt>Date of birth</dt>
              <dd>{formatDate(person.dateOfBirth)}</dd>
              <dt>Email</dt>
              <dd>{person.email}</dd>
              {person.phone.trim() ? (
                <>
                  <dt>Phone</dt>
                  <dd>{person.phone}</dd>
                </>
              ) : null}
            </dl>
            <ErrorBanner error={bookError} title="We could not book this time" />
            <div className="booking-actions">
              <Button busy={busy} onClick={submit}>Confirm booking</Button>
              <Button variant="secondary" onClick={() => setStep('details')} disabled={busy}>Change details</Button>
            </div>
          </>
        )}
      </section>
    );
  }

  const items = slots.data?.items ?? [];
  return (
    <section className="card booking-section" aria-labelledby="book-title">
      <Steps current="choose" />
      <h1 id="book-title" ref={headingRef} tabIndex={-1}>Book an appointment</h1>
      <p className="muted">Choose what you would like to book, then a day and a free time.</p>
      {bookError ? <ErrorBanner error={bookError} title="That time is no longer available" /> : null}
      <div className="row">
        <SelectField label="Appointment type" value={typeId} onChange={(e) => setTypeId(e.target.value)}>
          <option value="">Choose…</option>
          {data.types.map((x) => (
            <option key={x.id} value={x.id}>{x.name} ({x.durationMinutes} min)</option>
          ))}
        </SelectField>
        {locations.length > 1 ? (
          <SelectField label="Location" value={locationId} onChange={(e) => { setLocationId(e.target.value); setSlot(null); }}>
            <option value="">Any location</option>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>{l.name}</option>
            ))}
          </SelectField>
        ) : null}
        {providers.length > 1 ? (
          <SelectField label="Provider" value={providerId} onChange={(e) => { setProviderId(e.target.value); setSlot(null); }}>
            <option value="">Anyone</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </SelectField>
        ) : null}
      </div>
      {type ? (
        <>
          <div className="day-nav">
            <TextField label="Day" type="date" min={today} value={date} onChange={(e) => { setDate(e.target.value || today); setSlot(null); }} />
            <Button variant="secondary" disabled={date <= today} onClick={() => { setDate(addDays(date, -1)); setSlot(null); }}>Previous day</Button>
            <Button variant="secondary" onClick={() => { setDate(addDays(date, 1)); setSlot(null); }}>Next day</Button>
          </div>
          <fieldset>
            <legend>Free times on {date ? formatDate(date) : '…'}</legend>
            {zone ? <p className="small muted">Times are local to the practice ({zone}).</p> : null}
            {slots.loading ? (
              <Loading label="Finding free times…" />
            ) : slots.error ? (
              <ErrorBanner error={slots.error} title="We could not load free times" />
            ) : items.length === 0 ? (
              <EmptyState title="No free times on this day" action={<Button variant="secondary" onClick={() => setDate(addDays(date, 1))}>Try the next day</Button>}>
                Please try another day{providers.length > 1 || locations.length > 1 ? ', provider or location' : ''}.
              </EmptyState>
            ) : (
              <ul className="slot-grid">
                {items.map((s) => {
                  const chosen = slot?.start === s.start && slot.providerId === s.providerId && slot.locationId === s.locationId;
                  return (
                    <li key={`${s.start}|${s.providerId}|${s.locationId}`}>
                      <Button
                        variant="secondary"
                        aria-pressed={chosen}
                        aria-label={`${formatTime(s.start, s.timeZone)} with ${providerName(s.providerId)}${locations.length > 1 ? ` at ${location(s.locationId)?.name ?? ''}` : ''}`}
                        onClick={() => setSlot(s)}
                      >
                        <span>{formatTime(s.start, s.timeZone)}</span>
                        {providers.length > 1 ? <span className="slot-who">{providerName(s.providerId)}</span> : null}
                      </Button>
                    </li>
                  );
                })}
              </ul>
            )}
          </fieldset>
          <div className="booking-actions">
            <Button disabled={!slot} onClick={() => { setBookError(null); setStep('details'); }}>
              {slot ? `Continue with ${formatTime(slot.start, slot.timeZone)}` : 'Choose a time to continue'}
            </Button>
          </div>
        </>
      ) : null}
    </section>
  );
}
