/**
 * After the API refused a change for a practice rule (409 `scheduling_rule_violation`), staff may
 * set the rule aside with a reason when the practice allows overrides; never for a double booking.
 */
import { ApiError } from '../../api.ts';
import { TextField } from '../../ui/kit.tsx';

/** True when `error` is a broken rule that the practice lets staff override. */
export function canOverride(error: unknown, frontDeskOverride: boolean): boolean {
  return frontDeskOverride && error instanceof ApiError && error.code === 'scheduling_rule_violation' && !/cannot be overridden|does not allow/.test(error.detail);
}

export function RuleOverride({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string | undefined }) {
  return (
    <TextField
      label="Override reason"
      hint="The practice lets staff set this rule aside with a reason (at least 3 characters; it is recorded)."
      value={value}
      maxLength={500}
      error={error}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
