/** The report suite as the page reads it (GET /api/reports/…; see src/domain/reporting/report-schemas.ts). */

export interface ReportRow {
  readonly key: string;
  readonly label: string;
  readonly [field: string]: string | number | null;
}

export interface Report {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly currency: string;
  readonly groupBy: string;
  readonly rows: readonly ReportRow[];
  readonly totals: Readonly<Record<string, string | number | null>>;
}

export type ValueKind = 'count' | 'money' | 'rate';

/** One bar series of a chart and one column of its table. */
export interface Series {
  readonly field: string;
  readonly name: string;
  readonly color: string;
  /** Default: the report's kind. */
  readonly kind?: ValueKind;
}

/** A report card: which report, its groupings, what to draw. */
export interface ReportSpec {
  readonly report: 'appointments' | 'attendance' | 'revenue' | 'payments' | 'patients';
  readonly title: string;
  readonly description: string;
  readonly groups: readonly { readonly value: string; readonly label: string }[];
  readonly kind: ValueKind;
  readonly series: readonly Series[];
  /** Columns shown in the table (and CSV) but not drawn. */
  readonly extra?: readonly Series[];
  readonly stacked?: boolean;
  /** Shown only to people holding this permission. */
  readonly permission: string;
}
