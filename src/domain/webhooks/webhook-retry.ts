/** The retry policy of webhook deliveries, in one place (README "Webhooks" documents it). */

/** Delay before attempt n + 1 after attempt n failed (index n − 1): about 32 h from first to last try. */
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3600, 6 * 3600, 12 * 3600, 12 * 3600] as const;

/** Attempts per delivery, the first one included; then the delivery is `exhausted`. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** An endpoint is disabled after this many deliveries in a row were exhausted (no success between). */
export const DISABLE_AFTER_EXHAUSTED = 5;

/** The longest `Retry-After` a receiver can ask for. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/**
 * When to try again after attempt `attempt` failed: the scheduled delay with ±20 % jitter (so a
 * receiver recovering from an outage is not hit by every retry at once), or the receiver's own
 * `Retry-After` when it asks for longer. Null when the delivery has no attempts left.
 */
export function nextAttemptAt(attempt: number, from: Date, retryAfterSeconds: number | null = null, random: () => number = Math.random): Date | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  const scheduled = RETRY_DELAYS_SECONDS[attempt - 1]! * (0.8 + 0.4 * random());
  const asked = retryAfterSeconds === null ? 0 : Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS);
  return new Date(from.getTime() + Math.round(Math.max(scheduled, asked) * 1000));
}
