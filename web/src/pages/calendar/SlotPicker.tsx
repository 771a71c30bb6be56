/**
 * Free slots for one appointment type on one local date, from the slot search
 * (GET /api/scheduling/slots), as a radio group: the same picker books and reschedules.
 */
import { useId } from 'react';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { ErrorBanner, Loading } from '../../ui/kit.tsx';
import { formatTime } from '../../ui/format.ts';
import type { Slot } from './calendar-data.ts';

export interface SlotPickerProps {
  readonly locationId: string;
  readonly timeZone: string;
  readonly typeId: string;
  readonly providerId?: string;
  readonly date: string;
  readonly providerNames: ReadonlyMap<string, string>;
  readonly selected: Slot | null;
  onSelect(slot: Slot): void;
  /** Changing it searches again (after a slot was taken). */
  readonly refresh: number;
  /** A slot never offered (the appointment's own current time when rescheduling). */
  readonly exclude?: { start: string; providerId: string };
}

export const slotKey = (s: { start: string; providerId: string }) => `${s.providerId}@${s.start}`;

export function SlotPicker(props: SlotPickerProps) {
  const { api } = useSession();
  const legendId = useId();
  const ready = Boolean(props.typeId && props.date && /^\d{4}-\d{2}-\d{2}$/.test(props.date));
  const slots = useLoad(
    (signal) =>
      ready
        ? api.get<{ items: Slot[] }>('/api/scheduling/slots', { typeId: props.typeId, locationId: props.locationId, providerId: props.providerId, from: props.date, to: props.date }, signal)
        : Promise.resolve({ items: [] as Slot[] }),
    [props.typeId, props.locationId, props.providerId, props.date, props.refresh, ready],
  );
  if (!ready) return <p className="muted">Choose an appointment type and a date to see the free slots.</p>;
  if (slots.loading && !slots.data) return <Loading label="Finding free slots…" />;
  if (slots.error) return <ErrorBanner error={slots.error} title="Could not search the free slots" />;
  const items = (slots.data?.items ?? []).filter((s) => !props.exclude || slotKey(s) !== slotKey(props.exclude));
  if (items.length === 0) {
    return <p className="cal-no-slots" role="status">No free slots on this date. Try another date or another provider.</p>;
  }
  const selectedKey = props.selected ? slotKey(props.selected) : null;
  return (
    <fieldset className="cal-slots" aria-busy={slots.loading || undefined}>
      <legend id={legendId}>Free slots ({items.length})</legend>
      <div className="cal-slot-grid" role="radiogroup" aria-labelledby={legendId}>
        {items.map((s) => {
          const key = slotKey(s);
          const label = `${formatTime(s.start, props.timeZone)} – ${formatTime(s.end, props.timeZone)}, ${props.providerNames.get(s.providerId) ?? 'Provider'}`;
          return (
            <label key={key} className={`cal-slot${key === selectedKey ? ' cal-slot-selected' : ''}`}>
              <input type="radio" name={`slot-${legendId}`} value={key} checked={key === selectedKey} onChange={() => props.onSelect(s)} />
              <span>{label}</span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
