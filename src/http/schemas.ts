/** Schemas shared by many routes. */
import { Type } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code; see docs/errors.md' }),
    detail: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    rule: Type.Optional(Type.String({ description: 'The scheduling rule at stake (booking errors only)' })),
    occurrences: Type.Optional(
      Type.Array(
        Type.Object({ start: Type.String(), ok: Type.Boolean(), rule: Type.Optional(Type.String()), detail: Type.Optional(Type.String()) }),
        { description: 'Every occurrence of a recurring series and whether it can be booked (`series_conflicts` only)' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const ref = Type.Unsafe<unknown>({ $ref: 'Problem#' });

/** Standard error responses to list on a route, by status. */
export function problems(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, ref]));
}

export const IdParams = Type.Object({ id: Type.String({ description: 'Resource id (UUID)' }) });

export const TENANT_HEADER_DOC =
  'Tenant routes name the practice by subdomain (`<slug>.<base host>`) or the `X-Tenant: <slug>` header, and need a staff Bearer token for that practice.';
