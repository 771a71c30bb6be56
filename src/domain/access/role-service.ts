/** Reads the practice's roles (built-in and, later, custom). */
import type { TenantContext } from '../../tenancy/tenant-context.ts';

export interface RoleView {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly permissions: string[];
}

export async function listRoles(ctx: TenantContext): Promise<RoleView[]> {
  const res = await ctx.tx((tx) =>
    tx.query<{ id: string; key: string; name: string; description: string; built_in: boolean; permissions: string[] }>(
      'select id, key, name, description, built_in, permissions from roles where tenant_id = $1 order by built_in desc, name',
      [tx.tenantId],
    ),
  );
  return res.rows.map((r) => ({ id: r.id, key: r.key, name: r.name, description: r.description, builtIn: r.built_in, permissions: r.permissions }));
}
