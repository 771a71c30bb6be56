/**
 * Private databases for tests that mutate roles, policies or migrations: a PGlite instance of
 * their own (from the migrated template when the runner built one), or a fresh PostgreSQL
 * database created next to DATABASE_URL's and dropped afterwards. Nothing here touches the
 * database other test files share.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, type PgliteDatabase } from '../../src/db/pglite-database.ts';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { migrateAll } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/database.ts';

let migratedBlob: Promise<Blob> | undefined;

/** A dump of a freshly migrated PGlite: the runner's template, or one built once per process. */
export function migratedPgliteBlob(): Promise<Blob> {
  migratedBlob ??= (async () => {
    const template = process.env.HEALTHTRACK_TEST_TEMPLATE;
    if (template) return new Blob([readFileSync(template)]);
    // DATABASE_URL runs get no template from the runner: migrate an in-memory PGlite once.
    const db = await openPglite();
    try {
      const report = await migrateAll(db);
      if (report.failed.length) throw new Error(`migration failed: ${JSON.stringify(report.failed)}`);
      return await db.dump();
    } finally {
      await db.close();
    }
  })();
  return migratedBlob;
}

/** Opens a private, migrated PGlite (still as its superuser; call `startServing` to switch). */
export async function openPrivatePglite(blob?: Blob): Promise<PgliteDatabase> {
  return openPglite({ loadDataDir: blob ?? (await migratedPgliteBlob()) });
}

/** The URL of another database on the same PostgreSQL server as `url`. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface FreshPostgres {
  readonly db: Database;
  readonly url: string;
  /** Closes the pools and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates and migrates a fresh database beside DATABASE_URL's; `drop()` removes it again.
 * Roles are cluster-wide and shared: callers change tables only, never roles.
 */
export async function openFreshPostgres(prefix: string): Promise<FreshPostgres> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('openFreshPostgres needs DATABASE_URL');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const dropDatabase = async () => {
    try {
      await admin.query(`drop database if exists ${name} with (force)`);
    } finally {
      await admin.end();
    }
  };
  let db: Database | undefined;
  try {
    await admin.query(`create database ${name}`);
    const url = withDatabase(base, name);
    const opened = openPostgres({ url, poolSize: 4 });
    db = opened;
    const report = await migrateAll(opened);
    if (report.failed.length) throw new Error(`migration failed: ${JSON.stringify(report.failed)}`);
    return {
      db: opened,
      url,
      async drop() {
        await opened.close();
        await dropDatabase();
      },
    };
  } catch (err) {
    await db?.close().catch(() => undefined);
    await dropDatabase().catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` on a fresh migrated PostgreSQL database (see `openFreshPostgres`), then drops it. */
export async function withFreshPostgres<T>(prefix: string, fn: (db: Database, url: string) => Promise<T>): Promise<T> {
  const fresh = await openFreshPostgres(prefix);
  try {
    return await fn(fresh.db, fresh.url);
  } finally {
    await fresh.drop();
  }
}
