/** Workflow definitions SQL: the versions of a practice's definition per kind. Version 0 is the built-in default. */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { defaultDefinition } from './defaults.ts';
import type { WorkflowDefinition } from './definition-schema.ts';
import type { WorkflowKind } from './kinds.ts';

export interface DefinitionVersion {
  readonly version: number;
  readonly definition: WorkflowDefinition;
  /** True for version 0 and for versions that restored the default. */
  readonly isDefault: boolean;
  readonly createdBy: string | null;
  readonly createdAt: string | null;
}

interface Row {
  version: number;
  definition: WorkflowDefinition;
  is_default: boolean;
  created_by: string | null;
  created_at: Date;
}

const builtIn = (kind: WorkflowKind): DefinitionVersion => ({ version: 0, definition: defaultDefinition(kind), isDefault: true, createdBy: null, createdAt: null });

const toVersion = (r: Row): DefinitionVersion => ({
  version: r.version,
  definition: r.definition,
  isDefault: r.is_default,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The version in force: the highest saved one, or the built-in default. */
export async function definitionInForce(tx: TenantTx, kind: WorkflowKind): Promise<DefinitionVersion> {
  const res = await tx.query<Row>(
    `select version, definition, is_default, created_by, created_at from workflow_definitions where tenant_id = $1 and kind = $2 order by version desc limit 1`,
    [tx.tenantId, kind],
  );
  return res.rows[0] ? toVersion(res.rows[0]) : builtIn(kind);
}

/** Every version in force at some time, newest first, ending with the built-in version 0. */
export async function definitionVersions(tx: TenantTx, kind: WorkflowKind): Promise<DefinitionVersion[]> {
  const res = await tx.query<Row>(
    `select version, definition, is_default, created_by, created_at from workflow_definitions where tenant_id = $1 and kind = $2 order by version desc`,
    [tx.tenantId, kind],
  );
  return [...res.rows.map(toVersion), builtIn(kind)];
}

/** The version in force per kind (one statement for the overview). */
export async function versionsInForce(tx: TenantTx): Promise<Map<WorkflowKind, { version: number; isDefault: boolean; createdAt: string }>> {
  const res = await tx.query<{ kind: WorkflowKind; version: number; is_default: boolean; created_at: Date }>(
    `select distinct on (kind) kind, version, is_default, created_at from workflow_definitions where tenant_id = $1 order by kind, version desc`,
    [tx.tenantId],
  );
  return new Map(res.rows.map((r) => [r.kind, { version: r.version, isDefault: r.is_default, createdAt: new Date(r.created_at).toISOString() }]));
}

/**
 * Saves `definition` as the next version. Two concurrent saves compute the same number; the
 * unique key refuses the second (answered as a retryable conflict).
 */
export async function insertDefinition(
  tx: TenantTx,
  kind: WorkflowKind,
  definition: WorkflowDefinition,
  meta: { isDefault: boolean; createdBy: string | null },
): Promise<DefinitionVersion> {
  const res = await tx.query<Row>(
    `insert into workflow_definitions (tenant_id, id, kind, version, definition, is_default, created_by)
     select $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6 from workflow_definitions where tenant_id = $1 and kind = $3
     returning version, definition, is_default, created_by, created_at`,
    [tx.tenantId, uuidv7(), kind, JSON.stringify(definition), meta.isDefault, meta.createdBy],
  );
  return toVersion(res.rows[0]!);
}
