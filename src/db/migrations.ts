/** Loads the versioned SQL migrations shipped in `migrations/`. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export type MigrationSet = 'platform' | 'tenant';

/**
 * The `migrations` folder: two levels up from this file in the source tree (src/db), three in the
 * production build (dist/server/db); HEALTHTRACK_MIGRATIONS_DIR overrides both.
 */
function migrationsRoot(): string {
  if (process.env.HEALTHTRACK_MIGRATIONS_DIR) return path.resolve(process.env.HEALTHTRACK_MIGRATIONS_DIR);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ['../../migrations', '../../../migrations'].map((rel) => path.resolve(here, rel));
  return candidates.find((dir) => existsSync(path.join(dir, 'platform'))) ?? candidates[0]!;
}

const ROOT = migrationsRoot();

/** Reads `migrations/<set>/NNNN_name.sql` in version order. */
export function loadMigrations(set: MigrationSet, root: string = ROOT): Migration[] {
  const dir = path.join(root, set);
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
      };
    });
}
