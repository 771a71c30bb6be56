/** Invoices on the wire: draft input, list query, and the invoice as returned (documents as JSON numbers). */
import { Type, type Static } from 'typebox';
import { DECIMAL_PATTERN } from './decimal.ts';
import { Discount } from './invoice-schemas.ts';

const Uuid = Type.String({ format: 'uuid' });
const Quantity = Type.String({ pattern: DECIMAL_PATTERN, description: 'Exact decimal, greater than zero, e.g. "2.5"' });
const Discounts = Type.Optional(Type.Array(Discount, { maxItems: 20 }));

export const DraftLineInput = Type.Union([
  Type.Object(
    { priceItemId: Uuid, quantity: Quantity, discounts: Discounts },
    { additionalProperties: false, description: 'A price-list item: description, category and price come from the item (standard level, in force on the day)' },
  ),
  Type.Object(
    {
      description: Type.String({ minLength: 1, maxLength: 500 }),
      category: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'Tax category, e.g. medical_service' }),
      unitPrice: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units' }),
      quantity: Quantity,
      discounts: Discounts,
    },
    { additionalProperties: false, description: 'A free-form line' },
  ),
]);
export type DraftLineInput = Static<typeof DraftLineInput>;

export const InvoiceCreate = Type.Object(
  {
    patientId: Uuid,
    lines: Type.Array(DraftLineInput, { minItems: 1, maxItems: 500 }),
    invoiceDiscounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type InvoiceCreate = Static<typeof InvoiceCreate>;

export const InvoiceUpdate = Type.Object(
  {
    lines: Type.Optional(Type.Array(DraftLineInput, { minItems: 1, maxItems: 500 })),
    invoiceDiscounts: Type.Optional(Type.Array(Discount, { maxItems: 20 })),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only the keys sent are replaced' },
);
export type InvoiceUpdate = Static<typeof InvoiceUpdate>;

const Status = Type.Union(['draft', 'issued', 'partially_paid', 'paid', 'void'].map((s) => Type.Literal(s)));

export const InvoiceQuery = Type.Object(
  {
    status: Type.Optional(Status),
    patientId: Type.Optional(Uuid),
    appointmentId: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type InvoiceQuery = Static<typeof InvoiceQuery>;

export const VoidInput = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
export type VoidInput = Static<typeof VoidInput>;

export const CreditNoteCreate = Type.Object(
  {
    lines: Type.Array(
      Type.Object({ line: Type.Integer({ minimum: 0, description: 'Index of the invoice line' }), quantity: Quantity }, { additionalProperties: false }),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);
export type CreditNoteCreate = Static<typeof CreditNoteCreate>;

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const Invoice = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String()),
  patientId: Type.String(),
  status: Type.String(),
  kind: Type.String(),
  creditsInvoiceId: Nullable(Type.String()),
  currency: Type.String(),
  issueDate: Nullable(Type.String()),
  inputs: Type.Unknown({ description: 'The draft lines and invoice discounts as entered' }),
  document: Type.Unknown({ description: 'Issued: the frozen document. Draft: a live computation with today’s prices, rates and settings' }),
  total: Nullable(Type.Integer()),
  taxTotal: Nullable(Type.Integer()),
  createdAt: Type.String(),
  issuedAt: Nullable(Type.String()),
  voidedAt: Nullable(Type.String()),
  voidReason: Nullable(Type.String()),
  appointmentId: Type.Union([Type.String(), Type.Null()], { description: 'The appointment this invoice bills; null when not made from an appointment, and for credit notes' }),
});
export type Invoice = Static<typeof Invoice>;

/** A row of the invoice list: the invoice plus what is still owed on it, so a list needs no call per row. */
export const InvoiceListItem = Type.Object({
  ...Invoice.properties,
  balanceDue: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Minor units still owed: total less issued credit notes and payments, plus refunds. Null for drafts, void invoices and credit notes',
  }),
});
export type InvoiceListItem = Static<typeof InvoiceListItem>;
