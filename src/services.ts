/** Wires the process: database, migrations, isolation check, keys, first operator. */
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { openPglite } from './db/pglite-database.ts';
import { openPostgres } from './db/postgres-database.ts';
import { migrateAll, type MigrateOptions } from './db/migrator.ts';
import { assertIsolation } from './tenancy/isolation-check.ts';
import { TenantRegistry } from './tenancy/tenant-registry.ts';
import { effectiveFeatures } from './platform/plans.ts';
import { onlyWithFeature } from './platform/feature-jobs.ts';
import { KeyStore } from './identity/signing-keys.ts';
import type { AuthDeps } from './identity/auth-service.ts';
import { ensureOperator } from './platform/operators.ts';
import { createMailer, type Mailer } from './infra/mailer.ts';
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
  readonly keys: KeyStore;
  readonly tenants: TenantRegistry;
  readonly auth: AuthDeps;
  readonly mailer: Mailer;
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

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else embedded PGlite. */
export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({ url: config.databaseUrl, runtimeUrl: config.runtimeDatabaseUrl, poolSize: config.poolSize });
  }
  return openPglite({
    ...(options.inMemory || options.loadDataDir ? {} : { dataDir: config.dataDir }),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
}

/**
 * Brings the process to a servable state or throws: migrate (if configured), switch PGlite to the
 * runtime role for good, prove isolation, load signing keys, create the configured operator.
 */
export async function startServices(config: Config, options: OpenOptions = {}): Promise<Services> {
  const db = await openDatabase(config, options);
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
    const mailer = createMailer(config.smtpUrl);
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
    const jobs = new JobRunner(db, handlers);
    if (config.jobs) jobs.start();
    return {
      config,
      db,
      keys,
      tenants,
      auth: { db, keys, tenants, accessTtl: config.accessTokenTtlSeconds, refreshTtl: config.refreshTokenTtlSeconds },
      mailer,
      jobs,
      secrets,
      close: async () => {
        clearInterval(rotation);
        await jobs.stop();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
