/** Message templates on the wire. */
import { Type, type Static, type TSchema } from 'typebox';
import { MESSAGE_KINDS } from './message-kinds.ts';
import { HTML_MAX, SUBJECT_MAX, TEXT_MAX } from './template-validation.ts';

export const KindParams = Type.Object({
  kind: Type.String({ maxLength: 40, description: `Message kind: ${MESSAGE_KINDS.map((k) => `\`${k}\``).join(', ')}` }),
});

export const VariableDoc = Type.Object({
  name: Type.String({ description: 'Dotted path, e.g. `patient.firstName`' }),
  type: Type.Union([Type.Literal('string'), Type.Literal('number')]),
  optional: Type.Boolean({ description: 'May be nil: test it with `{% if … %}`' }),
  description: Type.String(),
  sample: Type.Union([Type.String(), Type.Number()], { description: 'The value previews use' }),
});

export const TemplateContent = Type.Object({
  subject: Type.String({ description: 'Liquid, one line, rendered as plain text' }),
  bodyHtml: Type.String({ description: 'Liquid; every output is HTML-escaped. Empty: the message is plain text only' }),
  bodyText: Type.String({ description: 'Liquid, rendered as plain text (not escaped)' }),
});
export type TemplateContent = Static<typeof TemplateContent>;

export const TemplateInput = Type.Object(
  {
    subject: Type.String({ maxLength: SUBJECT_MAX, description: `Liquid, one line, at most ${SUBJECT_MAX} characters` }),
    bodyHtml: Type.String({ maxLength: HTML_MAX, description: `Liquid, at most ${HTML_MAX} characters; empty sends plain text only` }),
    bodyText: Type.String({ maxLength: TEXT_MAX, description: `Liquid, at most ${TEXT_MAX} characters` }),
  },
  { additionalProperties: false },
);
export type TemplateInput = Static<typeof TemplateInput>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const TemplateSummary = Type.Object({
  kind: Type.String(),
  title: Type.String(),
  description: Type.String(),
  overridden: Type.Boolean({ description: "True when the practice's own version is in force" }),
  version: Nullable(Type.Integer({ description: 'Latest saved version (a revert included); null when never saved' })),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
  variables: Type.Array(VariableDoc),
});
export type TemplateSummary = Static<typeof TemplateSummary>;

export const TemplateDetail = Type.Object({
  ...TemplateSummary.properties,
  inForce: TemplateContent,
  default: TemplateContent,
  filters: Type.Array(Type.String(), { description: 'Filters a template may use' }),
});
export type TemplateDetail = Static<typeof TemplateDetail>;

export const TemplateVersionView = Type.Object({
  version: Type.Integer(),
  isDefault: Type.Boolean({ description: 'True for a return to the built-in default (no content)' }),
  content: Nullable(TemplateContent),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type TemplateVersionView = Static<typeof TemplateVersionView>;

export const VersionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Only versions older than this one (the next page)' })),
  },
  { additionalProperties: false },
);
export type VersionsQuery = Static<typeof VersionsQuery>;

export const VersionsPage = Type.Object({
  items: Type.Array(TemplateVersionView),
  nextBefore: Nullable(Type.Integer({ description: 'Pass as `before` for older versions; null at the end' })),
});

export const PreviewInput = Type.Object(
  {
    subject: Type.Optional(Type.String({ maxLength: SUBJECT_MAX })),
    bodyHtml: Type.Optional(Type.String({ maxLength: HTML_MAX })),
    bodyText: Type.Optional(Type.String({ maxLength: TEXT_MAX })),
    variables: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Values laid over the sample data, nested like the variable names (e.g. `{"patient": {"firstName": "Ann"}}`); only documented variables of the kind, as strings, numbers or null',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PreviewInput = Static<typeof PreviewInput>;

export const RenderedView = Type.Object({
  subject: Type.String(),
  html: Nullable(Type.String()),
  text: Type.String(),
});
