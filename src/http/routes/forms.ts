/**
 * Intake forms: definitions and versions, FHIR export/import, links (staff API under /api), patient
 * responses, and the patient-facing link pages (/public/forms, no login: the token is the credential).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { Form, FormCreate, FormDefinition, FormList, FormListQuery, FormVersion, FormKey } from '../../domain/forms/form-schemas.ts';
import { archiveForm, createForm, getForm, getFormVersion, listForms, publishVersion } from '../../domain/forms/form-service.ts';
import { exportQuestionnaire, importQuestionnaire } from '../../domain/forms/fhir-service.ts';
import { createFormLink, submitFormLink, viewFormLink } from '../../domain/forms/form-links.ts';
import { getResponse, listResponses, submitResponse } from '../../domain/forms/response-service.ts';
import {
  FormResponse,
  FormResponseWithDefinition,
  LinkCreate,
  LinkCreated,
  PublicForm,
  PublicSubmit,
  PublicSubmitted,
  ResponseCreate,
  ResponseListQuery,
  ResponsePage,
} from '../../domain/forms/response-schemas.ts';
import { requireFeature } from '../plugins/feature-gate.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Intake forms'];
const VersionParams = Type.Object({ id: Type.String(), version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) });
const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag of the form read: "<current version>"' })) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'A retry with the same key answers the first response (header `Idempotent-Replayed: true`) and stores nothing' })),
});
const Questionnaire = Type.Object(
  { resourceType: Type.Literal('Questionnaire') },
  { additionalProperties: true, description: 'A FHIR R4 Questionnaire resource' },
);

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!m) throw new AppError('validation_failed', 'If-Match must be an ETag such as "3"', { errors: [{ field: 'If-Match', message: 'is not an ETag' }] });
  return Number(m[1]);
}

/**
 * Definition bodies are validated by the domain (the same checks serve FHIR import), which names
 * problems by JSON path (`sections[1].fields[3].visibleIf`); the schema here documents the format.
 */
function rethrowNonBody(request: FastifyRequest): void {
  const err = request.validationError as (Error & { validationContext?: string }) | undefined;
  if (err && err.validationContext !== 'body') throw err;
}

const DEFINITION_NOTE =
  'The definition format is documented in docs/forms.md. Problems answer 400 `validation_failed` with `errors[].field` as a JSON path such as `sections[1].fields[3].visibleIf`.';

