/**
 * A patient sees their online booking from its link (/p/{practice}/appointments/{token}) and can
 * cancel it within the practice's rules: the policy is shown first, cancelling asks to confirm, and
 * a late cancellation says so before it is made.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, publicApi } from '../../api.ts';
import { Badge, Button, ErrorBanner, Loading, TextArea } from '../../ui/kit.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { whenText, type ManagedAppointment } from './BookingPage.tsx';
import './booking.css';

const STATUS: Record<ManagedAppointment['status'], [string, 'good' | 'bad' | 'info' | 'neutral' | 'warn']> = {
  booked: ['Booked', 'good'],
  checked_in: ['Checked in', 'info'],
  completed: ['Completed', 'neutral'],
  cancelled: ['Cancelled', 'bad'],
  no_show: ['Missed', 'warn'],
};

function LinkProblem({ error }: { error: unknown }) {
  const code = error instanceof ApiError ? error.code : null;
  const [title, text] =
    code === 'appointment_link_expired'
      ? ['This appointment is over', 'The link to this appointment no longer works because the appointment has passed. Please contact the practice with any questions.']
      : code === 'not_found' || (error instanceof ApiError && error.status === 400)
        ? ['This link is not valid', 'Please check that you opened the whole link from your confirmation email, or contact the practice.']
        : [null, null];
  if (!title) return <ErrorBanner error={error} title="We could not open your appointment" />;
  return (
    <div className="card public-message" role="status">
      <h1>{title}</h1>
      <p>{text}</p>
    </div>
  );
}

export function ManageAppointmentPage() {
  const { slug = '', token = '' } = useParams();
  const path = `/public/appointments/${encodeURIComponent(slug)}/${encodeURIComponent(token)}`;
  const loaded = useLoad((signal) => publicApi.get<ManagedAppointment>(path, undefined, signal), [path]);
  const [appointment, setAppointment] = useState<ManagedAppointment | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);

  useEffect(() => {
    if (loaded.data) setAppointment(loaded.data);
  }, [loaded.data]);
  useEffect(() => {
    if (appointment) document.title = `Your appointment · ${appointment.practice}`;
  }, [appointment]);

  if (loaded.loading && !appointment) return <Loading label="Opening your appointment…" />;
  if (loaded.error && !appointment) return <LinkProblem error={loaded.error} />;
  if (!appointment) return null;
  const a = appointment;
  const [statusText, tone] = STATUS[a.status];

  const cancel = async () => {
    setBusy(true);
    setCancelError(null);
    try {
      setAppointment(await publicApi.post<ManagedAppointment>(`${path}/cancel`, reason.trim() ? { reason: reason.trim() } : {}));
      setConfirming(false);
    } catch (err) {
      setCancelError(err);
      loaded.reload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card booking-section" aria-labelledby="appt-title">
      <h1 id="appt-title">Your appointment</h1>
      <p>
        Status: <Badge tone={tone}>{statusText}</Badge>
      </p>
      {a.status === 'cancelled' ? (
        <div className="banner banner-info" role="status">
          <strong>This appointment is cancelled.</strong>
          <p>{a.lateCancel ? 'It was cancelled late, inside the cancellation window; the practice may charge a fee.' : 'Nothing more to do. We hope to see you another time.'}</p>
        </div>
      ) : null}
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

      {a.status === 'booked' ? (
        <div className="policy-box">
          <h2>Cancellation policy</h2>
          <p>{a.policy.text}</p>
        </div>
      ) : null}

      <ErrorBanner error={cancelError} title="We could not cancel your appointment" />

      {a.status === 'booked' && a.canCancel && !confirming ? (
        <div className="booking-actions">
          <Button variant="danger" onClick={() => setConfirming(true)}>Cancel appointment</Button>
        </div>
      ) : null}

      {a.status === 'booked' && a.canCancel && confirming ? (
        <div className="card" role="group" aria-labelledby="confirm-title">
          <h2 id="confirm-title">Cancel this appointment?</h2>
          {a.cancelIsLate ? (
            <div className="banner banner-warn">
              <strong>This is a late cancellation.</strong>
              <p>It is recorded as late, and the practice may charge a fee.</p>
            </div>
          ) : (
            <p>Your time will be freed for someone else.</p>
          )}
          <TextArea label="Reason (optional)" maxLength={400} value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="booking-actions">
            <Button variant="danger" busy={busy} onClick={cancel}>Yes, cancel appointment</Button>
            <Button variant="secondary" disabled={busy} onClick={() => setConfirming(false)}>Keep appointment</Button>
          </div>
        </div>
      ) : null}

      {a.status === 'booked' && !a.canCancel ? (
        <p className="banner banner-warn">It is too late to cancel online. Please call the practice if you cannot come.</p>
      ) : null}

      {a.status === 'cancelled' ? (
        <p>
          <Link to={`/p/${encodeURIComponent(slug)}/book`}>Book another appointment</Link>
        </p>
      ) : null}
    </section>
  );
}
