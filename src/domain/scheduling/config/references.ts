/**
 * Checks that ids named in a request body belong to this practice. RLS and the composite foreign
 * keys already make a cross-practice link impossible; checking first turns the attempt into a
 * field error instead of a foreign-key failure, and answers the same for another practice's id as
 * for one that exists nowhere.
 */
import { validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';

/** Tables whose rows a configuration body may reference, with the key column. */
const REFERENCES = {
  location: { table: 'locations', key: 'id' },
  provider: { table: 'providers', key: 'id' },
  resource: { table: 'resources', key: 'id' },
  'staff member': { table: 'staff_members', key: 'user_id' },
} as const;

export type ReferenceKind = keyof typeof REFERENCES;

/**
 * Throws `validation_failed` naming `field` unless every id is one of this practice's `kind` rows.
 * @example await assertReferences(tx, 'provider', 'providerIds', input.providerIds)
 */
export async function assertReferences(tx: TenantTx, kind: ReferenceKind, field: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const { table, key } = REFERENCES[kind];
  const res = await tx.query<{ id: string }>(`select ${key}::text as id from ${table} where tenant_id = $1 and ${key} = any($2::uuid[])`, [tx.tenantId, ids.filter(isUuid)]);
  const found = new Set(res.rows.map((r) => r.id));
  const unknown = ids.filter((id) => !found.has(id.toLowerCase()));
  if (unknown.length) throw validationError([{ field, message: `unknown ${kind}: ${unknown.join(', ')}` }]);
}
