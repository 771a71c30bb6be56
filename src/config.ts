/** Runtime configuration, read once from the environment with safe local defaults. */
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { costRatesFrom, type CostRates } from './platform/cost-rates.ts';
import { monitoringConfig, type MonitoringConfig } from './observability/monitoring-config.ts';
import { protectionConfig, type ProtectionConfig } from './infra/tenant-limits/protection-config.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Owner/migration connection; absent means the embedded PGlite database. */
  readonly databaseUrl: string | undefined;
  /** Optional separate login for the runtime role (production); else the owner URL + SET ROLE. */
  readonly runtimeDatabaseUrl: string | undefined;
  /** PostgreSQL only: a read replica for the heavy reports (READ_DATABASE_URL); unset reads the primary. */
  readonly readDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly baseHost: string;
  readonly operatorEmail: string | undefined;
  readonly operatorPassword: string | undefined;
  /** Seed the demo practices when the database has no tenants. */
  readonly demo: boolean;
  readonly migrateOnStart: boolean;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly signingKeyRotationDays: number;
  readonly logLevel: string;
  readonly poolSize: number;
  /** Staff members whose access a process keeps to serve reads in one round trip (proved per request); 0 = off. */
  readonly accessCacheSize: number;
  /** PostgreSQL: longest wait for a new connection or a free pool slot before answering 503. */
  readonly dbConnectTimeoutMs: number;
  /**
   * PostgreSQL: longest wait for one runtime statement's answer, which bounds a request on a database
   * that went silent; unset, 5 s above the longest statement timeout (see services.ts).
   */
  readonly dbQueryTimeoutMs: number | undefined;
  /** PostgreSQL: how long startup keeps retrying an unreachable database before giving up. */
  readonly dbStartWaitMs: number;
  /** Run the background job runner (reminders, deliveries) in this process. */
  readonly jobs: boolean;
  /** SMTP transport (smtp://user:pass@host:port); unset keeps messages in the outbox (development). */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Where patients reach the app (links in emails). */
  readonly publicUrl: string;
  /** Key sealing stored secrets (webhook signing secrets): 32 bytes from HEALTHTRACK_SECRET_KEY, or unset. */
  readonly secretKey: Buffer | undefined;
  /** Without `secretKey`: the file holding a key generated on first use (single-machine setups only). */
  readonly secretKeyFile: string;
  /** Let webhook endpoints resolve to loopback, private or link-local addresses (development and tests only). */
  readonly webhookAllowPrivate: boolean;
  /** Per-attempt timeout of a webhook delivery. */
  readonly webhookTimeoutMs: number;
  /** The built web app (`npm run build:web`); the server serves it when its index.html exists. */
  readonly webDir: string;
  /** Worker processes (cluster mode, PostgreSQL only); 1 runs a single process. */
  readonly workers: number;
  /** How long a shutdown waits for requests in flight. */
  readonly shutdownGraceMs: number;
  /** How often usage counted in memory is added to the database (HEALTHTRACK_USAGE_FLUSH_MS). */
  readonly usageFlushMs: number;
  /** Prices of metered usage (HEALTHTRACK_COST_RATES, JSON; src/platform/cost-rates.ts). */
  readonly costRates: CostRates;
  /** Metrics access, tenant attribution and tracing (src/observability/monitoring-config.ts). */
  readonly monitoring: MonitoringConfig;
  /** Per-practice request limits, Redis and statement timeouts (src/infra/tenant-limits/protection-config.ts). */
  readonly protection: ProtectionConfig;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function boolFrom(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

/** A 32-byte key written as 64 hex characters or base64 (url-safe or not); unset stays undefined. */
export function secretKeyFrom(value: string | undefined, name = 'HEALTHTRACK_SECRET_KEY'): Buffer | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (!key || key.length !== 32) throw new Error(`${name} must be 32 bytes written as 64 hex characters or base64`);
  return key;
}

/** `auto` means one per CPU core; unset means 1. */
function workersFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  if (value.toLowerCase() === 'auto') return Math.max(1, availableParallelism());
  const n = intFrom(value, 1, 'HEALTHTRACK_WORKERS');
  if (n < 1) throw new Error('HEALTHTRACK_WORKERS must be at least 1 or "auto"');
  return n;
}

