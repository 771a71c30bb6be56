/** /api/calendar: day and week views of a location's providers. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CalendarQuery, CalendarView } from '../../domain/scheduling/calendar-schemas.ts';
import { readCalendar } from '../../domain/scheduling/calendar-service.ts';
import { problems } from '../schemas.ts';

export async function calendarRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/calendar', {
    config: { permission: 'scheduling:read' },
    schema: {
      tags: ['Scheduling'],
      summary: "A location's day or week calendar",
      description:
        'Per provider and local day: working windows, appointments (every status, with the patient’s name), time off (without reason) ' +
        'and free time (working time not blocked by an active appointment with its buffers, at any location, nor by time off). ' +
        "Times carry the location's offset. Needs `scheduling:read`; the appointments shown are audited (`calendar.read`). Unknown ids answer 404.",
      querystring: CalendarQuery,
      response: { 200: CalendarView, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => readCalendar(request.ctx, request.query));
}
