/** Waitlist: staff manage entries (/api/waitlist); patients answer offers by link (/waitlist/offers). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { addToWaitlist, cancelWaitlistEntry, listWaitlist } from '../../domain/scheduling/waitlist-service.ts';
import { acceptOffer, viewOffer } from '../../domain/scheduling/waitlist-accept.ts';
import { IdParams, problems } from '../schemas.ts';
import { requireFeature } from '../plugins/feature-gate.ts';

const Status = Type.Union([Type.Literal('waiting'), Type.Literal('offered'), Type.Literal('booked'), Type.Literal('expired'), Type.Literal('cancelled')]);
const Entry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  patientId: Type.String({ format: 'uuid' }),
  typeId: Type.String({ format: 'uuid' }),
  providerId: Type.Union([Type.String(), Type.Null()]),
  locationId: Type.Union([Type.String(), Type.Null()]),
  earliest: Type.String({ format: 'date' }),
  latest: Type.String({ format: 'date' }),
  status: Status,
  offer: Type.Union([Type.Null(), Type.Object({ start: Type.String(), providerId: Type.String(), locationId: Type.String(), expiresAt: Type.String() })]),
  createdAt: Type.String({ format: 'date-time' }),
});
const tags = ['Waitlist'];

export async function waitlistRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/waitlist', {
    config: { permission: 'scheduling:read', feature: 'waitlist' },
    schema: { tags, summary: 'Waitlist entries, oldest first', querystring: Type.Object({ status: Type.Optional(Status) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(Entry) }), ...problems(400, 401, 403) } },
  }, async (request) => ({ items: await listWaitlist(request.ctx, request.query.status) }));

  r.post('/waitlist', {
    config: { permission: 'scheduling:write', feature: 'waitlist' },
    schema: {
      tags,
      summary: 'Put a patient on the waitlist',
      description: 'When an appointment of this type (and provider/location, if given) is cancelled within [earliest, latest] (local dates), the first waiting patient is emailed a time-limited booking link.',
      body: Type.Object(
        {
          patientId: Type.String({ format: 'uuid' }),
          typeId: Type.String({ format: 'uuid' }),
          providerId: Type.Optional(Type.String({ format: 'uuid' })),
          locationId: Type.Optional(Type.String({ format: 'uuid' })),
          earliest: Type.String({ format: 'date' }),
          latest: Type.String({ format: 'date' }),
        },
        { additionalProperties: false },
      ),
      response: { 201: Entry, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(await addToWaitlist(request.ctx, request.body)));

  r.post('/waitlist/:id/cancel', {
    config: { permission: 'scheduling:write', feature: 'waitlist' },
    schema: { tags, summary: 'Take a patient off the waitlist', params: IdParams, response: { 200: Entry, ...problems(401, 403, 404, 409) } },
  }, async (request) => cancelWaitlistEntry(request.ctx, request.params.id));
}

const OfferParams = Type.Object({ slug: Type.String({ maxLength: 40 }), token: Type.String({ minLength: 16, maxLength: 100 }) });
const OfferView = Type.Object({
  practice: Type.String(),
  appointmentType: Type.String(),
  start: Type.String({ description: 'ISO 8601 with the location’s offset' }),
  timeZone: Type.String(),
  expiresAt: Type.String(),
  status: Status,
});

/** Patient-facing, no staff login: the link's secret is the credential. */
export function waitlistOfferRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tenantOf = async (slug: string) => {
      const tenant = await services.tenants.bySlug(slug);
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'No such offer');
      // An offer sent before the practice lost the waitlist feature is refused, not honoured.
      requireFeature(tenant, 'waitlist', 'patient');
      return tenant;
    };
    r.get('/waitlist/offers/:slug/:token', {
      schema: { tags, summary: 'See a waitlist offer (patient link)', params: OfferParams, response: { 200: OfferView, ...problems(403, 404) } },
    }, async (request) => viewOffer(services.db, await tenantOf(request.params.slug), request.params.token));

    r.post('/waitlist/offers/:slug/:token/accept', {
      schema: {
        tags,
        summary: 'Accept a waitlist offer: books the slot for the patient',
        params: OfferParams,
        response: { 201: Type.Object({ appointmentId: Type.String(), start: Type.String() }), ...problems(403, 404, 409, 410) },
      },
    }, async (request, reply) => reply.code(201).send(await acceptOffer(services.db, await tenantOf(request.params.slug), request.params.token, { requestId: request.id, ip: request.ip })));
  };
}
