/** Platform operator accounts. */
import type { Database } from '../db/database.ts';
import { uuidv7 } from '../db/uuid.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { hashPassword } from '../identity/password.ts';

/** Creates the operator, or resets its password and name when the email already exists. */
export async function upsertOperator(db: Database, input: { email: string; password: string; name?: string }): Promise<{ id: string; created: boolean }> {
  const hash = await hashPassword(input.password);
  const res = await asPlatform(db, (tx) =>
    tx.query<{ id: string; created: boolean }>(
      `insert into operators (id, email, name, password_hash) values ($1, lower($2), $3, $4)
       on conflict ((lower(email))) do update set password_hash = excluded.password_hash, name = excluded.name
       returning id, (xmax = 0) as created`,
      [uuidv7(), input.email.trim(), input.name ?? 'Operator', hash],
    ),
  );
  return res.rows[0]!;
}

/** Creates the operator only when no account with that email exists yet (first start). */
export async function ensureOperator(db: Database, input: { email: string; password: string; name?: string }): Promise<boolean> {
  const exists = await asPlatform(db, (tx) => tx.query('select 1 from operators where lower(email) = lower($1)', [input.email.trim()]));
  if (exists.rowCount > 0) return false;
  await upsertOperator(db, input);
  return true;
}

/** Records an operator action in the control-plane audit log. */
export async function recordOperatorAction(
  db: Database,
  entry: { operatorId: string | null; action: string; target: string | null; requestId: string | null; details?: unknown },
): Promise<void> {
  await asPlatform(db, (tx) =>
    tx.query('insert into operator_audit (id, operator_id, action, target, request_id, details) values ($1, $2, $3, $4, $5, $6)', [
      uuidv7(),
      entry.operatorId,
      entry.action,
      entry.target,
      entry.requestId,
      JSON.stringify(entry.details ?? {}),
    ]),
  );
}
