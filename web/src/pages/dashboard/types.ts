/** The overview the dashboard reads (GET /api/reports/overview; see src/domain/reporting/overview-schemas.ts). */

export interface OverviewDay {
  readonly date: string;
  readonly appointments: number;
  readonly noShows: number;
  /** Minor units as a string; null without billing:read. */
  readonly revenue: string | null;
  readonly newPatients: number;
}

export interface Overview {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly currency: string;
  readonly days: readonly OverviewDay[];
  readonly totals: Omit<OverviewDay, 'date'>;
}

/** No-shows as a share of appointments, e.g. "12.5%"; a dash when there were none. */
export function noShowRate(noShows: number, appointments: number): string {
  if (appointments === 0) return '—';
  return `${(Math.round((noShows / appointments) * 1000) / 10).toString()}%`;
}
