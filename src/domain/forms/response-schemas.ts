/** Form response and link schemas (API shapes). */
import { Type, type Static } from 'typebox';
import { FormDefinition } from './form-schemas.ts';

export const Answers = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 1000,
  description:
    'Keyed by field id. text/long_text: string; number: number; date: "YYYY-MM-DD"; single_choice: option value; multiple_choice: [option values]; yes_no: boolean; consent: {"agreed": true, "signatureName": "…"} (signedAt is set by the server). null or absent = unanswered',
});

export const ResponseCreate = Type.Object(
  {
    formId: Type.String({ format: 'uuid' }),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'The version filled in; default the current one' })),
    answers: Answers,
  },
  { additionalProperties: false },
);
export type ResponseCreate = Static<typeof ResponseCreate>;

const Change = Type.Object({ target: Type.String(), previous: Type.Unknown(), value: Type.Unknown() });
export const Changes = Type.Object(
  {
    applied: Type.Array(Change, { description: 'Patient-record fields the answers changed, with the values before and after' }),
    skipped: Type.Array(Type.Object({ target: Type.String(), reason: Type.String() })),
  },
  { description: 'What the mapped answers (mapsTo) did to the patient record' },
);

export const ResponseSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  formId: Type.String({ format: 'uuid' }),
  formKey: Type.String(),
  formTitle: Type.String({ description: 'The title of the version filled in' }),
  version: Type.Integer(),
  patientId: Type.String({ format: 'uuid' }),
  submittedVia: Type.Union([Type.Literal('staff'), Type.Literal('link')]),
  submittedBy: Type.Union([Type.String(), Type.Null()], { description: 'Staff user id; null when the patient submitted through a link' }),
  linkId: Type.Union([Type.String(), Type.Null()]),
  submittedAt: Type.String({ format: 'date-time' }),
  appliedToPatient: Type.Boolean({ description: 'Whether the answers changed the patient record' }),
});
export type ResponseSummary = Static<typeof ResponseSummary>;

export const FormResponse = Type.Object({
  ...ResponseSummary.properties,
  answers: Type.Record(Type.String(), Type.Unknown()),
  changes: Changes,
});
export type FormResponse = Static<typeof FormResponse>;

export const FormResponseWithDefinition = Type.Object({
  ...FormResponse.properties,
  definition: FormDefinition,
});
export type FormResponseWithDefinition = Static<typeof FormResponseWithDefinition>;

export const ResponsePage = Type.Object({
  items: Type.Array(ResponseSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ResponseListQuery = Type.Object(
  {
    formId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ResponseListQuery = Static<typeof ResponseListQuery>;

export const MAX_LINK_HOURS = 24 * 30;

export const LinkCreate = Type.Object(
  {
    patientId: Type.String({ format: 'uuid' }),
    expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LINK_HOURS, default: 72, description: 'At most 30 days' })),
    sendEmail: Type.Optional(Type.Boolean({ default: false, description: 'Email the link to the patient’s address on file' })),
  },
  { additionalProperties: false },
);
export type LinkCreate = Static<typeof LinkCreate>;

export const LinkCreated = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String({ description: 'Single-use; shown only now (the token is stored hashed)' }),
  expiresAt: Type.String({ format: 'date-time' }),
  version: Type.Integer({ description: 'The form version the link is pinned to' }),
  email: Type.Union([Type.Literal('queued'), Type.Literal('no_address'), Type.Literal('not_requested')]),
});
export type LinkCreated = Static<typeof LinkCreated>;

export const PublicForm = Type.Object({
  practice: Type.String(),
  patientFirstName: Type.String(),
  form: FormDefinition,
  version: Type.Integer(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type PublicForm = Static<typeof PublicForm>;

export const PublicSubmit = Type.Object({ answers: Answers }, { additionalProperties: false });

export const PublicSubmitted = Type.Object({
  id: Type.String({ format: 'uuid' }),
  submittedAt: Type.String({ format: 'date-time' }),
});
