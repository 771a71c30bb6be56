/** Staff password reset (/auth/password-reset): ask for a link, then set a new password with it. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { confirmPasswordReset, requestPasswordReset, RESET_TOKEN_MINUTES } from '../../identity/password-reset.ts';
import { requestedSlug } from '../plugins/tenant-resolution.ts';
import { problems } from '../schemas.ts';

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function passwordResetRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Staff authentication'];

    r.post('/auth/password-reset', {
      schema: {
        tags,
        summary: 'Ask for a password reset link',
        description:
          'The practice is named like for sign-in: subdomain, `X-Tenant` header or `tenant` in the body (they must agree). ' +
          `Always 202, whether or not the email belongs to a member of the practice (no account enumeration). A member gets a single-use link, valid ${RESET_TOKEN_MINUTES} minutes, ` +
          "rendered with the built-in `password_reset` template (not replaceable by the practice); a newer request voids older links. At most 3 emails per account per 15 minutes (more requests are accepted " +
          'and send nothing); more than 20 requests per client address per 15 minutes are 429 `rate_limited`.',
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Practice slug, when not named by subdomain or X-Tenant' })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ status: Type.Literal('accepted') }), ...problems(400, 429) },
      },
    }, async (request, reply) => {
      const named = await requestedSlug(request, services.tenants, services.config.baseHost);
      const fromBody = request.body.tenant?.toLowerCase() ?? null;
      if (named && fromBody && named !== fromBody) throw new AppError('tenant_mismatch');
      const slug = named ?? fromBody;
      if (!slug) throw new AppError('tenant_required');
      const tenant = SLUG_RE.test(slug) ? await services.tenants.bySlug(slug) : null;
      await requestPasswordReset(services.db, { tenant: tenant && tenant.status === 'active' ? tenant : null, email: request.body.email, ip: request.ip });
      return reply.code(202).send({ status: 'accepted' });
    });

    r.post('/auth/password-reset/confirm', {
      schema: {
        tags,
        summary: 'Set a new password with a reset token',
        description:
          'Consumes the token (single use) and signs the person out everywhere: every refresh token is revoked. ' +
          '400 `reset_token_invalid` (unknown or replaced), 409 `reset_token_used`, 410 `reset_token_expired`.',
        body: Type.Object(
          {
            token: Type.String({ minLength: 20, maxLength: 200, description: 'The `token` from the emailed link' }),
            password: Type.String({ minLength: 10, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...problems(400, 409, 410) },
      },
    }, async (request, reply) => {
      await confirmPasswordReset(services.db, request.body);
      return reply.code(204).send(null);
    });
  };
}
