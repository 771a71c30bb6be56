/** Noisy-neighbour protection settings (per-practice request limits, Redis, statement timeouts), read from the environment. */

export interface ProtectionConfig {
  /**
   * Multiplies every plan's request limits (operator overrides stay exact). 1 in production; the
   * test runner raises it so that a suite making many fast requests per practice never meets them.
   */
  readonly tenantLimitsScale: number;
  /** Shares the per-practice request limits across processes (REDIS_URL); unset keeps them per process. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key this deployment writes (one Redis can serve several deployments). */
  readonly redisKeyPrefix: string;
  /** Statement timeout of every runtime transaction (HEALTHTRACK_STATEMENT_TIMEOUT_MS; 0 = none). */
  readonly statementTimeoutMs: number;
  /** The longer statement timeout of reports and exports (HEALTHTRACK_REPORT_STATEMENT_TIMEOUT_MS). */
  readonly reportStatementTimeoutMs: number;
}

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** Reads the protection settings; `env` is injectable for tests. */
export function protectionConfig(env: NodeJS.ProcessEnv = process.env): ProtectionConfig {
  const scale = count(env.HEALTHTRACK_TENANT_LIMITS_SCALE, 1, 'HEALTHTRACK_TENANT_LIMITS_SCALE');
  if (scale < 1) throw new Error('HEALTHTRACK_TENANT_LIMITS_SCALE must be at least 1');
  return {
    tenantLimitsScale: scale,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    redisKeyPrefix: env.HEALTHTRACK_REDIS_PREFIX?.trim() || 'healthtrack:',
    statementTimeoutMs: count(env.HEALTHTRACK_STATEMENT_TIMEOUT_MS, 5000, 'HEALTHTRACK_STATEMENT_TIMEOUT_MS'),
    reportStatementTimeoutMs: count(env.HEALTHTRACK_REPORT_STATEMENT_TIMEOUT_MS, 30_000, 'HEALTHTRACK_REPORT_STATEMENT_TIMEOUT_MS'),
  };
}
