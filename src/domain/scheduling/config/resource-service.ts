/** Resources of a location (exam rooms, equipment) that appointment types may need. */
import { notFound, validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { assertReferences } from './references.ts';
import type { Resource, ResourceCreate, ResourceQuery, ResourceUpdate } from './resource-schemas.ts';
import { assignments, sentFields } from '../../patch.ts';

const COLUMNS = 'id, location_id, name, kind, active';

interface Row {
  id: string;
  location_id: string;
  name: string;
  kind: string;
  active: boolean;
}

const toResource = (r: Row): Resource => ({ id: r.id, locationId: r.location_id, name: r.name, kind: r.kind, active: r.active });

function checkName(name: string | undefined): void {
  if (name !== undefined && name.trim() === '') throw validationError([{ field: 'name', message: 'must not be blank' }]);
}

export async function createResource(ctx: TenantContext, input: ResourceCreate): Promise<Resource> {
  checkName(input.name);
  return ctx.tx(async (tx) => {
    await assertReferences(tx, 'location', 'locationId', [input.locationId]);
    const res = await tx.query<Row>(
      `insert into resources (tenant_id, id, location_id, name, kind, active) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [tx.tenantId, uuidv7(), input.locationId, input.name.trim(), input.kind ?? 'room', input.active ?? true],
    );
    const resource = toResource(res.rows[0]!);
    await recordAudit(tx, ctx, { action: 'resource.create', resourceType: 'resource', resourceId: resource.id, details: { locationId: resource.locationId } });
    return resource;
  });
}

/** Every resource (or a location's), ordered by name. */
export async function listResources(ctx: TenantContext, q: ResourceQuery = {}): Promise<Resource[]> {
  if (q.locationId !== undefined && !isUuid(q.locationId)) return [];
  const res = await ctx.statement<Row>(
    `select ${COLUMNS} from resources where tenant_id = $1 and ($2::uuid is null or location_id = $2) order by lower(name), id`,
    [ctx.tenant.id, q.locationId ?? null],
  );
  return res.rows.map(toResource);
}

const UPDATE_COLUMNS: Record<keyof ResourceUpdate, string> = { name: 'name', kind: 'kind', active: 'active' };

export async function updateResource(ctx: TenantContext, id: string, patch: ResourceUpdate): Promise<Resource> {
  if (!isUuid(id)) throw notFound('resource');
  checkName(patch.name);
  const entries = sentFields(patch);
  return ctx.tx(async (tx) => {
    const params: unknown[] = [tx.tenantId, id];
    const set = assignments(entries, UPDATE_COLUMNS, params, (_key, value) => (typeof value === 'string' ? value.trim() : value));
    const res = await tx.query<Row>(`update resources set ${set} where tenant_id = $1 and id = $2 returning ${COLUMNS}`, params);
    if (!res.rows[0]) throw notFound('resource');
    await recordAudit(tx, ctx, { action: 'resource.update', resourceType: 'resource', resourceId: id, details: { fields: entries.map(([k]) => k) } });
    return toResource(res.rows[0]);
  });
}
