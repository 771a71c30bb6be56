/**
 * Any report of the suite as CSV, with the billing exports' writer (csv.ts: RFC 4180, CRLF, BOM,
 * formula-injection-safe cells): a header, one record per row, then a "Total" record. Money is an
 * exact decimal in major units of the practice currency (`123.45`), rates are fractions (`0.2500`).
 */
import { CSV_BOM, csvRecord, type CsvValue } from '../billing/csv.ts';
import { minorToDecimalString, minorUnitDigits } from '../billing/money.ts';

export type ColumnKind = 'text' | 'count' | 'money' | 'rate';

export interface CsvColumn {
  readonly field: string;
  readonly title: string;
  readonly kind: ColumnKind;
}

const col = (field: string, title: string, kind: ColumnKind = 'count'): CsvColumn => ({ field, title, kind });

const COUNTS = [
  col('appointments', 'Appointments'), col('booked', 'Booked'), col('checkedIn', 'Checked in'), col('completed', 'Completed'),
  col('noShows', 'No-shows'), col('cancelled', 'Cancelled'), col('lateCancels', 'Late cancellations'),
];

/** The columns of each report after "Key" and the group's label. */
export const REPORT_COLUMNS = {
  appointments: COUNTS,
  attendance: [
    col('appointments', 'Appointments'), col('kept', 'Not cancelled'), col('noShows', 'No-shows'), col('lateCancels', 'Late cancellations'),
    col('noShowRate', 'No-show rate', 'rate'), col('lateCancelRate', 'Late-cancel rate', 'rate'),
  ],
  revenue: [col('billed', 'Billed', 'money'), col('collected', 'Collected', 'money')],
  payments: [
    col('cash', 'Cash', 'money'), col('card', 'Card', 'money'), col('cheque', 'Cheque', 'money'), col('insurance', 'Insurance', 'money'),
    col('refunds', 'Refunds', 'money'), col('net', 'Net', 'money'),
  ],
  patients: [col('patients', 'Patients seen'), col('new', 'New'), col('returning', 'Returning')],
} as const satisfies Record<string, readonly CsvColumn[]>;

export type ReportName = keyof typeof REPORT_COLUMNS;

/** The fields every report answer has that the CSV reads. */
export interface CsvReport {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly groupBy: string;
  readonly rows: readonly ({ key: string; label: string } & object)[];
  readonly totals: object;
}

function cell(kind: ColumnKind, value: unknown, currency: string): CsvValue {
  if (value === null || value === undefined) return '';
  if (kind === 'money') {
    // A currency outside money.ts's table (none can be configured today) keeps its minor units rather than failing the download.
    return minorUnitDigits(currency) === undefined ? String(value) : minorToDecimalString(BigInt(value as string), currency);
  }
  if (kind === 'rate') return (value as number).toFixed(4);
  return value as CsvValue;
}

/** `appointments-day-2026-03-01-2026-03-31.csv` */
export function reportFilename(name: ReportName, report: CsvReport): string {
  return `${name}-${report.groupBy}-${report.from}-${report.to}.csv`;
}

/** The whole file (reports are at most a year of days, so one string). */
export function reportCsv(name: ReportName, report: CsvReport): string {
  const columns: readonly CsvColumn[] = REPORT_COLUMNS[name];
  const groupTitle = report.groupBy.charAt(0).toUpperCase() + report.groupBy.slice(1);
  const value = (o: object, c: CsvColumn) => cell(c.kind, (o as Record<string, unknown>)[c.field], report.currency);
  let out = CSV_BOM + csvRecord(['Key', groupTitle, ...columns.map((c) => (c.kind === 'money' ? `${c.title} (${report.currency})` : c.title))]);
  for (const row of report.rows) out += csvRecord([row.key, row.label, ...columns.map((c) => value(row, c))]);
  out += csvRecord(['total', 'Total', ...columns.map((c) => value(report.totals, c))]);
  return out;
}
