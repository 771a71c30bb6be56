/**
 * Intake form schemas: the definition format (documented in docs/forms.md) and the API shapes.
 * The definition schema is the contract; `checkFormDefinition` enforces it with JSON-path errors
 * (`sections[1].fields[3].visibleIf`) and adds the rules a schema cannot express.
 */
import { Type, type Static } from 'typebox';

export const FIELD_TYPES = ['text', 'long_text', 'number', 'date', 'single_choice', 'multiple_choice', 'yes_no', 'consent'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export { MAPPING_TARGETS, type MappingTarget } from './mapping-targets.ts';
import { MAPPING_TARGETS } from './mapping-targets.ts';

/** Field and section ids: stable keys that answers, `visibleIf` and FHIR linkIds refer to. */
export const ID_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
const Key = Type.String({ pattern: ID_PATTERN, description: 'Stable key: a letter, then letters, digits or _ (≤ 64)' });

const Bound = Type.Union([Type.Number(), Type.String({ maxLength: 20 })], {
  description: 'number fields: a number; date fields: YYYY-MM-DD, `today`, or `today±N` with d, w, m or y (e.g. `today-18y`)',
});

export const FieldValidation = Type.Object(
  {
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, description: 'text, long_text' })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'text (≤ 1000), long_text (≤ 10000)' })),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text: a regular expression the whole answer must match (as in HTML `pattern`)' })),
    min: Type.Optional(Bound),
    max: Type.Optional(Bound),
    integer: Type.Optional(Type.Boolean({ description: 'number: whole numbers only' })),
    minSelected: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, description: 'multiple_choice' })),
    maxSelected: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'multiple_choice' })),
  },
  { additionalProperties: false },
);
export type FieldValidation = Static<typeof FieldValidation>;

export const ChoiceOption = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 100, description: 'Stored in the answer; unique within the field' }),
    label: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const FormField = Type.Object(
  {
    id: Key,
    type: Type.Enum([...FIELD_TYPES]),
    label: Type.String({ minLength: 1, maxLength: 500 }),
    help: Type.Optional(Type.String({ maxLength: 2000 })),
    required: Type.Optional(Type.Boolean({ description: 'Required while visible; a consent field must then be agreed to' })),
    validation: Type.Optional(FieldValidation),
    options: Type.Optional(Type.Array(ChoiceOption, { minItems: 1, maxItems: 200, description: 'single_choice and multiple_choice only (required there)' })),
    visibleIf: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'JsonLogic over the answers of earlier fields, e.g. {"==":[{"var":"smoker"},true]}; hidden fields are not required and their answers are dropped',
      }),
    ),
    mapsTo: Type.Optional(Type.Enum([...MAPPING_TARGETS], { description: 'Patient-record field the answer updates on submit' })),
    consent: Type.Optional(Type.Object({ text: Type.String({ minLength: 1, maxLength: 20000 }) }, { additionalProperties: false, description: 'consent fields only (required there)' })),
  },
  { additionalProperties: false },
);
export type FormField = Static<typeof FormField>;

export const FormSection = Type.Object(
  {
    id: Key,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    fields: Type.Array(FormField, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type FormSection = Static<typeof FormSection>;

export const FormDefinition = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    sections: Type.Array(FormSection, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false, description: 'A form definition; see docs/forms.md' },
);
export type FormDefinition = Static<typeof FormDefinition>;

export const FORM_KEY_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const FormKey = Type.String({ pattern: FORM_KEY_PATTERN, description: 'Stable name within the practice: lower-case letters, digits and -' });

export const FormCreate = Type.Object({ key: FormKey, ...FormDefinition.properties }, { additionalProperties: false, description: 'A form key plus its first definition' });
export type FormCreate = Static<typeof FormCreate>;

const FormStatus = Type.Union([Type.Literal('active'), Type.Literal('archived')]);

export const FormSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String(),
  title: Type.String(),
  status: FormStatus,
  currentVersion: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  archivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type FormSummary = Static<typeof FormSummary>;

export const VersionInfo = Type.Object({
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});
export type VersionInfo = Static<typeof VersionInfo>;

export const Form = Type.Object({
  ...FormSummary.properties,
  definition: FormDefinition,
  versions: Type.Array(VersionInfo, { description: 'Every published version, oldest first; all stay readable' }),
});
export type Form = Static<typeof Form>;

export const FormVersion = Type.Object({
  formId: Type.String({ format: 'uuid' }),
  key: Type.String(),
  ...VersionInfo.properties,
  definition: FormDefinition,
});
export type FormVersion = Static<typeof FormVersion>;

export const FormList = Type.Object({
  items: Type.Array(FormSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const FormListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type FormListQuery = Static<typeof FormListQuery>;
