/**
 * Idempotency for creating POSTs (bookings now; invoices and payments later). The first successful
 * response for a (tenant, scope, key) is stored in the same transaction as the change it describes,
 * so a retry either replays that response or, if the first attempt rolled back, runs again.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors/catalogue.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { TenantTx } from '../tenancy/tenant-db.ts';

/** A stored key older than this no longer replays; the request runs again as new. */
export const IDEMPOTENCY_TTL_HOURS = 24;

const KEY_RE = /^[\x20-\x7e]{1,200}$/;

export interface IdempotencyRequest {
  /** What the key is unique within, e.g. `appointments.book`. */
  readonly scope: string;
  readonly key: string;
  /** `requestHash(body)`: a reused key with another body is refused, never silently replayed. */
  readonly requestHash: string;
}

export interface StoredResponse<B> {
  readonly statusCode: number;
  readonly body: B;
}

export interface IdempotentResult<B> extends StoredResponse<B> {
  /** True when the response is the stored one from an earlier request with the same key. */
  readonly replayed: boolean;
}

/** Throws `validation_failed` naming the header unless `key` is 1–200 printable ASCII characters. */
export function checkIdempotencyKey(key: string): void {
  if (!KEY_RE.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 printable ASCII characters', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }],
    });
  }
}

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of a request body. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Runs `fn` at most once per key. Concurrent requests with one key queue on a transaction-scoped
 * advisory lock (released at commit or rollback), so the second sees the first's stored response.
 * Only successful responses are stored: when `fn` throws, everything rolls back and a retry runs anew.
 * @example await withIdempotency(ctx, { scope: 'invoices.issue', key, requestHash: requestHash(body) }, async (tx) => ({ statusCode: 201, body: await issue(tx) }))
 */
export function withIdempotency<B>(
  ctx: TenantContext,
  request: IdempotencyRequest,
  fn: (tx: TenantTx) => Promise<StoredResponse<B>>,
): Promise<IdempotentResult<B>> {
  checkIdempotencyKey(request.key);
  return ctx.tx(async (tx) => {
    // hashtext collisions only make two unrelated keys wait for each other; correctness rests on the row.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${tx.tenantId}|${request.scope}|${request.key}`]);
    const found = await tx.query<{ request_hash: string; status_code: number; response: B; fresh: boolean }>(
      `select request_hash, status_code, response, created_at > now() - make_interval(hours => $4) as fresh
         from idempotency_keys where tenant_id = $1 and scope = $2 and key = $3`,
      [tx.tenantId, request.scope, request.key, IDEMPOTENCY_TTL_HOURS],
    );
    const prior = found.rows[0];
    if (prior?.fresh) {
      if (prior.request_hash !== request.requestHash) {
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body; use a new key for a new request');
      }
      return { statusCode: prior.status_code, body: prior.response, replayed: true };
    }
    const result = await fn(tx);
    await tx.query(
      `insert into idempotency_keys (tenant_id, scope, key, request_hash, status_code, response) values ($1, $2, $3, $4, $5, $6)
       on conflict (tenant_id, scope, key) do update
         set request_hash = excluded.request_hash, status_code = excluded.status_code, response = excluded.response, created_at = now()`,
      [tx.tenantId, request.scope, request.key, request.requestHash, result.statusCode, JSON.stringify(result.body)],
    );
    return { ...result, replayed: false };
  });
}
