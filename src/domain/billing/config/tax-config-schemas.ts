/** The tax configuration on the wire: the ordered jurisdiction list of tax-rules.ts, wrapped in an object. */
import { Type, type Static } from 'typebox';
import { Jurisdiction } from '../tax-rules.ts';

export const TaxConfiguration = Type.Object(
  { jurisdictions: Type.Array(Jurisdiction, { maxItems: 50, description: 'In order: a compound tax includes the taxes listed before it' }) },
  { additionalProperties: false },
);
export type TaxConfiguration = Static<typeof TaxConfiguration>;
