/** Accounts-receivable aging on the wire: amounts are integer minor units of `currency`. */
import { Type, type Static } from 'typebox';

const Amount = Type.Integer({ description: 'Minor units; negative for a credit in the patient’s favour' });

export const AgingQuery = Type.Object(
  {
    asOf: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD; default today in the practice time zone' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'Default the practice currency; only invoices in this currency are aged' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: '`nextCursor` of the previous page (keeps its `asOf` and `currency`)' })),
  },
  { additionalProperties: false },
);
export type AgingQuery = Static<typeof AgingQuery>;

/** One amount per bucket: 0–30, 31–60, 61–90 and over 90 days since the issue date. */
export const BucketAmounts = Type.Object({
  days0to30: Amount,
  days31to60: Amount,
  days61to90: Amount,
  over90: Amount,
});
export type BucketAmounts = Static<typeof BucketAmounts>;

const BucketTotal = Type.Object({ amount: Amount, invoiceCount: Type.Integer() });

export const AgingTotals = Type.Object({
  days0to30: BucketTotal,
  days31to60: BucketTotal,
  days61to90: BucketTotal,
  over90: BucketTotal,
});
export type AgingTotals = Static<typeof AgingTotals>;

export const AgingPatientRow = Type.Object({
  patientId: Type.String(),
  name: Type.String({ description: '"Last, First"' }),
  mrn: Type.String(),
  ...BucketAmounts.properties,
  total: Amount,
  invoiceCount: Type.Integer(),
  oldestInvoiceDate: Type.String({ description: 'Issue date of the patient’s oldest open invoice' }),
});
export type AgingPatientRow = Static<typeof AgingPatientRow>;

export const ArAging = Type.Object({
  currency: Type.String(),
  asOf: Type.String(),
  buckets: AgingTotals,
  total: BucketTotal,
  patientCount: Type.Integer(),
  otherCurrencies: Type.Array(Type.String(), { description: 'Currencies with open balances not included here (ask again with `currency`)' }),
  items: Type.Array(AgingPatientRow, { description: 'Patients by total, largest first' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ArAging = Static<typeof ArAging>;

export const OpenInvoice = Type.Object({
  invoiceId: Type.String(),
  number: Type.String(),
  issueDate: Type.String(),
  ageDays: Type.Integer(),
  bucket: Type.Union([Type.Literal('days0to30'), Type.Literal('days31to60'), Type.Literal('days61to90'), Type.Literal('over90')]),
  balance: Amount,
});
export type OpenInvoice = Static<typeof OpenInvoice>;

/** One patient's aging (on the statement). */
export const PatientAging = Type.Object({
  asOf: Type.String(),
  buckets: BucketAmounts,
  total: Amount,
  openInvoices: Type.Array(OpenInvoice, { description: 'Oldest first' }),
});
export type PatientAging = Static<typeof PatientAging>;
