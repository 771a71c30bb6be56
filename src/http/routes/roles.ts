/** /api/roles and /api/permissions: the practice's roles, custom roles, and the permission catalogue. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../../domain/access/role-service.ts';
import { PERMISSIONS } from '../../domain/access/permissions.ts';
import { IdParams, problems } from '../schemas.ts';

const Role = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'Stable key, used to assign the role (`PUT /api/staff/{userId}/roles`)' }),
  name: Type.String(),
  description: Type.String(),
  builtIn: Type.Boolean({ description: 'Built-in roles are read-only; copy one into a custom role to change it' }),
  permissions: Type.Array(Type.String()),
  members: Type.Integer({ description: 'Staff members holding the role' }),
});

const catalogue = Object.keys(PERMISSIONS).map((p) => `\`${p}\``).join(', ');
// Plain strings, checked by the use case: an unknown one is a field error naming `permissions[i]`.
const Permissions = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64, uniqueItems: true, description: `From the catalogue: ${catalogue}` });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Description = Type.String({ maxLength: 500 });
const tags = ['Access'];

export async function roleRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/permissions', {
    schema: {
      tags,
      summary: 'The permission catalogue custom roles are built from',
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ key: Type.String(), description: Type.String() })) }), ...problems(401, 403) },
    },
  }, async () => ({ items: Object.entries(PERMISSIONS).map(([key, description]) => ({ key, description })) }));

  r.get('/roles', {
    config: { permission: 'staff:read' },
    schema: { tags, summary: "The practice's roles and their permissions", response: { 200: Type.Object({ items: Type.Array(Role) }), ...problems(401, 403) } },
  }, async (request) => ({ items: await listRoles(request.ctx) }));

  r.get('/roles/:id', {
    config: { permission: 'staff:read' },
    schema: { tags, summary: 'One role', params: IdParams, response: { 200: Role, ...problems(401, 403, 404) } },
  }, async (request) => getRole(request.ctx, request.params.id));

  r.post('/roles', {
    config: { permission: 'staff:manage', feature: 'custom_roles' },
    schema: {
      tags,
      summary: 'Create a custom role',
      description: 'Assign it like any role, by key. A key already used by a role of the practice answers 409 `already_exists`.',
      body: Type.Object(
        {
          key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'Lower-case letters, digits and underscores; fixed once created' }),
          name: Name,
          description: Type.Optional(Description),
          permissions: Permissions,
        },
        { additionalProperties: false },
      ),
      response: { 201: Role, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const role = await createRole(request.ctx, request.body);
    return reply.code(201).header('location', `/api/roles/${role.id}`).send(role);
  });

  r.patch('/roles/:id', {
    config: { permission: 'staff:manage', feature: 'custom_roles' },
    schema: {
      tags,
      summary: 'Change a custom role',
      description:
        "`permissions` replaces the whole list. Holders get the change on their next request. Built-in roles answer 409 `built_in_role`; removing `staff:manage` from the last active holder's roles answers 409 `last_admin`.",
      params: IdParams,
      body: Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description), permissions: Type.Optional(Permissions) }, { additionalProperties: false }),
      response: { 200: Role, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => updateRole(request.ctx, request.params.id, request.body));

  r.delete('/roles/:id', {
    config: { permission: 'staff:manage', feature: 'custom_roles' },
    schema: {
      tags,
      summary: 'Delete a custom role',
      description: 'Refused with 409 `role_in_use` while staff members hold it (reassign them first), and with 409 `built_in_role` for a built-in role.',
      params: IdParams,
      response: { 204: Type.Null(), ...problems(401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    await deleteRole(request.ctx, request.params.id);
    return reply.code(204).send(null);
  });
}
