/** The price list: items (services and products) and their dated prices per price level. */
import { Type, type Static } from 'typebox';
import { CurrencyCode } from './billing-settings-schemas.ts';

const Uuid = Type.String({ format: 'uuid' });
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$', description: 'Unique per practice, e.g. "99213" or "SUPP-D3"' });
const Description = Type.String({ minLength: 1, maxLength: 200 });
const Category = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'Tax category, e.g. medical_service, retail_product' });
const Kind = Type.Union([Type.Literal('service'), Type.Literal('product')]);
export const PriceLevel = Type.String({ pattern: '^[a-z0-9][a-z0-9_:-]{0,63}$', description: 'e.g. standard, self_pay, insurance or a location key' });

export const PriceItemCreate = Type.Object(
  { code: Code, description: Description, category: Category, kind: Kind, active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type PriceItemCreate = Static<typeof PriceItemCreate>;

export const PriceItemUpdate = Type.Object(
  { description: Type.Optional(Description), category: Type.Optional(Category), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change' },
);
export type PriceItemUpdate = Static<typeof PriceItemUpdate>;

export const PriceItemQuery = Type.Object(
  {
    asOf: Type.Optional(IsoDate),
    priceLevel: Type.Optional(PriceLevel),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PriceItemQuery = Static<typeof PriceItemQuery>;

export const PriceAdd = Type.Object(
  {
    priceLevel: Type.Optional(PriceLevel),
    unitPrice: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (cents for USD)' }),
    currency: Type.Optional(CurrencyCode),
    effectiveFrom: IsoDate,
  },
  { additionalProperties: false, description: 'Currency defaults to the practice currency; priceLevel to "standard"' },
);
export type PriceAdd = Static<typeof PriceAdd>;

export const PriceVersion = Type.Object({
  id: Uuid,
  priceLevel: Type.String(),
  unitPrice: Type.Integer(),
  currency: Type.String(),
  effectiveFrom: Type.String(),
  effectiveTo: Type.Union([Type.String(), Type.Null()], { description: 'Last day in force (inclusive); null while open-ended' }),
});
export type PriceVersion = Static<typeof PriceVersion>;

export const PriceInForce = Type.Object({ unitPrice: Type.Integer(), currency: Type.String(), effectiveFrom: Type.String() });
export type PriceInForce = Static<typeof PriceInForce>;

const itemFields = { id: Uuid, code: Type.String(), description: Type.String(), category: Type.String(), kind: Kind, active: Type.Boolean(), createdAt: Type.String() };

export const PriceItem = Type.Object(itemFields);
export type PriceItem = Static<typeof PriceItem>;

export const PriceItemListEntry = Type.Object({
  ...itemFields,
  price: Type.Optional(Type.Union([PriceInForce, Type.Null()], { description: 'With `asOf`: the price of `priceLevel` in force that day, null when none' })),
});
export type PriceItemListEntry = Static<typeof PriceItemListEntry>;

export const PriceItemDetail = Type.Object({ ...itemFields, versions: Type.Array(PriceVersion, { description: 'Every price, by level then date' }) });
export type PriceItemDetail = Static<typeof PriceItemDetail>;
