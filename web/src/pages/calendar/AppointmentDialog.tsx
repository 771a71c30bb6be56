/**
 * One appointment: who, what, when, with whom and its status, and the steps its status allows
 * (check in, no-show, complete, reschedule to another free slot, cancel with the policy shown).
 * Write actions appear only with `scheduling:write`.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Badge, Button, Dialog, ErrorBanner, SelectField, TextArea, TextField, useToast } from '../../ui/kit.tsx';
import { formatDate, formatTime } from '../../ui/format.ts';
import type { AppointmentType, CalendarAppointment, Location, Provider, SchedulingRules, Slot } from './calendar-data.ts';
import { STATUS_LABEL, STATUS_TONE, cancellationPolicy, dateIn, describeMinutes, isLateCancel, rulesForType } from './calendar-data.ts';
import { SlotPicker } from './SlotPicker.tsx';
import { RuleOverride, canOverride } from './RuleOverride.tsx';

export interface OpenAppointment {
  readonly appointment: CalendarAppointment;
  readonly providerId: string;
  readonly providerName: string;
}

interface Props {
  readonly open: OpenAppointment | null;
  readonly location: Location;
  readonly types: readonly AppointmentType[];
  readonly providers: readonly Provider[];
  readonly practiceRules: SchedulingRules;
  onClose(): void;
  /** Something changed: the calendar reloads (and may move to `date`). */
  onChanged(date?: string): void;
}

type Mode = 'details' | 'reschedule' | 'cancel';
const TITLES: Record<Mode, string> = { details: 'Appointment', reschedule: 'Reschedule appointment', cancel: 'Cancel appointment' };

export function AppointmentDialog(props: Props) {
  const [mode, setMode] = useState<Mode>('details');
  useEffect(() => setMode('details'), [props.open?.appointment.id]);
  const open = props.open;
  return (
    <Dialog open={open !== null} title={TITLES[mode]} onClose={props.onClose}>
      {open ? (
        mode === 'details' ? (
          <Details {...props} open={open} onMode={setMode} />
        ) : mode === 'reschedule' ? (
          <Reschedule {...props} open={open} onBack={() => setMode('details')} />
        ) : (
          <Cancel {...props} open={open} onBack={() => setMode('details')} />
        )
      ) : null}
    </Dialog>
  );
}

function Summary({ open, location }: { open: OpenAppointment; location: Location }) {
  const { can } = useSession();
  const a = open.appointment;
  return (
    <dl className="facts">
      <dt>Patient</dt>
      <dd>{can('patients:read') ? <Link to={`/patients/${a.patientId}`}>{a.patientName}</Link> : a.patientName}</dd>
      <dt>Type</dt>
      <dd>{a.typeName}</dd>
      <dt>Provider</dt>
      <dd>{open.providerName}</dd>
      <dt>When</dt>
      <dd>{formatDate(dateIn(a.start, location.timeZone))}, {formatTime(a.start, location.timeZone)} – {formatTime(a.end, location.timeZone)} <span className="muted small">({location.timeZone})</span></dd>
      <dt>Status</dt>
      <dd>
        <Badge tone={STATUS_TONE[a.status]}>{STATUS_LABEL[a.status]}</Badge>
        {a.lateCancel ? <> <Badge tone="warn">Late cancellation</Badge></> : null}
      </dd>
    </dl>
  );
}

