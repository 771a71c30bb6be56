/** The practice's cancellation rules in the plain words a patient reads before cancelling online. */
import type { SchedulingRules } from '../scheduling/rules.ts';

/** "24 hours", "90 minutes", "2 days": the window as a person would say it. */
export function describeWindow(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes % 1440 === 0 && minutes >= 2880) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/**
 * The policy text: online cancellation follows the staff rules exactly, without the staff override.
 * @example policyText({ cancelWindowMinutes: 1440, lateCancel: 'flag' }) // "You can cancel online until 24 hours before…"
 */
export function policyText(rules: Pick<SchedulingRules, 'cancelWindowMinutes' | 'lateCancel'>): string {
  if (rules.cancelWindowMinutes === 0) return 'You can cancel online at any time before the appointment starts.';
  const window = describeWindow(rules.cancelWindowMinutes);
  return rules.lateCancel === 'refuse'
    ? `You can cancel online until ${window} before the appointment starts. After that, please call the practice.`
    : `You can cancel online at any time before the appointment starts. Cancelling less than ${window} before it starts is recorded as a late cancellation, and the practice may charge a fee.`;
}