/** Staff routes, registered inside /api. */
export function formRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
    const r = app.withTypeProvider<TypeBoxTypeProvider>();

    r.post('/forms', {
      config: { permission: 'settings:manage', feature: 'intake_forms' },
      attachValidation: true,
      schema: { tags, summary: 'Create a form (version 1)', description: `${DEFINITION_NOTE} A key already used: 409 \`already_exists\`. Needs \`settings:manage\`.`, body: FormCreate, response: { 201: Form, ...problems(400, 401, 403, 409) } },
    }, async (request, reply) => {
      rethrowNonBody(request);
      const form = await createForm(request.ctx, request.body);
      return reply.code(201).header('location', `/api/forms/${form.id}`).header('etag', `"${form.currentVersion}"`).send(form);
    });

    r.get('/forms', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: { tags, summary: 'List forms by title', description: 'Active forms unless `status` says otherwise; cursor-paginated. Needs `patients:read`.', querystring: FormListQuery, response: { 200: FormList, ...problems(400, 401, 403) } },
    }, async (request) => listForms(request.ctx, request.query));

    r.get('/forms/:id', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: { tags, summary: 'Read a form: its current definition and its versions', params: IdParams, response: { 200: Form, ...problems(401, 403, 404) } },
    }, async (request, reply) => {
      const form = await getForm(request.ctx, request.params.id);
      return reply.header('etag', `"${form.currentVersion}"`).send(form);
    });

    r.put('/forms/:id', {
      config: { permission: 'settings:manage', feature: 'intake_forms' },
      attachValidation: true,
      schema: {
        tags,
        summary: 'Publish a new version of a form',
        description: `The body is the whole new definition; it becomes version current+1 and every earlier version stays readable (responses keep theirs). The same definition as the current one publishes nothing (200, same version). Send \`If-Match: "<version>"\` to refuse the change when someone published since you read (412). Archived: 409 \`form_archived\`. ${DEFINITION_NOTE} Needs \`settings:manage\`.`,
        params: IdParams,
        headers: IfMatch,
        body: FormDefinition,
        response: { 200: Form, ...problems(400, 401, 403, 404, 409, 412) },
      },
    }, async (request, reply) => {
      rethrowNonBody(request);
      const { form } = await publishVersion(request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
      return reply.header('etag', `"${form.currentVersion}"`).send(form);
    });

    r.post('/forms/:id/archive', {
      config: { permission: 'settings:manage', feature: 'intake_forms' },
      schema: { tags, summary: 'Archive a form', description: 'No new versions, responses or links; existing responses stay readable. Needs `settings:manage`.', params: IdParams, response: { 200: Form, ...problems(401, 403, 404) } },
    }, async (request) => archiveForm(request.ctx, request.params.id));

    r.get('/forms/:id/versions/:version', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: { tags, summary: 'Read one version of a form, exactly as published', params: VersionParams, response: { 200: FormVersion, ...problems(400, 401, 403, 404) } },
    }, async (request) => getFormVersion(request.ctx, request.params.id, request.params.version));

    r.get('/forms/:id/versions/:version/fhir', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: {
        tags,
        summary: 'One version of a form as a FHIR R4 Questionnaire',
        description: 'Sections are groups; types map to string, text, integer/decimal, date, choice (answerOption valueCoding), boolean; consent text is a display item; simple `visibleIf` becomes enableWhen. See docs/forms.md. Needs `patients:read`.',
        params: VersionParams,
        response: { 200: Questionnaire, ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      const questionnaire = await exportQuestionnaire(request.ctx, request.params.id, request.params.version);
      return reply.type('application/fhir+json').send(questionnaire as { resourceType: 'Questionnaire' });
    });

    r.post('/forms/import/fhir', {
      config: { permission: 'settings:manage', feature: 'intake_forms' },
      schema: {
        tags,
        summary: 'Create a form from a FHIR R4 Questionnaire',
        description:
          'Body: the Questionnaire (`application/json` or `application/fhir+json`). The key is `?key=` (409 if taken), else derived from the Questionnaire and made unique. Unsupported constructs answer 400 naming the FHIR path, e.g. `item[2].answerValueSet`. Needs `settings:manage`.',
        querystring: Type.Object({ key: Type.Optional(FormKey) }, { additionalProperties: false }),
        body: Questionnaire,
        response: { 201: Form, ...problems(400, 401, 403, 409) },
      },
    }, async (request, reply) => {
      const form = await importQuestionnaire(request.ctx, request.body, request.query.key);
      return reply.code(201).header('location', `/api/forms/${form.id}`).send(form);
    });

    r.post('/forms/:id/links', {
      config: { permission: 'patients:write', feature: 'intake_forms' },
      schema: {
        tags,
        summary: 'Send a form to a patient as a single-use link',
        description:
          'The link opens the form without a login, pinned to the current version, until `expiresAt` (`expiresInHours`, default 72, at most 720). With `sendEmail` and an address on file, the link is emailed (`email: queued`). The URL is shown only now. Needs `patients:write`.',
        params: IdParams,
        body: LinkCreate,
        response: { 201: LinkCreated, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) =>
      reply.code(201).send(await createFormLink(request.ctx, request.params.id, request.body, { publicUrl: services.config.publicUrl })),
    );

    r.post('/patients/:id/form-responses', {
      config: { permission: 'patients:write', feature: 'intake_forms' },
      schema: {
        tags,
        summary: 'Record a form response for a patient',
        description:
          'Answers are checked against the version (default the current one): required only while visible, hidden fields’ answers dropped, type and validation rules; problems name `answers.<fieldId>`. Mapped answers (`mapsTo`) update the patient in the same transaction; `changes` says what changed. Honours `Idempotency-Key`. Needs `patients:write`.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: ResponseCreate,
        response: { 201: FormResponse, ...problems(400, 401, 403, 404, 409, 422) },
      },
    }, async (request, reply) => {
      const { response, replayed } = await submitResponse(request.ctx, request.params.id, request.body, { idempotencyKey: request.headers['idempotency-key'] });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', `/api/form-responses/${response.id}`).send(response);
    });

    r.get('/patients/:id/form-responses', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: { tags, summary: "A patient's form responses, newest first", description: 'Without answers; read one for them. Audited. Needs `patients:read`.', params: IdParams, querystring: ResponseListQuery, response: { 200: ResponsePage, ...problems(400, 401, 403, 404) } },
    }, async (request) => listResponses(request.ctx, request.params.id, request.query));

    r.get('/form-responses/:id', {
      config: { permission: 'patients:read', feature: 'intake_forms' },
      schema: { tags, summary: 'Read a form response with the definition of the version it was filled in', description: 'Audited. Needs `patients:read`.', params: IdParams, response: { 200: FormResponseWithDefinition, ...problems(401, 403, 404) } },
    }, async (request) => getResponse(request.ctx, request.params.id));
  };
}

const LinkParams = Type.Object({ slug: Type.String({ maxLength: 40 }), token: Type.String({ minLength: 16, maxLength: 100 }) });

/** Patient-facing, no staff login: the link's secret is the credential. */
export function publicFormRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tenantOf = async (slug: string) => {
      const tenant = await services.tenants.bySlug(slug);
      // A suspended practice's links go dark; existence is never confirmed.
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'No such form link');
      // A link sent before the practice lost intake forms is refused, not honoured.
      requireFeature(tenant, 'intake_forms', 'patient');
      return tenant;
    };
    r.get('/public/forms/:slug/:token', {
      schema: {
        tags,
        summary: 'Open a form link (patient, no login)',
        description: 'The definition to render, the practice’s name and the patient’s first name. Used: 409 `form_link_used`; expired: 410 `form_link_expired`.',
        params: LinkParams,
        response: { 200: PublicForm, ...problems(403, 404, 409, 410) },
      },
    }, async (request) => viewFormLink(services.db, await tenantOf(request.params.slug), request.params.token, { requestId: request.id, ip: request.ip }));

    r.post('/public/forms/:slug/:token', {
      schema: {
        tags,
        summary: 'Submit a form link (patient, no login; single use)',
        description: 'Answers as for staff responses; problems name `answers.<fieldId>` and leave the link usable. Once accepted the link is used up: 409 `form_link_used`; expired: 410 `form_link_expired`.',
        params: LinkParams,
        body: PublicSubmit,
        response: { 201: PublicSubmitted, ...problems(400, 403, 404, 409, 410) },
      },
    }, async (request, reply) =>
      reply.code(201).send(await submitFormLink(services.db, await tenantOf(request.params.slug), request.params.token, request.body.answers, { requestId: request.id, ip: request.ip })),
    );
  };
}
