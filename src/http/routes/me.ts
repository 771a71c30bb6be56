/** /api/me and /api/roles: who am I here, and what roles exist. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listRoles } from '../../domain/access/role-service.ts';
import { problems } from '../schemas.ts';

const Role = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  builtIn: Type.Boolean(),
  permissions: Type.Array(Type.String()),
});

export async function meRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/me', {
    schema: {
      tags: ['Access'],
      summary: 'The signed-in staff member, the practice and current permissions',
      response: {
        200: Type.Object({
          userId: Type.String(),
          tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
          permissions: Type.Array(Type.String()),
        }),
        ...problems(401, 403),
      },
    },
  }, async (request) => ({
    userId: request.ctx.actor.id!,
    tenant: { id: request.tenantRecord!.id, slug: request.tenantRecord!.slug, name: request.tenantRecord!.name },
    permissions: [...request.ctx.permissions].sort(),
  }));

  r.get('/roles', {
    config: { permission: 'staff:read' },
    schema: { tags: ['Access'], summary: "The practice's roles and their permissions", response: { 200: Type.Object({ items: Type.Array(Role) }), ...problems(401, 403) } },
  }, async (request) => ({ items: await listRoles(request.ctx) }));
}
