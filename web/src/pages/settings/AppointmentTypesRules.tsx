/**
 * Scheduling rule fields, shared by the practice's rules form and an appointment type's overrides.
 * An empty field means "not set here": the practice default (or, for a type, the practice's rule).
 */
import { TextField, SelectField, TextArea } from '../../ui/kit.tsx';
import { ApiError } from '../../api.ts';

export interface Rules {
  slotMinutes?: number;
  minNoticeMinutes?: number;
  horizonDays?: number;
  maxPerProviderPerDay?: number | null;
  maxOpenPerPatient?: number | null;
  cancelWindowMinutes?: number;
  lateCancel?: 'flag' | 'refuse';
  rescheduleWindowMinutes?: number;
  reminderLeadMinutes?: number;
  waitlistOfferMinutes?: number;
  frontDeskOverride?: boolean;
  bookingCondition?: Record<string, unknown> | null;
}

export type RulesText = Record<string, string>;

const NUMBERS = [
  ['slotMinutes', 'Slot length (minutes)', 'Granularity of offered start times'],
  ['minNoticeMinutes', 'Minimum notice (minutes)', 'Earliest bookable start, from now'],
  ['horizonDays', 'Booking horizon (days)', 'Latest bookable day, from today'],
  ['maxPerProviderPerDay', 'Most per provider per day', 'Empty for no limit'],
  ['maxOpenPerPatient', 'Most open appointments per patient', 'Empty for no limit'],
  ['cancelWindowMinutes', 'Late cancellation window (minutes)', 'Cancelling later than this before the start is late'],
  ['rescheduleWindowMinutes', 'Reschedule window (minutes)', 'Rescheduling later than this before the start is refused'],
  ['reminderLeadMinutes', 'Reminder lead time (minutes)', 'When the reminder email goes out'],
  ['waitlistOfferMinutes', 'Waitlist offer validity (minutes)', 'How long a waitlist offer link stays valid'],
] as const;

export function rulesToText(r: Rules): RulesText {
  const t: RulesText = {};
  for (const [k] of NUMBERS) {
    const v = (r as Record<string, unknown>)[k];
    t[k] = typeof v === 'number' ? String(v) : '';
  }
  t.lateCancel = r.lateCancel ?? '';
  t.frontDeskOverride = r.frontDeskOverride === undefined ? '' : r.frontDeskOverride ? 'yes' : 'no';
  t.bookingCondition = r.bookingCondition ? JSON.stringify(r.bookingCondition, null, 2) : '';
  return t;
}

/** Text back to rules; only the fields set are included. Errors name the field. */
export function textToRules(t: RulesText): { rules: Rules; errors: Record<string, string> } {
  const rules: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [k] of NUMBERS) {
    const raw = (t[k] ?? '').trim();
    if (!raw) continue;
    if (!/^\d+$/.test(raw)) errors[k] = 'Enter a whole number';
    else rules[k] = Number(raw);
  }
  if (t.lateCancel) rules.lateCancel = t.lateCancel;
  if (t.frontDeskOverride) rules.frontDeskOverride = t.frontDeskOverride === 'yes';
  const cond = (t.bookingCondition ?? '').trim();
  if (cond) {
    try {
      const parsed: unknown = JSON.parse(cond);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) errors.bookingCondition = 'Write a JsonLogic object, e.g. {">=": [{"var": "patient.ageYears"}, 18]}';
      else rules.bookingCondition = parsed;
    } catch {
      errors.bookingCondition = 'This is not valid JSON';
    }
  }
  return { rules: rules as Rules, errors };
}

/** The rule fields; `inherited` shows what applies when a field is left empty. */
export function RulesFields({ value, onChange, errors, apiError, apiPrefix, inherited, idPrefix }: {
  value: RulesText;
  onChange: (t: RulesText) => void;
  errors: Record<string, string>;
  apiError: unknown;
  apiPrefix: string;
  inherited: Rules;
  idPrefix: string;
}) {
  const fe = (k: string) => errors[k] ?? (apiError instanceof ApiError ? apiError.fieldError(`${apiPrefix}${k}`) : undefined);
  const show = (v: unknown) => (v === null || v === undefined ? 'no limit' : String(v));
  return (
    <>
      <div className="weekly-hours">
        {NUMBERS.map(([k, label, hint]) => (
          <TextField
            key={k}
            id={`${idPrefix}-${k}`}
            label={label}
            inputMode="numeric"
            value={value[k] ?? ''}
            placeholder={show((inherited as Record<string, unknown>)[k])}
            onChange={(e) => onChange({ ...value, [k]: e.target.value })}
            error={fe(k)}
            hint={`${hint}. Empty: ${show((inherited as Record<string, unknown>)[k])}`}
          />
        ))}
        <SelectField id={`${idPrefix}-lateCancel`} label="Late cancellations" value={value.lateCancel ?? ''} onChange={(e) => onChange({ ...value, lateCancel: e.target.value })} error={fe('lateCancel')}>
          <option value="">Default ({inherited.lateCancel === 'refuse' ? 'refuse' : 'allow, flag for a fee'})</option>
          <option value="flag">Allow, flag for a fee</option>
          <option value="refuse">Refuse</option>
        </SelectField>
        <SelectField id={`${idPrefix}-frontDeskOverride`} label="Front desk may override rules" value={value.frontDeskOverride ?? ''} onChange={(e) => onChange({ ...value, frontDeskOverride: e.target.value })} error={fe('frontDeskOverride')}>
          <option value="">Default ({inherited.frontDeskOverride === false ? 'no' : 'yes'})</option>
          <option value="yes">Yes, with a reason (audited)</option>
          <option value="no">No</option>
        </SelectField>
      </div>
      <TextArea
        id={`${idPrefix}-bookingCondition`}
        label="Booking condition (JsonLogic, advanced)"
        value={value.bookingCondition ?? ''}
        onChange={(e) => onChange({ ...value, bookingCondition: e.target.value })}
        error={fe('bookingCondition')}
        hint="Optional. Over patient.ageYears, patient.sex, appointment.weekday, startMinutes, durationMinutes; false refuses the booking."
      />
    </>
  );
}