/** Reads the configuration; `env` is injectable for tests. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  return {
    port: intFrom(env.PORT, 3000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    runtimeDatabaseUrl: env.DATABASE_RUNTIME_URL || undefined,
    readDatabaseUrl: env.READ_DATABASE_URL || undefined,
    dataDir: path.resolve(env.HEALTHTRACK_DATA_DIR || '.data/pglite'),
    baseHost: (env.HEALTHTRACK_BASE_HOST || 'localhost').toLowerCase(),
    operatorEmail: env.HEALTHTRACK_OPERATOR_EMAIL || undefined,
    operatorPassword: env.HEALTHTRACK_OPERATOR_PASSWORD || undefined,
    // Demo data is on by default only for the embedded database: a real PostgreSQL must opt in.
    demo: boolFrom(env.HEALTHTRACK_DEMO, databaseUrl === undefined),
    migrateOnStart: boolFrom(env.HEALTHTRACK_MIGRATE_ON_START, true),
    accessTokenTtlSeconds: intFrom(env.HEALTHTRACK_ACCESS_TOKEN_TTL, 900, 'HEALTHTRACK_ACCESS_TOKEN_TTL'),
    refreshTokenTtlSeconds: intFrom(env.HEALTHTRACK_REFRESH_TOKEN_TTL, 30 * 24 * 3600, 'HEALTHTRACK_REFRESH_TOKEN_TTL'),
    signingKeyRotationDays: intFrom(env.HEALTHTRACK_KEY_ROTATION_DAYS, 30, 'HEALTHTRACK_KEY_ROTATION_DAYS'),
    logLevel: env.LOG_LEVEL || 'info',
    poolSize: intFrom(env.HEALTHTRACK_POOL_SIZE, 10, 'HEALTHTRACK_POOL_SIZE'),
    accessCacheSize: intFrom(env.HEALTHTRACK_ACCESS_CACHE_SIZE, 10_000, 'HEALTHTRACK_ACCESS_CACHE_SIZE'),
    dbConnectTimeoutMs: intFrom(env.HEALTHTRACK_DB_CONNECT_TIMEOUT_MS, 5000, 'HEALTHTRACK_DB_CONNECT_TIMEOUT_MS'),
    dbQueryTimeoutMs: env.HEALTHTRACK_DB_QUERY_TIMEOUT_MS ? intFrom(env.HEALTHTRACK_DB_QUERY_TIMEOUT_MS, 0, 'HEALTHTRACK_DB_QUERY_TIMEOUT_MS') : undefined,
    dbStartWaitMs: intFrom(env.HEALTHTRACK_DB_START_WAIT_MS, 60_000, 'HEALTHTRACK_DB_START_WAIT_MS'),
    jobs: boolFrom(env.HEALTHTRACK_JOBS, true),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.HEALTHTRACK_MAIL_FROM || 'HealthTrack <no-reply@healthtrack.local>',
    publicUrl: env.HEALTHTRACK_PUBLIC_URL || `http://localhost:${intFrom(env.PORT, 3000, 'PORT')}`,
    secretKey: secretKeyFrom(env.HEALTHTRACK_SECRET_KEY),
    secretKeyFile: path.resolve(env.HEALTHTRACK_SECRET_KEY_FILE || '.data/secret.key'),
    webhookAllowPrivate: boolFrom(env.HEALTHTRACK_WEBHOOK_ALLOW_PRIVATE, false),
    webhookTimeoutMs: intFrom(env.HEALTHTRACK_WEBHOOK_TIMEOUT_MS, 10_000, 'HEALTHTRACK_WEBHOOK_TIMEOUT_MS'),
    webDir: path.resolve(env.HEALTHTRACK_WEB_DIR || 'dist/web'),
    workers: workersFrom(env.HEALTHTRACK_WORKERS),
    shutdownGraceMs: intFrom(env.HEALTHTRACK_SHUTDOWN_GRACE_MS, 25_000, 'HEALTHTRACK_SHUTDOWN_GRACE_MS'),
    usageFlushMs: intFrom(env.HEALTHTRACK_USAGE_FLUSH_MS, 10_000, 'HEALTHTRACK_USAGE_FLUSH_MS'),
    costRates: costRatesFrom(env.HEALTHTRACK_COST_RATES),
    monitoring: monitoringConfig(env),
    protection: protectionConfig(env),
  };
}
