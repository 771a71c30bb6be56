/** /api/locations: a practice's sites, their time zone, opening hours and holidays. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ItemsOf } from '../../domain/scheduling/config/config-schemas.ts';
import { Holiday, HolidayCreate, Location, LocationCreate, LocationUpdate } from '../../domain/scheduling/config/location-schemas.ts';
import { createLocation, getLocation, listLocations, updateLocation } from '../../domain/scheduling/config/location-service.ts';
import { addHoliday, deleteHoliday, listHolidays } from '../../domain/scheduling/config/holiday-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Scheduling configuration'];
const HolidayParams = Type.Object({ id: Type.String({ description: 'Location id' }), holidayId: Type.String() });

export async function locationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/locations', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'List locations', description: 'Ordered by name. Needs `scheduling:read`.', response: { 200: ItemsOf(Location), ...problems(401, 403) } },
  }, async (request) => ({ items: await listLocations(request.ctx) }));

  r.post('/locations', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Create a location',
      description: '`timeZone` is an IANA zone; `openingHours` maps ISO weekdays ("1" = Monday) to non-overlapping ["HH:mm","HH:mm"] intervals in local wall time. Needs `settings:manage`.',
      body: LocationCreate,
      response: { 201: Location, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const location = await createLocation(request.ctx, request.body);
    return reply.code(201).header('location', `/api/locations/${location.id}`).send(location);
  });

  r.get('/locations/:id', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'Read a location', params: IdParams, response: { 200: Location, ...problems(401, 403, 404) } },
  }, async (request) => getLocation(request.ctx, request.params.id));

  r.patch('/locations/:id', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Update a location', params: IdParams, body: LocationUpdate, response: { 200: Location, ...problems(400, 401, 403, 404) } },
  }, async (request) => updateLocation(request.ctx, request.params.id, request.body));

  r.get('/locations/:id/holidays', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: "List a location's holidays", description: 'Ordered by date.', params: IdParams, response: { 200: ItemsOf(Holiday), ...problems(401, 403, 404) } },
  }, async (request) => ({ items: await listHolidays(request.ctx, request.params.id) }));

  r.post('/locations/:id/holidays', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Add a holiday (the location is closed that date)',
      description: 'One holiday per date and location; a second answers 409 `already_exists`.',
      params: IdParams,
      body: HolidayCreate,
      response: { 201: Holiday, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await addHoliday(request.ctx, request.params.id, request.body)));

  r.delete('/locations/:id/holidays/:holidayId', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Remove a holiday', params: HolidayParams, response: { 204: Type.Null({ description: 'Removed' }), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await deleteHoliday(request.ctx, request.params.id, request.params.holidayId);
    return reply.code(204).send(null);
  });
}
