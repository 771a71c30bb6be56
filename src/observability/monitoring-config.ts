/** Monitoring settings (metrics access, tenant attribution bound, tracing), read from the environment. */

export interface MonitoringConfig {
  /** Bearer token `/metrics` requires; unset means loopback callers only (see README, Monitoring). */
  readonly metricsToken: string | undefined;
  /** How many practices get their own `healthtrack_tenant_requests_total` series; the rest are "other". */
  readonly topTenants: number;
  /** How often (at most) the top practices are re-ranked, at scrape time. */
  readonly topTenantsWindowMs: number;
  /** Cluster mode: the primary serves the workers' summed metrics on this port (0 = off). */
  readonly clusterMetricsPort: number;
  /** OTLP/HTTP traces URL (`…/v1/traces`); unset means tracing is off and costs nothing. */
  readonly tracesUrl: string | undefined;
}

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/**
 * Tracing follows the OpenTelemetry variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as given)
 * or OTEL_EXPORTER_OTLP_ENDPOINT (+ `/v1/traces`); HEALTHTRACK_TRACING=0 keeps it off regardless.
 */
function tracesUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  if (['0', 'false', 'off', 'no'].includes((env.HEALTHTRACK_TRACING ?? '').toLowerCase())) return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** Reads the monitoring settings; `env` is injectable for tests. */
export function monitoringConfig(env: NodeJS.ProcessEnv = process.env): MonitoringConfig {
  return {
    metricsToken: env.HEALTHTRACK_METRICS_TOKEN?.trim() || undefined,
    topTenants: count(env.HEALTHTRACK_METRICS_TOP_TENANTS, 20, 'HEALTHTRACK_METRICS_TOP_TENANTS'),
    topTenantsWindowMs: count(env.HEALTHTRACK_METRICS_TOP_TENANTS_WINDOW_S, 60, 'HEALTHTRACK_METRICS_TOP_TENANTS_WINDOW_S') * 1000,
    clusterMetricsPort: count(env.HEALTHTRACK_METRICS_PORT, 0, 'HEALTHTRACK_METRICS_PORT'),
    tracesUrl: tracesUrlFrom(env),
  };
}
