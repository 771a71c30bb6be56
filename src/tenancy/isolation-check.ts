/**
 * Start-up proof that isolation can hold. The server refuses to serve when any check fails,
 * with every reason listed, because RLS is only a backstop if the runtime role cannot bypass it.
 */
import type { Database } from '../db/database.ts';
import { RUNTIME_ROLE } from '../db/database.ts';
import { POOLED_SCHEMA } from '../db/migrator.ts';
import { asPlatform } from './tenant-db.ts';
import { literal } from '../db/sql-literal.ts';
import { CONTROL_PLANE_TABLES, DEDICATED_SCHEMA_PREFIX, TENANT_TABLES } from './manifest.ts';

export class IsolationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Refusing to start: tenant isolation cannot hold:\n  - ${problems.join('\n  - ')}`);
    this.name = 'IsolationError';
  }
}

interface RoleRow {
  current_user: string;
  rolsuper: boolean;
  rolbypassrls: boolean;
}

interface TableRow {
  oid: string;
  schema: string;
  table: string;
  rls: boolean;
  forced: boolean;
  owned_by_runtime: boolean;
  policies: number;
  complete_policies: number;
}

/** The policy expression as PostgreSQL deparses what `platform.enforce_tenant_rls` creates. */
const TENANT_POLICY_EXPR = "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)";

const TABLES_SQL = `
select c.oid::text as oid, n.nspname as schema, c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced,
       -- MEMBER, not USAGE: a membership WITH INHERIT FALSE still lets the runtime SET ROLE to the owner.
       pg_has_role(current_user, c.relowner, 'MEMBER') as owned_by_runtime,
       (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies,
       (select count(*)::int from pg_policy p
         where p.polrelid = c.oid and p.polcmd = '*' and p.polpermissive
           -- The exact expression enforce_tenant_rls creates: a pattern match would accept "... OR true".
           and pg_get_expr(p.polqual, p.polrelid) = ${literal(TENANT_POLICY_EXPR)}
           and pg_get_expr(p.polwithcheck, p.polrelid) = ${literal(TENANT_POLICY_EXPR)}) as complete_policies
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and (n.nspname in ('platform', '${POOLED_SCHEMA}', 'public') or n.nspname like '${DEDICATED_SCHEMA_PREFIX.replace(/_/g, '\\_')}%')
order by 1, 2`;

function tableProblemsOf(t: TableRow, control: ReadonlySet<string>, tenant: ReadonlySet<string>): string[] {
  const name = `${t.schema}.${t.table}`;
  const found: string[] = [];
  if (t.owned_by_runtime) found.push(`the runtime role owns (or is a member of the owner of) ${name}`);
  if (t.schema === 'platform' || t.schema === 'public' || !tenant.has(t.table)) {
    if (!(t.schema === 'platform' && control.has(t.table))) found.push(`table ${name} is not classified in the manifest`);
    return found;
  }
  if (!t.rls) found.push(`tenant table ${name} does not have row-level security enabled`);
  if (!t.forced) found.push(`tenant table ${name} does not FORCE row-level security`);
  if (t.complete_policies < 1) found.push(`tenant table ${name} lacks a tenant_id policy with USING and WITH CHECK`);
  // Permissive policies are OR-ed: any extra one could widen what a tenant sees.
  if (t.policies > t.complete_policies) found.push(`tenant table ${name} has a policy other than the tenant_id policy`);
  return found;
}

/**
 * Which of these tables no longer exist. A practice's schema dropped while the check runs (another
 * process deleting it, or tests cleaning up) is still in the check's snapshot, but `pg_get_expr`
 * deparses its policies from the live catalog and returns NULL, so its tables look policy-less. A
 * fresh statement, run after that drop committed, tells the vanished tables (which cannot leak
 * anything) from weakened ones that are still there.
 */
async function droppedMeanwhile(db: Database, oids: readonly string[]): Promise<string[]> {
  if (oids.length === 0) return [];
  const res = await asPlatform(db, (tx) =>
    tx.query<{ oid: string }>('select o::text as oid from unnest($1::oid[]) o where not exists (select 1 from pg_class c where c.oid = o)', [oids]),
  );
  return res.rows.map((r) => r.oid);
}

/** Lists every reason isolation cannot hold; empty means safe to serve. */
export async function findIsolationProblems(db: Database): Promise<string[]> {
  const problems: string[] = [];
  // Runs through the same runtime door as requests, so it checks the role requests really use.
  const { role, tables } = await asPlatform(db, async (tx) => {
    const r = await tx.query<RoleRow>(
      'select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user',
    );
    const t = await tx.query<TableRow>(TABLES_SQL);
    return { role: r.rows[0], tables: t.rows };
  });
  if (!role) return ['the runtime role could not be read from pg_roles'];
  if (role.current_user !== RUNTIME_ROLE) {
    problems.push(`requests run as "${role.current_user}", not the runtime role "${RUNTIME_ROLE}"`);
  }
  if (role.rolsuper) problems.push(`the runtime role "${role.current_user}" is a superuser (superusers bypass RLS)`);
  if (role.rolbypassrls) problems.push(`the runtime role "${role.current_user}" has BYPASSRLS`);

  const control = new Set<string>(CONTROL_PLANE_TABLES);
  const tenant = new Set<string>(TENANT_TABLES);
  const tableProblems = new Map<string, string[]>();
  for (const t of tables) {
    const found = tableProblemsOf(t, control, tenant);
    if (found.length > 0) tableProblems.set(t.oid, found);
  }
  for (const oid of await droppedMeanwhile(db, [...tableProblems.keys()])) tableProblems.delete(oid);
  for (const found of tableProblems.values()) problems.push(...found);
  const present = new Set(tables.filter((t) => t.schema === POOLED_SCHEMA).map((t) => t.table));
  for (const t of TENANT_TABLES) {
    if (!present.has(t)) problems.push(`tenant table ${POOLED_SCHEMA}.${t} is in the manifest but missing from the database`);
  }
  return problems;
}

/** Throws an IsolationError listing every problem, or returns when isolation holds. */
export async function assertIsolation(db: Database): Promise<void> {
  const problems = await findIsolationProblems(db);
  if (problems.length > 0) throw new IsolationError(problems);
}
