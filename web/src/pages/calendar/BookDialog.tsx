/**
 * Booking from a free slot: appointment type, provider (or any), date → the slot search's free
 * starts → a patient → POST /api/appointments. A slot taken meanwhile (409) is said plainly and
 * the slots are searched again.
 */
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useDebounced, useLoad } from '../../ui/hooks.ts';
import { Button, Dialog, ErrorBanner, Loading, SelectField, TextArea, TextField } from '../../ui/kit.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import type { AppointmentType, Location, PatientSummary, Provider, SchedulingRules, Slot } from './calendar-data.ts';
import { rulesForType } from './calendar-data.ts';
import { SlotPicker } from './SlotPicker.tsx';
import { RuleOverride, canOverride } from './RuleOverride.tsx';

export interface BookingPreset {
  readonly date: string;
  readonly providerId?: string;
}

interface BookDialogProps {
  readonly open: boolean;
  readonly preset: BookingPreset;
  readonly location: Location;
  readonly types: readonly AppointmentType[];
  readonly providers: readonly Provider[];
  readonly practiceRules: SchedulingRules;
  onClose(): void;
  onBooked(appointment: { id: string; start: string }): void;
}

export function BookDialog(props: BookDialogProps) {
  return (
    <Dialog open={props.open} title="Book an appointment" onClose={props.onClose}>
      {props.open ? <BookForm {...props} /> : null}
    </Dialog>
  );
}

function BookForm({ preset, location, types, providers, practiceRules, onBooked }: BookDialogProps) {
  const { api } = useSession();
  const activeTypes = types.filter((t) => t.active);
  const [typeId, setTypeId] = useState(activeTypes.length === 1 ? activeTypes[0]!.id : '');
  const [providerId, setProviderId] = useState(preset.providerId ?? '');
  const [date, setDate] = useState(preset.date);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  const [notes, setNotes] = useState('');
  const [refresh, setRefresh] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [overrideReason, setOverrideReason] = useState('');

  const type = types.find((t) => t.id === typeId);
  const rules = rulesForType(practiceRules, type);
  const offering = providers.filter((p) => p.active && (!type || type.providerIds.includes(p.id)));
  const providerNames = new Map(providers.map((p) => [p.id, p.displayName]));

  // A different search makes the chosen slot meaningless.
  useEffect(() => {
    setSlot(null);
    setError(null);
    setOverrideReason('');
  }, [typeId, providerId, date]);
  // A provider that does not offer the chosen type is dropped back to "any".
  useEffect(() => {
    if (type && providerId && !type.providerIds.includes(providerId)) setProviderId('');
  }, [type, providerId]);

  const book = async () => {
    if (!slot || !patient || !type) return;
    setBusy(true);
    setError(null);
    try {
      const overriding = canOverride(error, rules.frontDeskOverride) && overrideReason.trim().length > 0;
      const created = await api.post<{ id: string; start: string }>(
        '/api/appointments',
        {
          patientId: patient.id,
          typeId: type.id,
          providerId: slot.providerId,
          locationId: location.id,
          start: slot.start,
          ...(notes.trim() ? { notes: notes.trim() } : {}),
          ...(overriding ? { override: { reason: overrideReason.trim() } } : {}),
        },
      );
      onBooked(created);
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

  const taken = error instanceof ApiError && error.code === 'slot_taken';
  const overridable = canOverride(error, rules.frontDeskOverride);
  return (
    <form
      className="cal-book"
      onSubmit={(e) => {
        e.preventDefault();
        void book();
      }}
    >
      <p className="muted small">At {location.name}; times in {location.timeZone}.</p>
      {activeTypes.length === 0 ? <p className="banner banner-info">There are no appointment types yet: add one under Settings, Appointment types.</p> : null}
      <div className="row">
        <SelectField label="Appointment type" value={typeId} required onChange={(e) => setTypeId(e.target.value)}>
          <option value="">Choose a type…</option>
          {activeTypes.map((t) => (
            <option key={t.id} value={t.id}>{t.name} ({t.durationMinutes} min)</option>
          ))}
        </SelectField>
        <SelectField label="Provider" value={providerId} onChange={(e) => setProviderId(e.target.value)}>
          <option value="">Any provider</option>
          {offering.map((p) => (
            <option key={p.id} value={p.id}>{p.displayName}</option>
          ))}
        </SelectField>
        <TextField label="Date" type="date" value={date} required onChange={(e) => setDate(e.target.value)} />
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
        typeId={typeId}
        providerId={providerId || undefined}
        date={date}
        providerNames={providerNames}
        selected={slot}
        onSelect={(s) => { setSlot(s); setError(null); }}
        refresh={refresh}
      />
      <PatientPicker selected={patient} onSelect={setPatient} />
      <TextArea label="Notes (optional)" value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} error={error instanceof ApiError ? error.fieldError('notes') : undefined} />
      {error && !taken ? <ErrorBanner error={error} title="The appointment was not booked" /> : null}
      {overridable ? <RuleOverride value={overrideReason} onChange={setOverrideReason} error={error instanceof ApiError ? error.fieldError('override.reason') : undefined} /> : null}
      {slot && patient ? (
        <p className="cal-summary" aria-live="polite">
          {type?.name} for <strong>{patient.firstName} {patient.lastName}</strong> on {formatDateTime(slot.start, location.timeZone)} with {providerNames.get(slot.providerId)}.
        </p>
      ) : null}
      <div className="dialog-foot">
        <Button type="submit" busy={busy} disabled={!slot || !patient || !type || (overridable && overrideReason.trim().length < 3)}>
          {overridable ? 'Book with override' : 'Book appointment'}
        </Button>
      </div>
    </form>
  );
}

/** Finds a patient by name or MRN (GET /api/patients?q=…) and picks one. */
function PatientPicker({ selected, onSelect }: { selected: PatientSummary | null; onSelect: (p: PatientSummary) => void }) {
  const { api, can } = useSession();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const groupId = useId();
  const found = useLoad(
    (signal) => (can('patients:read') ? api.get<{ items: PatientSummary[] }>('/api/patients', { q: query || undefined, limit: 8 }, signal) : Promise.resolve({ items: [] })),
    [query],
  );
  if (!can('patients:read')) return <p className="banner banner-info">Finding a patient needs permission to read patients.</p>;
  const items = found.data?.items ?? [];
  const shown = selected && !items.some((p) => p.id === selected.id) ? [selected, ...items] : items;
  return (
    <fieldset className="cal-patients">
      <legend id={groupId}>Patient</legend>
      <TextField label="Find a patient" type="search" placeholder="Name or MRN" value={q} maxLength={100} onChange={(e) => setQ(e.target.value)} />
      {found.loading && !found.data ? <Loading label="Searching patients…" /> : null}
      {found.error ? <ErrorBanner error={found.error} title="Could not search patients" /> : null}
      {found.data && shown.length === 0 ? <p className="muted">No patient matches “{query}”. Register the patient under Patients first.</p> : null}
      <div role="radiogroup" aria-labelledby={groupId} className="cal-patient-list">
        {shown.map((p) => (
          <label key={p.id} className={`cal-slot${selected?.id === p.id ? ' cal-slot-selected' : ''}`}>
            <input type="radio" name={`patient-${groupId}`} checked={selected?.id === p.id} onChange={() => onSelect(p)} />
            <span>{p.lastName}, {p.firstName} <span className="muted small">born {formatDate(p.dateOfBirth)} · MRN {p.mrn}</span></span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
