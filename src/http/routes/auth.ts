/** Staff sign-in (/auth/...) and the public JWKS. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { loginStaff, logout, refreshSession } from '../../identity/auth-service.ts';
import { requestedSlug } from '../plugins/tenant-resolution.ts';
import { problems } from '../schemas.ts';

export const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String({ description: 'Opaque, single use: each refresh returns a new one' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Access-token lifetime in seconds' }),
});

const StaffSession = Type.Object({
  ...TokenPair.properties,
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), roles: Type.Array(Type.String()) }),
  tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
});

export const Credentials = {
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
};

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export function authRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Staff authentication'];

    r.post('/auth/login', {
      schema: {
        tags,
        summary: 'Sign in to a practice',
        description: 'Failed attempts are throttled per account and per client address (429 `login_throttled` with Retry-After).',
        body: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 40, description: 'Practice slug' }), ...Credentials }, { additionalProperties: false }),
        response: { 200: StaffSession, ...problems(400, 401, 403, 429) },
      },
    }, async (request) => {
      const named = await requestedSlug(request, services.tenants, services.config.baseHost);
      if (named && named !== request.body.tenant.toLowerCase()) throw new AppError('tenant_mismatch');
      return loginStaff(services.auth, { ...request.body, ip: request.ip });
    });

    r.post('/auth/refresh', {
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens',
        description: 'Presenting an already-used refresh token revokes its whole session (`refresh_token_reused`).',
        body: RefreshBody,
        response: { 200: TokenPair, ...problems(400, 401, 403) },
      },
    }, async (request) => refreshSession(services.auth, request.body.refreshToken, 'tenant'));

    r.post('/auth/logout', {
      schema: { tags, summary: 'Sign out: revoke the session of this refresh token', body: RefreshBody, response: { 204: Type.Null(), ...problems(400) } },
    }, async (request, reply) => {
      await logout(services.auth, request.body.refreshToken);
      return reply.code(204).send(null);
    });

    r.get('/.well-known/jwks.json', {
      schema: { tags, summary: 'Public keys that verify access tokens (ES256)', response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) } },
    }, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(services.keys.jwks()));
  };
}
