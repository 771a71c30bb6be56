/** Patient request and response schemas: declared once, types derived, OpenAPI generated from them. */
import { Type, type Static } from 'typebox';

const Name = Type.String({ minLength: 1, maxLength: 100 });
// Null comes first: with Ajv's type coercion a string branch tried first would turn null into "",
// so "null clears the field" would store an empty string (or fail the phone check) instead.
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([Type.Null(), s]);

export const Address = Type.Object(
  {
    line1: Type.String({ maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100, description: 'State, province or county' })),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' }),
  },
  { additionalProperties: false },
);

export const Sex = Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('other'), Type.Literal('unknown')]);

export const Allergies = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'As reported, one entry per allergy' });

export const PatientCreate = Type.Object(
  {
    firstName: Name,
    lastName: Name,
    preferredName: Type.Optional(Type.String({ maxLength: 100 })),
    dateOfBirth: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
    sex: Type.Optional(Sex),
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'Any common notation; 7 to 15 digits' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    address: Type.Optional(Address),
    allergies: Type.Optional(Allergies),
  },
  { additionalProperties: false },
);
export type PatientCreate = Static<typeof PatientCreate>;

export const PatientUpdate = Type.Object(
  {
    firstName: Type.Optional(Name),
    lastName: Type.Optional(Name),
    preferredName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    dateOfBirth: Type.Optional(Type.String({ format: 'date' })),
    sex: Type.Optional(Type.Union([Sex, Type.Null()])),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
    address: Type.Optional(Type.Union([Address, Type.Null()])),
    allergies: Type.Optional(Allergies),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change; null clears an optional field' },
);
export type PatientUpdate = Static<typeof PatientUpdate>;

export const Patient = Type.Object({
  id: Type.String({ format: 'uuid' }),
  mrn: Type.String({ description: 'Medical record number, unique within the practice' }),
  firstName: Type.String(),
  lastName: Type.String(),
  preferredName: Type.Union([Type.String(), Type.Null()]),
  dateOfBirth: Type.String({ format: 'date' }),
  sex: Type.Union([Sex, Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Address, Type.Null()]),
  allergies: Allergies,
  status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
  version: Type.Integer({ description: 'Increments on every change; send it back as If-Match' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  archivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type Patient = Static<typeof Patient>;

export const PatientSearch = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Name prefixes (any order) or an MRN' })),
    dateOfBirth: Type.Optional(Type.String({ format: 'date' })),
    phone: Type.Optional(Type.String({ maxLength: 40, description: 'Matches the trailing digits; at least 4' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type PatientSearch = Static<typeof PatientSearch>;

export const PatientPage = Type.Object({
  items: Type.Array(Patient),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last' }),
});