function Details({ open, location, onMode, onChanged }: Props & { open: OpenAppointment; onMode: (m: Mode) => void }) {
  const { api, can } = useSession();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const a = open.appointment;
  const step = async (path: 'check-in' | 'no-show' | 'complete', done: string) => {
    setBusy(path);
    setError(null);
    try {
      await api.post(`/api/appointments/${a.id}/${path}`);
      toast(done);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const write = can('scheduling:write');
  return (
    <>
      <Summary open={open} location={location} />
      <ErrorBanner error={error} title="The appointment was not changed" />
      {write && (a.status === 'booked' || a.status === 'checked_in') ? (
        <div className="dialog-foot cal-actions">
          {a.status === 'booked' ? (
            <>
              <Button busy={busy === 'check-in'} disabled={busy !== null} onClick={() => void step('check-in', `${a.patientName} is checked in`)}>Check in</Button>
              <Button variant="secondary" busy={busy === 'no-show'} disabled={busy !== null} onClick={() => void step('no-show', `${a.patientName} marked as a no-show`)}>Mark no-show</Button>
              <Button variant="secondary" disabled={busy !== null} onClick={() => onMode('reschedule')}>Reschedule</Button>
              <Button variant="danger" disabled={busy !== null} onClick={() => onMode('cancel')}>Cancel appointment</Button>
            </>
          ) : (
            <Button busy={busy === 'complete'} onClick={() => void step('complete', 'Visit completed')}>Complete visit</Button>
          )}
        </div>
      ) : null}
    </>
  );
}

function Reschedule({ open, location, types, providers, practiceRules, onBack, onChanged }: Props & { open: OpenAppointment; onBack: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const a = open.appointment;
  const type = types.find((t) => t.id === a.typeId);
  const rules = rulesForType(practiceRules, type);
  const [providerId, setProviderId] = useState(open.providerId);
  const [date, setDate] = useState(dateIn(a.start, location.timeZone));
  const [slot, setSlot] = useState<Slot | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [overrideReason, setOverrideReason] = useState('');
  useEffect(() => {
    setSlot(null);
    setError(null);
  }, [providerId, date]);
  const providerNames = new Map(providers.map((p) => [p.id, p.displayName]));
  const offering = providers.filter((p) => p.active && (!type || type.providerIds.includes(p.id)));
  const overridable = canOverride(error, rules.frontDeskOverride);
  const taken = error instanceof ApiError && error.code === 'slot_taken';
  const insideWindow = Date.now() >= new Date(a.start).getTime() - rules.rescheduleWindowMinutes * 60_000;

  const submit = async () => {
    if (!slot) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/appointments/${a.id}/reschedule`, {
        start: slot.start,
        providerId: slot.providerId,
        locationId: location.id,
        ...(overridable && overrideReason.trim() ? { override: { reason: overrideReason.trim() } } : {}),
      });
      toast(`Moved to ${formatDate(dateIn(slot.start, location.timeZone))}, ${formatTime(slot.start, location.timeZone)}`);
      onChanged(dateIn(slot.start, location.timeZone));
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'slot_taken') {
        setSlot(null);
        setRefresh((r) => r + 1);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Summary open={open} location={location} />
      {insideWindow && rules.rescheduleWindowMinutes > 0 ? (
        <p className="banner banner-warn">It starts in less than {describeMinutes(rules.rescheduleWindowMinutes)}: moving it now sets aside the reschedule rule and needs a reason.</p>
      ) : null}
      <div className="row">
        <SelectField label="Provider" value={providerId} onChange={(e) => setProviderId(e.target.value)}>
          <option value="">Any provider</option>
          {offering.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
        </SelectField>
        <TextField label="New date" type="date" value={date} required onChange={(e) => setDate(e.target.value)} />
      </div>
      {taken ? (
        <div className="banner banner-warn" role="alert">
          <strong>That slot was just taken.</strong>
          <p>{(error as ApiError).detail} The free slots have been searched again: choose another.</p>
        </div>
      ) : null}
      <SlotPicker
        locationId={location.id}
        timeZone={location.timeZone}
        typeId={a.typeId}
        providerId={providerId || undefined}
        date={date}
        providerNames={providerNames}
        selected={slot}
        onSelect={setSlot}
        refresh={refresh}
        exclude={{ start: a.start, providerId: open.providerId }}
      />
      {error && !taken ? <ErrorBanner error={error} title="The appointment was not moved" /> : null}
      {overridable ? <RuleOverride value={overrideReason} onChange={setOverrideReason} error={error instanceof ApiError ? error.fieldError('override.reason') : undefined} /> : null}
      <div className="dialog-foot">
        <Button variant="secondary" onClick={onBack}>Back</Button>
        <Button type="submit" busy={busy} disabled={!slot || (overridable && overrideReason.trim().length < 3)}>{overridable ? 'Move with override' : 'Move appointment'}</Button>
      </div>
    </form>
  );
}

function Cancel({ open, location, types, practiceRules, onBack, onChanged }: Props & { open: OpenAppointment; onBack: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const a = open.appointment;
  const rules = rulesForType(practiceRules, types.find((t) => t.id === a.typeId));
  const late = rules.cancelWindowMinutes > 0 && isLateCancel(a.start, rules);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [overrideReason, setOverrideReason] = useState('');
  const overridable = canOverride(error, rules.frontDeskOverride);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const done = await api.post<{ lateCancel: boolean }>(`/api/appointments/${a.id}/cancel`, {
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(overridable && overrideReason.trim() ? { override: { reason: overrideReason.trim() } } : {}),
      });
      toast(done.lateCancel ? 'Cancelled (late cancellation)' : 'Appointment cancelled');
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <Summary open={open} location={location} />
      <div className="banner banner-info cal-policy">
        <strong>Cancellation policy</strong>
        <p>{cancellationPolicy(rules)}</p>
      </div>
      {late ? (
        <p className="banner banner-warn">
          This appointment starts in less than {describeMinutes(rules.cancelWindowMinutes)}: cancelling now is a late cancellation
          {rules.lateCancel === 'refuse' ? ' and will be refused unless you override the rule.' : '.'}
        </p>
      ) : null}
      <TextArea label="Reason (optional)" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} error={error instanceof ApiError ? error.fieldError('reason') : undefined} />
      <ErrorBanner error={error} title="The appointment was not cancelled" />
      {overridable ? <RuleOverride value={overrideReason} onChange={setOverrideReason} error={error instanceof ApiError ? error.fieldError('override.reason') : undefined} /> : null}
      <div className="dialog-foot">
        <Button variant="secondary" onClick={onBack}>Keep appointment</Button>
        <Button type="submit" variant="danger" busy={busy} disabled={overridable && overrideReason.trim().length < 3}>{overridable ? 'Cancel with override' : 'Confirm cancellation'}</Button>
      </div>
    </form>
  );
}
