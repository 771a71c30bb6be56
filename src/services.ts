/** Wires the process: database, migrations, isolation check, keys, first operator. */
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { openPglite } from './db/pglite-database.ts';
import { openPostgres } from './db/postgres-database.ts';
import { timeDatabase } from './db/timed-database.ts';
import { configureStatementTimeout, withStatementTimeout } from './tenancy/tenant-db.ts';
import { createTenantLimiter } from './infra/tenant-limits/create-limiter.ts';
import type { TenantLimiter } from './infra/tenant-limits/limiter.ts';
import { migrateAll, type MigrateOptions } from './db/migrator.ts';
import { assertIsolation } from './tenancy/isolation-check.ts';
import { TenantRegistry } from './tenancy/tenant-registry.ts';
import { effectiveFeatures } from './platform/plans.ts';
import { onlyWithFeature } from './platform/feature-jobs.ts';
import { KeyStore } from './identity/signing-keys.ts';
import type { AuthDeps } from './identity/auth-service.ts';
import { ensureOperator } from './platform/operators.ts';
import { createMailer, type Mailer } from './infra/mailer.ts';
import { UsageMeter } from './platform/usage-meter.ts';
import { meterJobs, meterMailer, scheduleDailyUsage, usageJobHandlers } from './platform/usage-jobs.ts';
import { JobRunner, type JobHandler } from './jobs/job-runner.ts';
import { REMINDER_JOB, reminderHandler } from './domain/scheduling/reminders.ts';
import { PASSWORD_RESET_JOB, passwordResetHandler } from './identity/password-reset.ts';
import { setMessageLinkBase } from './domain/templates/practice-variables.ts';
import { EMAIL_DELIVER_JOB, WAITLIST_EXPIRE_JOB, WAITLIST_OFFER_JOB } from './domain/scheduling/waitlist-service.ts';
import { emailDeliveryHandler, waitlistExpiryHandler, waitlistOfferHandler } from './domain/scheduling/waitlist-jobs.ts';
import { createSecretBox, type SecretBox } from './infra/secret-box.ts';
import { WEBHOOK_DELIVER_JOB } from './domain/webhooks/webhook-events.ts';
import { webhookDeliveryHandler } from './domain/webhooks/webhook-delivery.ts';

export interface Services {
  readonly config: Config;
  readonly db: Database;
  /**
   * Where the heavy reports read: a replica when READ_DATABASE_URL is set (PostgreSQL only), else `db`.
   * Same roles, RLS and `withTenant` as `db`; never written to.
   */
  readonly readDb: Database;
  /** Per-practice request rate and concurrency limits (shared through Redis when REDIS_URL is set). */
  readonly limiter: TenantLimiter;
  readonly keys: KeyStore;
  readonly tenants: TenantRegistry;
  readonly auth: AuthDeps;
  readonly mailer: Mailer;
  /** Per-practice daily usage counted in memory, flushed every `config.usageFlushMs` and on close. */
  readonly usage: UsageMeter;
  /** Background jobs; started only when `config.jobs` (tests drive `runDue` themselves). */
  readonly jobs: JobRunner;
  /** Seals stored secrets (webhook signing secrets). */
  readonly secrets: SecretBox;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PGlite only: start from a dumped data directory instead of `config.dataDir`. */
  readonly loadDataDir?: Blob;
  /** PGlite only: keep the database in memory. */
  readonly inMemory?: boolean;
  readonly migrate?: MigrateOptions;
}

/**
 * How long a PostgreSQL pool waits for a connection and for a statement's answer before the request
 * gets 503 (README "Database restarts"). The answer wait defaults to 5 s above the longest statement
 * timeout, so it only ever ends statements the server would not have ended itself.
 */
