/** The per-schema lock that bootstrap, migrations and schema drops share. */
import type { Tx } from './database.ts';

/** Transaction-scoped lock that migrations and drops of `schema` take, so they never interleave. */
export async function lockSchema(tx: Tx, schema: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(7271003, hashtext($1))', [schema]);
}
