/**
 * One practice's metered usage on one UTC day, as GET /platform/tenants/{tenant}/usage/daily answers
 * it. A plain module with no imports, shared by the server (cost-report.ts) and the operator console's
 * daily usage chart, so the two shapes cannot drift.
 */
export interface DailyUsage {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly requests: number;
  /** Requests answered 5xx. */
  readonly errors: number;
  readonly dbMs: number;
  readonly emailsSent: number;
  readonly jobsRun: number;
  /** The day's storage snapshot, or null when it was not measured that day. */
  readonly storageBytes: number | null;
  readonly activeUsers: number;
}
