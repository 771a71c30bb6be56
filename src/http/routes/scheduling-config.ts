/** The scheduling configuration API: locations, providers, resources, appointment types, practice rules. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RulesPatch } from '../../domain/scheduling/rules.ts';
import { PracticeRulesView } from '../../domain/scheduling/config/scheduling-rules-schemas.ts';
import { getPracticeRules, replacePracticeRules } from '../../domain/scheduling/config/scheduling-settings-service.ts';
import { appointmentTypeRoutes } from './appointment-types.ts';
import { locationRoutes } from './locations.ts';
import { providerRoutes } from './providers.ts';
import { resourceRoutes } from './resources.ts';
import { problems } from '../schemas.ts';

const tags = ['Scheduling configuration'];

async function schedulingRulesRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/scheduling/rules', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: "The practice's scheduling rules and the rules in effect", response: { 200: PracticeRulesView, ...problems(401, 403) } },
  }, async (request) => getPracticeRules(request.ctx));

  r.put('/scheduling/rules', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: "Replace the practice's scheduling rules",
      description:
        'Keys left out return to the defaults. `bookingCondition` is JsonLogic using only var, ==, !=, ===, !==, <, <=, >, >=, and, or, !, !!, if, in, +, -, *, /, %, min, max. Needs `settings:manage`.',
      body: RulesPatch,
      response: { 200: PracticeRulesView, ...problems(400, 401, 403) },
    },
  }, async (request) => replacePracticeRules(request.ctx, request.body));
}

/** Registers every scheduling configuration route (inside the /api scope). */
export async function schedulingConfigRoutes(app: FastifyInstance): Promise<void> {
  await app.register(locationRoutes);
  await app.register(providerRoutes);
  await app.register(resourceRoutes);
  await app.register(appointmentTypeRoutes);
  await app.register(schedulingRulesRoutes);
}
