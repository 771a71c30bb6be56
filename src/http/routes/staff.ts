/** /api/staff: the practice's people and their roles. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addStaff, listStaff, setStaffActive, setStaffRoles } from '../../platform/staff-service.ts';
import { problems } from '../schemas.ts';

const StaffMember = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  roles: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
const Roles = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 20, uniqueItems: true, description: 'Role keys, e.g. ["provider"]' });
const UserParams = Type.Object({ userId: Type.String() });
const tags = ['Staff'];

export async function staffRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/staff', {
    config: { permission: 'staff:read' },
    schema: { tags, summary: 'List staff members with their roles', response: { 200: Type.Object({ items: Type.Array(StaffMember) }), ...problems(401, 403) } },
  }, async (request) => ({ items: await listStaff(request.ctx) }));

  r.post('/staff', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: 'Add a staff member',
      description: 'A person who already has a HealthTrack identity (e.g. works at another practice) is linked and keeps their password; otherwise `password` is required. Takes a staff seat of the plan (409 `plan_limit_reached` when none is free); `roles` are role keys, built-in or custom.',
      body: Type.Object(
        {
          email: Type.String({ format: 'email', maxLength: 254 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
          roles: Roles,
        },
        { additionalProperties: false },
      ),
      response: { 201: StaffMember, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await addStaff(request.ctx, request.body)));

  r.put('/staff/:userId/roles', {
    config: { permission: 'staff:manage' },
    schema: {
      tags,
      summary: "Replace a staff member's roles",
      description: 'Role keys, built-in or custom. Takes effect on their next request. Refused with 409 `last_admin` when no active member would hold `staff:manage` any more.',
      params: UserParams,
      body: Type.Object({ roles: Roles }, { additionalProperties: false }),
      response: { 200: StaffMember, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => setStaffRoles(request.ctx, request.params.userId, request.body.roles));

  r.post('/staff/:userId/disable', {
    config: { permission: 'staff:manage' },
    schema: { tags, summary: "Disable a staff member's access (sessions end at once)", params: UserParams, response: { 200: StaffMember, ...problems(400, 401, 403, 404, 409) } },
  }, async (request) => setStaffActive(request.ctx, request.params.userId, false));

  r.post('/staff/:userId/enable', {
    config: { permission: 'staff:manage' },
    schema: { tags, summary: "Re-enable a staff member's access", description: 'Takes a staff seat of the plan (409 `plan_limit_reached` when none is free).', params: UserParams, response: { 200: StaffMember, ...problems(401, 403, 404, 409) } },
  }, async (request) => setStaffActive(request.ctx, request.params.userId, true));
}
