/** Resource (rooms, equipment) request and response schemas. */
import { Type, type Static } from 'typebox';
import { DisplayName, Uuid } from './config-schemas.ts';

const Kind = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,49}$', description: 'e.g. room, equipment (lower case)' });

export const ResourceCreate = Type.Object(
  { locationId: Uuid, name: DisplayName, kind: Type.Optional(Kind), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ResourceCreate = Static<typeof ResourceCreate>;

export const ResourceUpdate = Type.Object(
  { name: Type.Optional(DisplayName), kind: Type.Optional(Kind), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change' },
);
export type ResourceUpdate = Static<typeof ResourceUpdate>;

export const ResourceQuery = Type.Object({ locationId: Type.Optional(Uuid) }, { additionalProperties: false });
export type ResourceQuery = Static<typeof ResourceQuery>;

export const Resource = Type.Object({ id: Uuid, locationId: Uuid, name: Type.String(), kind: Type.String(), active: Type.Boolean() });
export type Resource = Static<typeof Resource>;