function postgresTimeouts(config: Config): { connectTimeoutMs: number; queryTimeoutMs: number } {
  const longest = Math.max(config.protection.statementTimeoutMs, config.protection.reportStatementTimeoutMs);
  return { connectTimeoutMs: config.dbConnectTimeoutMs, queryTimeoutMs: config.dbQueryTimeoutMs ?? (longest > 0 ? longest + 5000 : 0) };
}

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else embedded PGlite. */
export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({ url: config.databaseUrl, runtimeUrl: config.runtimeDatabaseUrl, poolSize: config.poolSize, ...postgresTimeouts(config) });
  }
  return openPglite({
    ...(options.inMemory || options.loadDataDir ? {} : { dataDir: config.dataDir }),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
}

/**
 * The report replica: a second PostgreSQL handle on READ_DATABASE_URL (runtime statements switch to
 * the runtime role exactly as on the primary, so RLS holds), timed like `db`. Null without one.
 */
export function openReadDatabase(config: Config): Database | null {
  if (!config.databaseUrl || !config.readDatabaseUrl) return null;
  return timeDatabase(openPostgres({ url: config.readDatabaseUrl, poolSize: config.poolSize, ...postgresTimeouts(config) }));
}

/**
 * Brings the process to a servable state or throws: migrate (if configured), switch PGlite to the
 * runtime role for good, prove isolation, load signing keys, create the configured operator.
 */
export async function startServices(config: Config, options: OpenOptions = {}): Promise<Services> {
  // Every runtime statement is timed into the current work scope (metering) and the metrics.
  const db = timeDatabase(await openDatabase(config, options));
  configureStatementTimeout(db, config.protection.statementTimeoutMs);
  try {
    if (config.migrateOnStart) {
      const report = await migrateAll(db, options.migrate);
      if (report.failed.length > 0) {
        const list = report.failed.map((f) => `${f.schema}: ${f.error}`).join('; ');
        throw new Error(`Migrations failed for ${report.failed.length} schema(s): ${list}`);
      }
    }
    if ('startServing' in db && typeof db.startServing === 'function') await db.startServing();
    await assertIsolation(db);
    const keys = new KeyStore(db, {
      rotationDays: config.signingKeyRotationDays,
      verifyGraceSeconds: config.accessTokenTtlSeconds + 60,
    });
    await keys.init();
    if (config.operatorEmail && config.operatorPassword) {
      await ensureOperator(db, { email: config.operatorEmail, password: config.operatorPassword });
    }
    const tenants = new TenantRegistry(db, 2000, effectiveFeatures);
    // Long-running processes rotate too: hourly, the key is replaced once it is older than the policy.
    const rotation = setInterval(() => {
      keys.init().catch(() => undefined);
    }, 3_600_000);
    rotation.unref();
    const usage = new UsageMeter(db);
    const mailer = meterMailer(createMailer(config.smtpUrl), usage);
    setMessageLinkBase(config.publicUrl);
    const secrets = createSecretBox(config);
    const handlers = new Map<string, JobHandler>([
      [REMINDER_JOB, reminderHandler({ db, mailer, mailFrom: config.mailFrom })],
      [EMAIL_DELIVER_JOB, emailDeliveryHandler({ db, mailer, mailFrom: config.mailFrom })],
      [PASSWORD_RESET_JOB, passwordResetHandler({ db, publicUrl: config.publicUrl })],
      [WEBHOOK_DELIVER_JOB, webhookDeliveryHandler({ db, secrets, allowPrivate: config.webhookAllowPrivate, timeoutMs: config.webhookTimeoutMs })],
      [
        WAITLIST_EXPIRE_JOB,
        waitlistExpiryHandler({ db, publicUrl: config.publicUrl, offersEnabled: async (slug) => (await tenants.bySlug(slug))?.features.has('waitlist') ?? false }),
      ],
      [WAITLIST_OFFER_JOB, onlyWithFeature(tenants, 'waitlist', waitlistOfferHandler({ db, publicUrl: config.publicUrl }))],
    ]);
    meterJobs(handlers, usage);
    for (const [kind, handler] of usageJobHandlers(db)) handlers.set(kind, handler);
    // Claiming ranks every due job per practice: with a huge backlog that outlasts the request
    // timeout, so the runner's own statements get the report timeout (handlers keep theirs).
    const jobs = new JobRunner(withStatementTimeout(db, config.protection.reportStatementTimeoutMs), handlers);
    const readDb = openReadDatabase(config) ?? db;
    // Reports may run longer than the rest: their handle (replica or primary) has its own timeout.
    const reportDb = withStatementTimeout(readDb, config.protection.reportStatementTimeoutMs);
    const limiter = createTenantLimiter(config.protection);
    usage.start(config.usageFlushMs);
    if (config.jobs) await scheduleDailyUsage(db);
    if (config.jobs) jobs.start();
    return {
      config,
      db,
      readDb: reportDb,
      limiter,
      keys,
      tenants,
      auth: { db, keys, tenants, accessTtl: config.accessTokenTtlSeconds, refreshTtl: config.refreshTokenTtlSeconds },
      mailer,
      usage,
      jobs,
      secrets,
      close: async () => {
        clearInterval(rotation);
        await jobs.stop();
        await usage.close();
        if (readDb !== db) await readDb.close();
        await limiter.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
