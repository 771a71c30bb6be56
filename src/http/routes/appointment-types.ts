/** /api/appointment-types: what can be booked, for how long, with whom, needing what, under which rules. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ItemsOf } from '../../domain/scheduling/config/config-schemas.ts';
import { AppointmentType, AppointmentTypeCreate, AppointmentTypeUpdate } from '../../domain/scheduling/config/appointment-type-schemas.ts';
import {
  createAppointmentType,
  getAppointmentType,
  listAppointmentTypes,
  updateAppointmentType,
} from '../../domain/scheduling/config/appointment-type-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Scheduling configuration'];

export async function appointmentTypeRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/appointment-types', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'List appointment types', description: 'Ordered by name. Needs `scheduling:read`.', response: { 200: ItemsOf(AppointmentType), ...problems(401, 403) } },
  }, async (request) => ({ items: await listAppointmentTypes(request.ctx) }));

  r.post('/appointment-types', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Create an appointment type',
      description: '`providerIds` and `resourceIds` must be this practice’s; `rules` overrides the practice’s scheduling rules for this type. Needs `settings:manage`.',
      body: AppointmentTypeCreate,
      response: { 201: AppointmentType, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const type = await createAppointmentType(request.ctx, request.body);
    return reply.code(201).header('location', `/api/appointment-types/${type.id}`).send(type);
  });

  r.get('/appointment-types/:id', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'Read an appointment type', params: IdParams, response: { 200: AppointmentType, ...problems(401, 403, 404) } },
  }, async (request) => getAppointmentType(request.ctx, request.params.id));

  r.patch('/appointment-types/:id', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Update an appointment type', params: IdParams, body: AppointmentTypeUpdate, response: { 200: AppointmentType, ...problems(400, 401, 403, 404) } },
  }, async (request) => updateAppointmentType(request.ctx, request.params.id, request.body));
}
