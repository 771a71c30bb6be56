/** Payments and refunds on the wire: amounts are integer minor units, always positive; `kind` gives the sign. */
import { Type, type Static } from 'typebox';

export const PaymentCreate = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('payment'), Type.Literal('refund')], { description: 'Default payment; a refund is a new row' })),
    method: Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('cheque'), Type.Literal('insurance')]),
    amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units, > 0' }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: "Must equal the invoice's currency when given" })),
    receivedOn: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD; default today in the practice time zone' })),
    reference: Type.Optional(Type.String({ maxLength: 200 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type PaymentCreate = Static<typeof PaymentCreate>;

export const Payment = Type.Object({
  id: Type.String(),
  invoiceId: Type.String(),
  patientId: Type.String(),
  kind: Type.String(),
  method: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  receivedOn: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type Payment = Static<typeof Payment>;

export const InvoicePayments = Type.Object({
  items: Type.Array(Payment),
  currency: Type.String(),
  total: Type.Integer(),
  credited: Type.Integer({ description: 'Issued credit notes against the invoice, as a positive amount' }),
  paid: Type.Integer(),
  refunded: Type.Integer(),
  balance: Type.Integer({ description: 'total − credited − paid + refunded' }),
  status: Type.String(),
});
export type InvoicePayments = Static<typeof InvoicePayments>;

export const PatientBalance = Type.Object({
  currency: Type.String(),
  invoiced: Type.Integer(),
  credited: Type.Integer(),
  paid: Type.Integer(),
  refunded: Type.Integer(),
  balance: Type.Integer(),
  invoices: Type.Array(
    Type.Object({ id: Type.String(), number: Type.String(), issueDate: Type.String(), total: Type.Integer(), balance: Type.Integer(), status: Type.String() }),
  ),
});
export type PatientBalance = Static<typeof PatientBalance>;
