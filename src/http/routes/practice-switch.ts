/** Switching practices (/auth/practices, /auth/switch) for a person who is staff of several. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { verifyAccessToken, type TenantClaims } from '../../identity/access-tokens.ts';
import { listMyPractices, switchPractice } from '../../identity/practice-switch.ts';
import { bearerToken, tokenFailure } from '../plugins/staff-auth.ts';
import { TokenPair } from './auth.ts';
import { problems } from '../schemas.ts';

const StaffSession = Type.Object({
  ...TokenPair.properties,
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), roles: Type.Array(Type.String()) }),
  tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
});

export function practiceSwitchRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Staff authentication'];
    // A staff token of any practice: these routes are about the person, not one practice's data.
    const claimsOf = async (request: FastifyRequest): Promise<TenantClaims> => {
      try {
        return await verifyAccessToken(services.keys, bearerToken(request), 'tenant');
      } catch (err) {
        throw tokenFailure(err);
      }
    };

    r.get('/auth/practices', {
      schema: {
        tags,
        summary: 'The practices the signed-in person can switch to',
        security: [{ staffToken: [] }],
        description: 'Every active practice where the bearer of this staff token is active staff, the current one marked.',
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), current: Type.Boolean() })) }),
          ...problems(401, 403),
        },
      },
    }, async (request) => ({ items: await listMyPractices(services.db, await claimsOf(request)) }));

    r.post('/auth/switch', {
      schema: {
        tags,
        summary: 'Switch to another practice of the signed-in person',
        security: [{ staffToken: [] }],
        description:
          'Answers a new session (like sign-in) in the practice named, if the person is active staff there. A practice they do not belong to ' +
          'answers 404 `tenant_not_found`, exactly like one that does not exist. The current session hands over its refresh token, which is spent: ' +
          'the session being left ends with the switch (401 `refresh_token_invalid` unless it is a live refresh token of this person in this practice). ' +
          'Switching to the practice you are in is 400.',
        body: Type.Object(
          {
            tenant: Type.String({ minLength: 1, maxLength: 40, description: 'Practice slug' }),
            refreshToken: Type.String({ minLength: 1, maxLength: 200, description: 'The refresh token of the current session' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: StaffSession, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => switchPractice(services.auth, await claimsOf(request), request.body.tenant.toLowerCase(), request.body.refreshToken, { requestId: request.id, ip: request.ip }));
  };
}
