/** Message templates: /api/templates (per-practice Liquid templates of every message kind). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  KindParams,
  PreviewInput,
  RenderedView,
  TemplateDetail,
  TemplateInput,
  TemplateSummary,
  VersionsPage,
  VersionsQuery,
} from '../../domain/templates/template-schemas.ts';
import { getTemplate, listTemplateVersions, listTemplates, previewTemplate, revertTemplate, saveTemplate } from '../../domain/templates/template-service.ts';
import { problems } from '../schemas.ts';

const tags = ['Message templates'];

export async function templateRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/templates', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: 'Every message kind, whether the practice has its own template, and its variables',
      description: 'Needs `settings:manage`.',
      response: { 200: Type.Object({ items: Type.Array(TemplateSummary) }), ...problems(401, 403) },
    },
  }, async (request) => ({ items: await listTemplates(request.ctx) }));

  r.get('/templates/:kind', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: 'One message kind: the template in force, the default, variables and filters',
      description: 'An unknown kind is 404. Needs `settings:manage`.',
      params: KindParams,
      response: { 200: TemplateDetail, ...problems(401, 403, 404) },
    },
  }, async (request) => getTemplate(request.ctx, request.params.kind));

  r.put('/templates/:kind', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: "Save the practice's template of a kind (a new version, in force at once)",
      description:
        'Liquid in a sandbox: no `include`/`render`/`layout`, only the documented variables of the kind and the allowed filters, ' +
        'outputs HTML-escaped in `bodyHtml`. The subject is one line. A problem is 400 `validation_failed` naming `subject`, `bodyHtml` ' +
        'or `bodyText` with the line and column. Two concurrent saves: the second is 409 `conflict`. Needs `settings:manage`.',
      params: KindParams,
      body: TemplateInput,
      response: { 200: TemplateDetail, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => saveTemplate(request.ctx, request.params.kind, request.body));

  r.delete('/templates/:kind', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: 'Go back to the built-in default template of a kind',
      description: 'Recorded as a new version marking the return to the default (history is kept). Idempotent. Needs `settings:manage`.',
      params: KindParams,
      response: { 204: Type.Null(), ...problems(401, 403, 404) },
    },
  }, async (request, reply) => {
    await revertTemplate(request.ctx, request.params.kind);
    return reply.code(204).send(null);
  });

  r.get('/templates/:kind/versions', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: 'Saved versions of a kind, newest first',
      description: 'Paged with `before` = `nextBefore` of the previous page. Needs `settings:manage`.',
      params: KindParams,
      querystring: VersionsQuery,
      response: { 200: VersionsPage, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => listTemplateVersions(request.ctx, request.params.kind, request.query));

  r.post('/templates/:kind/preview', {
    config: { permission: 'settings:manage', feature: 'custom_templates' },
    schema: {
      tags,
      summary: 'Render a template with sample data, without sending or saving',
      description:
        'Fields given are rendered instead of the template in force (checked like a save). Data: the sample values of the kind, ' +
        "the practice's real branding, then `variables` laid over them. Needs `settings:manage`.",
      params: KindParams,
      body: PreviewInput,
      response: { 200: RenderedView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => previewTemplate(request.ctx, request.params.kind, request.body ?? {}));
}
