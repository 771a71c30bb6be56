/**
 * A waiting patient answers an emailed offer (/p/{practice}/waitlist/{token}): book the freed time
 * or let it go (it passes on when the offer lapses; they stay on the waitlist). Uses the public
 * offer API, GET/POST /waitlist/offers/{slug}/{token}.
 */
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError, publicApi } from '../../api.ts';
import { Button, ErrorBanner, Loading } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { whenText } from './BookingPage.tsx';
import './booking.css';

interface Offer {
  readonly practice: string;
  readonly appointmentType: string;
  readonly start: string;
  readonly timeZone: string;
  readonly expiresAt: string;
  readonly status: 'waiting' | 'offered' | 'booked' | 'expired' | 'cancelled';
}

function Message({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="card public-message" role="status">
      <h1>{title}</h1>
      <p>{children}</p>
    </div>
  );
}

function OfferProblem({ error }: { error: unknown }) {
  const code = error instanceof ApiError ? error.code : null;
  if (code === 'offer_expired') return <Message title="This offer has expired">The time may have been offered to someone else. You stay on the waitlist for other openings.</Message>;
  if (code === 'offer_unavailable') return <Message title="This offer is no longer available">It has already been used or withdrawn. Please contact the practice if you need an appointment.</Message>;
  if (code === 'slot_taken' || code === 'scheduling_rule_violation') return <Message title="This time is no longer available">Sorry — the time can no longer be booked. You stay on the waitlist for other openings.</Message>;
  if (code === 'feature_not_in_plan') return <Message title="Waitlist offers are not available">The practice does not take waitlist bookings online at the moment. Please contact them directly.</Message>;
  if (code === 'not_found' || (error instanceof ApiError && error.status === 400)) return <Message title="This link is not valid">It may have been used already or have lapsed. Please contact the practice.</Message>;
  return <ErrorBanner error={error} title="We could not open this offer" />;
}

export function WaitlistOfferPage() {
  const { slug = '', token = '' } = useParams();
  const path = `/waitlist/offers/${encodeURIComponent(slug)}/${encodeURIComponent(token)}`;
  const { data, error, loading } = useLoad((signal) => publicApi.get<Offer>(path, undefined, signal), [path]);
  const [busy, setBusy] = useState(false);
  const [acceptError, setAcceptError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<'booked' | 'declined' | null>(null);
  const [bookedStart, setBookedStart] = useState<string | null>(null);

  useEffect(() => {
    if (data) document.title = `Waitlist offer · ${data.practice}`;
  }, [data]);

  if (loading && !data) return <Loading label="Opening your offer…" />;
  if (error) return <OfferProblem error={error} />;
  if (!data) return null;
  if (acceptError) return <OfferProblem error={acceptError} />;

  const when = whenText(bookedStart ?? data.start, data.timeZone);
  if (outcome === 'booked' || data.status === 'booked') {
    return <Message title="You are booked">Your {data.appointmentType} on {when} is booked. {data.practice} will email you a confirmation.</Message>;
  }
  if (outcome === 'declined') {
    return (
      <Message title="No problem">
        We will not book this time for you. The offer lapses at {formatDateTime(data.expiresAt, data.timeZone)} and then passes to the next person; you stay on the waitlist for other openings.
      </Message>
    );
  }
  if (data.status === 'expired') return <OfferProblem error={new ApiError(410, 'offer_expired', 'expired')} />;
  if (data.status !== 'offered') return <OfferProblem error={new ApiError(409, 'offer_unavailable', 'unavailable')} />;

  const accept = async () => {
    setBusy(true);
    try {
      const res = await publicApi.post<{ appointmentId: string; start: string }>(`${path}/accept`);
      setBookedStart(res.start);
      setOutcome('booked');
    } catch (err) {
      setAcceptError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card booking-section" aria-labelledby="offer-title">
      <h1 id="offer-title">A time has become free</h1>
      <p>{data.practice} can offer you this appointment from the waitlist:</p>
      <dl className="facts booking-summary">
        <dt>Appointment</dt>
        <dd>{data.appointmentType}</dd>
        <dt>When</dt>
        <dd>{when}</dd>
        <dt>Offer open until</dt>
        <dd>{formatDateTime(data.expiresAt, data.timeZone)}</dd>
      </dl>
      <div className="booking-actions">
        <Button busy={busy} onClick={accept}>Book this time</Button>
        <Button variant="secondary" disabled={busy} onClick={() => setOutcome('declined')}>Let it go</Button>
      </div>
    </section>
  );
}
