/** The practice's billing settings: currency, tax-inclusive pricing, rounding, invoice numbering, tax ids, auto-invoicing. */
import { Type, type Static } from 'typebox';

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code with known minor units, e.g. "USD"' });

export const TaxId = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 60, description: 'e.g. "EIN", "VAT"' }), value: Type.String({ minLength: 1, maxLength: 60 }) },
  { additionalProperties: false },
);

const RoundingMode = Type.Union([Type.Literal('half_up'), Type.Literal('half_even')]);
const RoundingLevel = Type.Union([Type.Literal('line'), Type.Literal('invoice')]);
/** What completing an appointment does: nothing, a draft invoice, or an issued one. */
export const AutoInvoice = Type.Union([Type.Literal('off'), Type.Literal('draft'), Type.Literal('issue')], {
  description: 'On completing an appointment whose type names an active price item: `off` nothing, `draft` a draft invoice, `issue` an issued one',
});
export type AutoInvoice = Static<typeof AutoInvoice>;

const NumberFormat = Type.String({
  minLength: 1,
  maxLength: 60,
  description: 'Invoice number template: `{YYYY}` the year, `{SEQ}` or `{SEQ:n}` the sequence (zero-padded to n); `{SEQ…}` is required',
});

export const BillingSettingsInput = Type.Object(
  {
    currency: CurrencyCode,
    pricesIncludeTax: Type.Optional(Type.Boolean()),
    roundingMode: Type.Optional(RoundingMode),
    roundingLevel: Type.Optional(RoundingLevel),
    invoiceNumberFormat: Type.Optional(NumberFormat),
    taxIds: Type.Optional(Type.Array(TaxId, { maxItems: 10 })),
    autoInvoice: Type.Optional(AutoInvoice),
  },
  { additionalProperties: false, description: 'Replaces the settings; optional keys left out return to their defaults' },
);
export type BillingSettingsInput = Static<typeof BillingSettingsInput>;

export const BillingSettings = Type.Object({
  currency: Type.String(),
  pricesIncludeTax: Type.Boolean(),
  roundingMode: RoundingMode,
  roundingLevel: RoundingLevel,
  invoiceNumberFormat: Type.String(),
  taxIds: Type.Array(TaxId),
  autoInvoice: AutoInvoice,
  updatedAt: Type.Union([Type.String(), Type.Null()], { description: 'null while the practice still has the defaults' }),
});
export type BillingSettings = Static<typeof BillingSettings>;
