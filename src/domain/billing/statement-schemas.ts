/**
 * A patient statement on the wire. The shape is meant for printing as well as for screens: every
 * entry carries its own description and running balance, amounts are minor units of `currency`,
 * and the totals a printed statement shows are precomputed, so a renderer (PDF, HTML) only lays out.
 */
import { Type, type Static } from 'typebox';
import { Address } from '../patients/patient-schemas.ts';
import { PatientAging } from './ar-aging-schemas.ts';

const Amount = Type.Integer({ description: 'Minor units' });

export const StatementQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default 90 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; default today in the practice time zone' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'Default the practice currency; documents in other currencies are left out' })),
  },
  { additionalProperties: false },
);
export type StatementQuery = Static<typeof StatementQuery>;

export const StatementEntryType = Type.Union([Type.Literal('invoice'), Type.Literal('credit_note'), Type.Literal('payment'), Type.Literal('refund')]);

export const StatementEntry = Type.Object({
  date: Type.String({ description: 'Issue date (invoice, credit note) or date received (payment, refund)' }),
  type: StatementEntryType,
  documentNumber: Type.Union([Type.String(), Type.Null()], { description: 'The invoice or credit note number; null for payments and refunds' }),
  invoiceNumber: Type.String({ description: 'The invoice the entry concerns' }),
  method: Type.Union([Type.String(), Type.Null()], { description: 'Payments and refunds: cash, card, cheque or insurance' }),
  reference: Type.Union([Type.String(), Type.Null()]),
  description: Type.String({ description: 'e.g. "Payment (card) for invoice INV-2026-00012, ref 4411"' }),
  amount: Type.Integer({ description: 'Minor units: + invoices and refunds (owed more), − credit notes and payments (owed less)' }),
  balance: Type.Integer({ description: 'Running balance after this entry' }),
});
export type StatementEntry = Static<typeof StatementEntry>;

export const Statement = Type.Object({
  patient: Type.Object({
    id: Type.String(),
    name: Type.String({ description: '"First Last", as addressed on a letter' }),
    firstName: Type.String(),
    lastName: Type.String(),
    mrn: Type.String(),
    address: Type.Union([Address, Type.Null()]),
  }),
  currency: Type.String(),
  from: Type.String(),
  to: Type.String(),
  generatedOn: Type.String({ description: 'Today in the practice time zone' }),
  openingBalance: Type.Integer({ description: 'Balance of everything dated before `from`' }),
  entries: Type.Array(StatementEntry, { description: 'Chronological: by date, then invoices, credit notes, payments, refunds' }),
  periodTotals: Type.Object({ invoiced: Amount, credited: Amount, paid: Amount, refunded: Amount }, { description: 'Positive sums of the period’s entries by type' }),
  closingBalance: Type.Integer({ description: 'openingBalance plus the period’s entries: the balance at the end of `to`' }),
  amountDue: Type.Integer({ description: 'The balance today, counting everything recorded (after `to` too); negative is a credit' }),
  aging: PatientAging,
});
export type Statement = Static<typeof Statement>;
