/**
 * Failed sign-ins counted per account and per client address in the control plane, so the limit
 * holds across processes. A window opens at the first failure and lasts WINDOW_SECONDS.
 */
import type { Tx } from '../db/database.ts';

export const WINDOW_SECONDS = 15 * 60;
export const ACCOUNT_LIMIT = 5;
export const ADDRESS_LIMIT = 50;

export function throttleKeys(scope: string, email: string, ip: string): { account: string; address: string } {
  return { account: `${scope}:acct:${email.trim().toLowerCase()}`, address: `${scope}:ip:${ip}` };
}

/** Seconds to wait before another attempt, or 0 when the attempt may go ahead. */
export async function retryAfter(tx: Tx, keys: { account: string; address: string }): Promise<number> {
  const res = await tx.query<{ key: string; failures: number; wait: number }>(
    `select key, failures, ceil(extract(epoch from window_started_at + make_interval(secs => $2) - now()))::int as wait
       from login_failures where key = any($1) and window_started_at > now() - make_interval(secs => $2)`,
    [[keys.account, keys.address], WINDOW_SECONDS],
  );
  let wait = 0;
  for (const row of res.rows) {
    const limit = row.key === keys.account ? ACCOUNT_LIMIT : ADDRESS_LIMIT;
    if (row.failures >= limit) wait = Math.max(wait, row.wait, 1);
  }
  return wait;
}

/** Counts one failure against both keys. */
export async function recordFailure(tx: Tx, keys: { account: string; address: string }): Promise<void> {
  await tx.query(
    `insert into login_failures (key, window_started_at, failures)
     select k, now(), 1 from unnest($1::text[]) as k
     on conflict (key) do update set
       failures = case when login_failures.window_started_at <= now() - make_interval(secs => $2) then 1 else login_failures.failures + 1 end,
       window_started_at = case when login_failures.window_started_at <= now() - make_interval(secs => $2) then now() else login_failures.window_started_at end`,
    [[keys.account, keys.address], WINDOW_SECONDS],
  );
}

/** A successful sign-in clears the account's count (the address count stays). */
export async function clearAccount(tx: Tx, accountKey: string): Promise<void> {
  await tx.query('delete from login_failures where key = $1', [accountKey]);
}

/**
 * Counts one request against `key` in these shared windowed counters (any scope, by key prefix) and
 * answers the count in the current window and the seconds it has left. The caller's transaction
 * must commit even when it then refuses the request, so the refusal counts too.
 */
export async function countInWindow(tx: Tx, key: string, windowSeconds: number): Promise<{ count: number; wait: number }> {
  const res = await tx.query<{ failures: number; wait: number }>(
    `insert into login_failures (key, window_started_at, failures) values ($1, now(), 1)
     on conflict (key) do update set
       failures = case when login_failures.window_started_at <= now() - make_interval(secs => $2) then 1 else login_failures.failures + 1 end,
       window_started_at = case when login_failures.window_started_at <= now() - make_interval(secs => $2) then now() else login_failures.window_started_at end
     returning failures, ceil(extract(epoch from window_started_at + make_interval(secs => $2) - now()))::int as wait`,
    [key, windowSeconds],
  );
  const row = res.rows[0]!;
  return { count: row.failures, wait: Math.max(1, row.wait) };
}
