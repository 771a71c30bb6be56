/** Provider calendar feeds: issue a private URL (staff API) and serve it (public, secret in the URL). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { providerFeed, rotateFeedToken } from '../../domain/scheduling/calendar-feed.ts';
import { problems } from '../schemas.ts';

/** Staff route, registered inside /api. */
export async function calendarFeedAdminRoutes(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/providers/:id/calendar-feed', {
    config: { permission: 'settings:manage' },
    schema: {
      tags: ['Scheduling'],
      summary: "Issue a new private iCalendar feed URL for a provider's appointments",
      description: 'The previous URL stops working. Subscribe to `url` in any calendar app; events show the visit type and patient initials only.',
      params: Type.Object({ id: Type.String() }),
      response: { 200: Type.Object({ url: Type.String(), path: Type.String() }), ...problems(401, 403, 404) },
    },
  }, async (request) => {
    const token = await rotateFeedToken(request.ctx, request.params.id);
    const path = `/feeds/${request.tenantRecord!.slug}/providers/${request.params.id}/${token}.ics`;
    return { path, url: `${request.protocol}://${request.host}${path}` };
  });
}

/** Public route: the secret in the path is the credential. */
export function calendarFeedPublicRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.withTypeProvider<TypeBoxTypeProvider>().get('/feeds/:slug/providers/:providerId/:file', {
      schema: {
        tags: ['Scheduling'],
        summary: "A provider's appointments as iCalendar (private URL from POST /api/providers/{id}/calendar-feed)",
        params: Type.Object({ slug: Type.String({ maxLength: 40 }), providerId: Type.String(), file: Type.String({ pattern: '^[A-Za-z0-9_-]{16,100}\\.ics$' }) }),
        response: { 200: Type.String(), ...problems(404) },
      },
    }, async (request, reply) => {
      const tenant = await services.tenants.bySlug(request.params.slug);
      // A suspended practice's feeds go dark like the rest of it; existence is never confirmed.
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'No such calendar feed');
      const ics = await providerFeed(services.db, tenant, request.params.providerId, request.params.file.slice(0, -4));
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(ics);
    });
  };
}
