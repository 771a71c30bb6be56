/** Appointment type request and response schemas. */
import { Type, type Static } from 'typebox';
import { RulesPatch } from '../rules.ts';
import { Color, DisplayName, Uuid } from './config-schemas.ts';

const Duration = Type.Integer({ minimum: 5, maximum: 720, description: 'Minutes' });
const Buffer = Type.Integer({ minimum: 0, maximum: 240, description: 'Minutes the provider (and resource) stay blocked' });
const PriceItemCode = Type.String({ minLength: 1, maxLength: 50, description: 'The price list item billed for this type' });
const Ids = (what: string) => Type.Array(Uuid, { maxItems: 200, uniqueItems: true, description: `${what} of this practice` });

export const AppointmentTypeCreate = Type.Object(
  {
    name: DisplayName,
    durationMinutes: Duration,
    bufferBeforeMinutes: Type.Optional(Buffer),
    bufferAfterMinutes: Type.Optional(Buffer),
    color: Type.Optional(Color),
    priceItemCode: Type.Optional(PriceItemCode),
    providerIds: Type.Optional(Ids('Providers who offer the type')),
    resourceIds: Type.Optional(Ids('Resources of which one must be free (e.g. any exam room)')),
    rules: Type.Optional(RulesPatch),
    active: Type.Optional(Type.Boolean()),
    onlineBooking: Type.Optional(Type.Boolean({ description: 'Patients may book this type themselves on the practice’s public booking page (default false)' })),
  },
  { additionalProperties: false },
);
export type AppointmentTypeCreate = Static<typeof AppointmentTypeCreate>;

export const AppointmentTypeUpdate = Type.Object(
  {
    name: Type.Optional(DisplayName),
    durationMinutes: Type.Optional(Duration),
    bufferBeforeMinutes: Type.Optional(Buffer),
    bufferAfterMinutes: Type.Optional(Buffer),
    color: Type.Optional(Color),
    priceItemCode: Type.Optional(Type.Union([Type.Null(), PriceItemCode])),
    providerIds: Type.Optional(Ids('Replaces the providers who offer the type')),
    resourceIds: Type.Optional(Ids('Replaces the resources')),
    rules: Type.Optional(RulesPatch),
    active: Type.Optional(Type.Boolean()),
    onlineBooking: Type.Optional(Type.Boolean({ description: 'Patients may book this type themselves on the practice’s public booking page (default false)' })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields sent change; `providerIds`, `resourceIds` and `rules` replace the whole list or set of overrides',
  },
);
export type AppointmentTypeUpdate = Static<typeof AppointmentTypeUpdate>;

export const AppointmentType = Type.Object({
  id: Uuid,
  name: Type.String(),
  durationMinutes: Type.Integer(),
  bufferBeforeMinutes: Type.Integer(),
  bufferAfterMinutes: Type.Integer(),
  color: Type.String(),
  priceItemCode: Type.Union([Type.String(), Type.Null()]),
  providerIds: Type.Array(Uuid),
  resourceIds: Type.Array(Uuid),
  rules: Type.Object(RulesPatch.properties, { description: "Overrides of the practice's scheduling rules for this type" }),
  active: Type.Boolean(),
  onlineBooking: Type.Boolean({ description: 'Bookable by patients on the public booking page' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type AppointmentType = Static<typeof AppointmentType>;
