/**
 * Tells a lost database apart from a failed statement, in one place: the HTTP layer answers 503
 * `database_unavailable` for these, startup waits for them, and the outage is logged once.
 */

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket errors: refused, reset, unreachable, DNS gone (a restarting database's host name). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up or in recovery), 53300 too_many_connections.
 */
const SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

/**
 * node-postgres and pg-pool raise plain Errors without a code when the connection is lost, when a
 * connection or a free pool slot cannot be had within `connectionTimeoutMillis`, or when a statement
 * outlives `query_timeout`; their messages are the only stable mark.
 */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** True when `err` says the database could not be reached (as opposed to a statement failing). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATE.test(code))) return true;
  // Node wraps a failed connect to several addresses (localhost → ::1 and 127.0.0.1) in one.
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return DRIVER_MESSAGES.some((m) => err.message.startsWith(m));
}

/** What an availability watcher reports: the first failure of an outage, and its end. */
export type AvailabilityEvent =
  | { readonly kind: 'down'; readonly error: Error }
  | { readonly kind: 'up'; readonly downMs: number };

/**
 * Tracks whether the database is reachable so that an outage is reported once when it starts and
 * once when it ends, however many requests fail in between. `succeeded()` is called on every
 * success: while the database is up it is one boolean test.
 */
export class AvailabilityWatch {
  private downSince: number | undefined;

  constructor(private readonly report: (event: AvailabilityEvent) => void) {}

  /** Notes an error; only a lost database counts. */
  failed(err: unknown): void {
    if (this.downSince !== undefined || !isDatabaseUnavailable(err)) return;
    this.downSince = Date.now();
    this.report({ kind: 'down', error: err as Error });
  }

  succeeded(): void {
    if (this.downSince === undefined) return;
    const downMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.report({ kind: 'up', downMs });
  }
}

/** The default report: one plain line per outage start and end, on stderr. */
export function logAvailability(event: AvailabilityEvent): void {
  if (event.kind === 'down') {
    console.error(`database unavailable (${event.error.message}): answering 503 database_unavailable until it is back`);
  } else {
    console.error(`database reachable again after ${(event.downMs / 1000).toFixed(1)} s`);
  }
}

export interface StartRetryOptions {
  /** Give up (rethrow) once this long has passed since the first attempt; 0 tries once. */
  readonly waitMs: number;
  readonly log?: (line: string) => void;
}

/**
 * Runs `start` until it succeeds. While the database is unreachable it tries again after 0.5 s,
 * 1 s, 2 s … (at most 10 s apart) for up to `waitMs`, so a server started before its database (or
 * during a restart) comes up by itself instead of crash-looping; any other error is thrown at once.
 */
export async function retryWhileUnavailable<T>(start: () => Promise<T>, options: StartRetryOptions): Promise<T> {
  const log = options.log ?? ((line: string) => console.error(line));
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const delay = Math.min(10_000, 500 * 2 ** (attempt - 1));
      if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
      log(`database not reachable at start (${(err as Error).message}): retrying in ${delay / 1000} s (attempt ${attempt + 1})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
