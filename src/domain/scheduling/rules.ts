/**
 * Practice scheduling rules: fixed settings a practice chooses, overridable per appointment type,
 * plus an optional JsonLogic condition for what settings cannot express. Rules are data.
 */
import { Type, type Static } from 'typebox';

export const RulesPatch = Type.Object(
  {
    slotMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 240, description: 'Granularity of offered start times' })),
    minNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 * 24 * 60, description: 'Earliest bookable start, from now' })),
    horizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730, description: 'Latest bookable day, from today' })),
    maxPerProviderPerDay: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 200 })])),
    maxOpenPerPatient: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 100 })])),
    cancelWindowMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 * 24 * 30, description: 'Cancelling later than this before the start is a late cancellation' })),
    lateCancel: Type.Optional(Type.Union([Type.Literal('flag'), Type.Literal('refuse')], { description: 'Late cancellations are allowed but flagged for a fee, or refused' })),
    rescheduleWindowMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 * 24 * 30 })),
    reminderLeadMinutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 60 * 24 * 14, description: 'How long before the start the reminder email goes out' })),
    waitlistOfferMinutes: Type.Optional(Type.Integer({ minimum: 10, maximum: 60 * 24 * 3, description: 'How long a waitlist offer link stays valid' })),
    frontDeskOverride: Type.Optional(Type.Boolean({ description: 'Staff with scheduling:write may override a rule, giving a reason (audited)' })),
    bookingCondition: Type.Optional(
      Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())], {
        description: 'JsonLogic over {patient: {ageYears, sex}, appointment: {weekday, startMinutes, durationMinutes, typeId, providerId}}; false refuses the booking',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RulesPatch = Static<typeof RulesPatch>;

export interface SchedulingRules {
  readonly slotMinutes: number;
  readonly minNoticeMinutes: number;
  readonly horizonDays: number;
  readonly maxPerProviderPerDay: number | null;
  readonly maxOpenPerPatient: number | null;
  readonly cancelWindowMinutes: number;
  readonly lateCancel: 'flag' | 'refuse';
  readonly rescheduleWindowMinutes: number;
  readonly frontDeskOverride: boolean;
  readonly reminderLeadMinutes: number;
  readonly waitlistOfferMinutes: number;
  readonly bookingCondition: Record<string, unknown> | null;
}

export const DEFAULT_RULES: SchedulingRules = {
  slotMinutes: 15,
  minNoticeMinutes: 120,
  horizonDays: 90,
  maxPerProviderPerDay: null,
  maxOpenPerPatient: null,
  cancelWindowMinutes: 24 * 60,
  lateCancel: 'flag',
  rescheduleWindowMinutes: 24 * 60,
  frontDeskOverride: true,
  reminderLeadMinutes: 24 * 60,
  waitlistOfferMinutes: 120,
  bookingCondition: null,
};

/** Practice rules over defaults, then the appointment type's overrides over those. */
export function effectiveRules(practice: RulesPatch = {}, type: RulesPatch = {}): SchedulingRules {
  const pick = <K extends keyof SchedulingRules>(key: K): SchedulingRules[K] =>
    ((type as Record<string, unknown>)[key] !== undefined
      ? (type as Record<string, unknown>)[key]
      : (practice as Record<string, unknown>)[key] !== undefined
        ? (practice as Record<string, unknown>)[key]
        : DEFAULT_RULES[key]) as SchedulingRules[K];
  return {
    slotMinutes: pick('slotMinutes'),
    minNoticeMinutes: pick('minNoticeMinutes'),
    horizonDays: pick('horizonDays'),
    maxPerProviderPerDay: pick('maxPerProviderPerDay'),
    maxOpenPerPatient: pick('maxOpenPerPatient'),
    cancelWindowMinutes: pick('cancelWindowMinutes'),
    lateCancel: pick('lateCancel'),
    rescheduleWindowMinutes: pick('rescheduleWindowMinutes'),
    frontDeskOverride: pick('frontDeskOverride'),
    reminderLeadMinutes: pick('reminderLeadMinutes'),
    waitlistOfferMinutes: pick('waitlistOfferMinutes'),
    bookingCondition: pick('bookingCondition'),
  };
}
