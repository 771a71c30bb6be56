/** /api/resources: rooms and equipment that appointment types may need. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ItemsOf } from '../../domain/scheduling/config/config-schemas.ts';
import { Resource, ResourceCreate, ResourceQuery, ResourceUpdate } from '../../domain/scheduling/config/resource-schemas.ts';
import { createResource, listResources, updateResource } from '../../domain/scheduling/config/resource-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Scheduling configuration'];

export async function resourceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/resources', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'List resources', description: 'Ordered by name; `locationId` narrows to one location. Needs `scheduling:read`.', querystring: ResourceQuery, response: { 200: ItemsOf(Resource), ...problems(400, 401, 403) } },
  }, async (request) => ({ items: await listResources(request.ctx, request.query) }));

  r.post('/resources', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Create a resource at a location', description: 'Needs `settings:manage`.', body: ResourceCreate, response: { 201: Resource, ...problems(400, 401, 403) } },
  }, async (request, reply) => reply.code(201).send(await createResource(request.ctx, request.body)));

  r.patch('/resources/:id', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Update a resource', params: IdParams, body: ResourceUpdate, response: { 200: Resource, ...problems(400, 401, 403, 404) } },
  }, async (request) => updateResource(request.ctx, request.params.id, request.body));
}
