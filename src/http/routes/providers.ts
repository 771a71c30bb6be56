/** /api/providers: the people patients book, their weekly hours, date overrides and time off. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CalendarDate, ItemsOf } from '../../domain/scheduling/config/config-schemas.ts';
import {
  HoursReplace,
  OverrideSet,
  Provider,
  ProviderCreate,
  ProviderDetail,
  ProviderOverride,
  ProviderUpdate,
  TimeOff,
  TimeOffCreate,
} from '../../domain/scheduling/config/provider-schemas.ts';
import { createProvider, getProvider, listProviders, updateProvider } from '../../domain/scheduling/config/provider-service.ts';
import { deleteProviderOverride, replaceProviderHours, setProviderOverride } from '../../domain/scheduling/config/provider-hours-service.ts';
import { addTimeOff, deleteTimeOff, listTimeOff } from '../../domain/scheduling/config/provider-time-off-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Scheduling configuration'];
const ProviderId = Type.String({ description: 'Provider id' });
const DateParams = Type.Object({ id: ProviderId, date: CalendarDate });
const TimeOffParams = Type.Object({ id: ProviderId, timeOffId: Type.String() });
const Deleted = { 204: Type.Null({ description: 'Removed' }) };

export async function providerRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/providers', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'List providers with their weekly hours', description: 'Ordered by name. Needs `scheduling:read`.', response: { 200: ItemsOf(Provider), ...problems(401, 403) } },
  }, async (request) => ({ items: await listProviders(request.ctx) }));

  r.post('/providers', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Create a provider',
      description: '`userId` links a staff member of this practice (at most one provider each). Needs `settings:manage`.',
      body: ProviderCreate,
      response: { 201: Provider, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const provider = await createProvider(request.ctx, request.body);
    return reply.code(201).header('location', `/api/providers/${provider.id}`).send(provider);
  });

  r.get('/providers/:id', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'Read a provider with weekly hours and upcoming date overrides', params: IdParams, response: { 200: ProviderDetail, ...problems(401, 403, 404) } },
  }, async (request) => getProvider(request.ctx, request.params.id));

  r.patch('/providers/:id', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Update a provider', params: IdParams, body: ProviderUpdate, response: { 200: Provider, ...problems(400, 401, 403, 404, 409) } },
  }, async (request) => updateProvider(request.ctx, request.params.id, request.body));

  r.put('/providers/:id/hours', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: "Replace a provider's weekly hours at one location",
      description: 'Intervals are in the location’s wall time, non-overlapping; `{}` removes the provider’s hours there.',
      params: IdParams,
      body: HoursReplace,
      response: { 200: Provider, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => replaceProviderHours(request.ctx, request.params.id, request.body));

  r.put('/providers/:id/overrides/:date', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Set the hours a provider works at a location on one date',
      description: 'Replaces the weekly hours for that date; `intervals: []` is a day off.',
      params: DateParams,
      body: OverrideSet,
      response: { 200: ProviderOverride, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => setProviderOverride(request.ctx, request.params.id, request.params.date, request.body));

  r.delete('/providers/:id/overrides/:date', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Remove a date override (the weekly hours apply again)',
      params: DateParams,
      querystring: Type.Object({ locationId: Type.String({ description: 'The location of the override' }) }, { additionalProperties: false }),
      response: { ...Deleted, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    await deleteProviderOverride(request.ctx, request.params.id, request.params.date, request.query.locationId);
    return reply.code(204).send(null);
  });

  r.get('/providers/:id/time-off', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: "List a provider's time off", description: 'Ordered by start.', params: IdParams, response: { 200: ItemsOf(TimeOff), ...problems(401, 403, 404) } },
  }, async (request) => ({ items: await listTimeOff(request.ctx, request.params.id) }));

  r.post('/providers/:id/time-off', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Add time off',
      description: '`startsAt` and `endsAt` are ISO 8601 date-times with offset.',
      params: IdParams,
      body: TimeOffCreate,
      response: { 201: TimeOff, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(await addTimeOff(request.ctx, request.params.id, request.body)));

  r.delete('/providers/:id/time-off/:timeOffId', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Remove time off', params: TimeOffParams, response: { ...Deleted, ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await deleteTimeOff(request.ctx, request.params.id, request.params.timeOffId);
    return reply.code(204).send(null);
  });
}
