/** /api/scheduling/slots: bookable start times for an appointment type at a location. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { searchSlots } from '../../domain/scheduling/availability.ts';
import { problems } from '../schemas.ts';

const SlotQuery = Type.Object(
  {
    typeId: Type.String({ description: 'Appointment type id' }),
    locationId: Type.String({ description: 'Location id; dates and times are in its time zone' }),
    providerId: Type.Optional(Type.String({ description: 'One provider; omitted = every provider offering the type' })),
    from: Type.String({ description: 'First local date, YYYY-MM-DD' }),
    to: Type.String({ description: 'Last local date, YYYY-MM-DD (at most 31 days from `from`, inclusive)' }),
  },
  { additionalProperties: false },
);

const SlotList = Type.Object({
  timeZone: Type.String({ description: "The location's IANA time zone" }),
  items: Type.Array(
    Type.Object({
      start: Type.String({ description: "ISO 8601 with the location's offset" }),
      end: Type.String(),
      providerId: Type.String(),
      locationId: Type.String(),
      resourceId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export async function slotRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/scheduling/slots', {
    config: { permission: 'scheduling:read' },
    schema: {
      tags: ['Scheduling'],
      summary: 'Search bookable slots',
      description:
        'Every start allowed by working hours, opening hours, holidays, time off, existing bookings and buffers, resources and ' +
        "the practice's rules, ordered by start. Needs `scheduling:read`. Unknown ids answer 404.",
      querystring: SlotQuery,
      response: { 200: SlotList, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => searchSlots(request.ctx, request.query));
}
