/** Reports: /api/reports/overview, the daily series behind the dashboard. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Overview, OverviewQuery } from '../../domain/reporting/overview-schemas.ts';
import { MAX_OVERVIEW_DAYS, practiceOverview } from '../../domain/reporting/overview.ts';
import { problems } from '../schemas.ts';

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/reports/overview', {
    config: { permission: 'scheduling:read' },
    schema: {
      tags: ['Reports'],
      summary: 'Daily appointments, no-shows, revenue and new patients of a period',
      description:
        `Every day of \`from\`–\`to\` (inclusive, default the 30 days to today), counted in the practice time zone (\`timeZone\` in the answer): appointments by the day they start (not cancelled), no-shows among them, revenue (payments received minus refunds in the practice currency, minor units as strings) and patients registered. At most ${MAX_OVERVIEW_DAYS} days; \`from\` after \`to\` or a longer period is 400 naming the field. Needs \`scheduling:read\`; revenue is null without \`billing:read\`.`,
      querystring: OverviewQuery,
      response: { 200: Overview, ...problems(400, 401, 403) },
    },
  }, async (request) => practiceOverview(request.ctx, request.query));
}
