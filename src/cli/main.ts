/**
 * `npx healthtrack <command>` (or `npm run cli -- <command>`): operator tasks without the HTTP server.
 * On the embedded database, stop the server first: PGlite allows one process per data folder.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../services.ts';
import type { Database } from '../db/database.ts';
import { migrateAll, migrationStatus } from '../db/migrator.ts';
import { findIsolationProblems } from '../tenancy/isolation-check.ts';
import { createTenant } from '../platform/tenant-provisioning.ts';
import { deleteTenant, getTenant, listTenants, reactivateTenant, suspendTenant } from '../platform/tenant-lifecycle.ts';
import { upsertOperator } from '../platform/operators.ts';
import { AppError } from '../errors/catalogue.ts';
import { listPlansCommand, PLAN_HELP, PLAN_SUBCOMMANDS, tenantPlanCommand } from './plan-commands.ts';

const HELP = `HealthTrack operator CLI

Usage: healthtrack <command> [options]

  migrate [--concurrency N]           apply migrations to the control plane, the pool and every
                                      dedicated schema (progress shown; rerun resumes after a failure)
  migrate-status                      version of every schema
  check                               prove tenant isolation holds (roles, RLS, manifest)
  tenants list                        list practices
  tenants show <slug|id>
  tenants create --slug S --name N [--tier pooled|schema] [--plan P] --admin-email E --admin-password P [--admin-name A]
  tenants suspend <slug|id> --reason R
  tenants reactivate <slug|id>
  tenants delete <slug|id> --yes      delete a practice and all its data, verified
${PLAN_HELP}
  operators create --email E --password P [--name N]

Environment: DATABASE_URL (PostgreSQL) or HEALTHTRACK_DATA_DIR (embedded PGlite, default .data/pglite).
Add --json to any command for machine-readable output.`;

type Flags = Record<string, string | boolean | undefined>;

function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new AppError('validation_failed', `--${name} is required`);
  return v;
}

function print(json: boolean, value: unknown, human: () => void): void {
  if (json) console.log(JSON.stringify(value, null, 2));
  else human();
}

async function prepared(db: Database): Promise<void> {
  // Every command but `migrate` works on a migrated database, switched to the runtime role.
  const report = await migrateAll(db);
  if (report.failed.length) throw new Error(`database not fully migrated: ${report.failed.map((f) => f.schema).join(', ')}`);
  if ('startServing' in db && typeof db.startServing === 'function') await db.startServing();
}

async function run(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      concurrency: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      tier: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'admin-name': { type: 'string' },
      reason: { type: 'string' },
      plan: { type: 'string' },
      feature: { type: 'string' },
      enabled: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      yes: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, arg] = positionals;
  const json = flags.json === true;
  if (!command || flags.help) {
    console.log(HELP);
    return command ? 0 : 1;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    switch (command) {
      case 'migrate': {
        const concurrency = Number(flags.concurrency ?? 4);
        const bar = json || !process.stdout.isTTY ? null : new cliProgress.SingleBar({ format: 'Migrating schemas [{bar}] {value}/{total} {schema}' }, cliProgress.Presets.shades_classic);
        let started = false;
        const report = await migrateAll(db, {
          concurrency,
          onProgress: (p) => {
            if (bar && !started) {
              bar.start(p.total, 0, { schema: '' });
              started = true;
            }
            bar?.update(p.done, { schema: p.outcome.schema });
            if (!bar && !json) console.log(`[${p.done}/${p.total}] ${p.outcome.schema}: ${p.outcome.error ? 'FAILED ' + p.outcome.error : `applied ${p.outcome.applied.length}`}`);
          },
        });
        bar?.stop();
        print(json, report, () => {
          console.log(`Control plane: ${report.platformApplied.length} migration(s) applied`);
          console.log(`Tenant schemas: ${report.schemas.length - report.failed.length} ok, ${report.failed.length} failed`);
          for (const f of report.failed) console.log(`  FAILED ${f.schema}: ${f.error}`);
          if (report.failed.length) console.log('Fix the cause and run `healthtrack migrate` again: it resumes where each schema stopped.');
        });
        return report.failed.length ? 2 : 0;
      }
      case 'migrate-status': {
        await prepared(db);
        const status = await migrationStatus(db);
        print(json, status, () => status.forEach((s) => console.log(`${s.schema.padEnd(36)} v${s.version}${s.pending ? `  (${s.pending} pending)` : ''}`)));
        return 0;
      }
      case 'check': {
        await prepared(db);
        const problems = await findIsolationProblems(db);
        print(json, { ok: problems.length === 0, problems }, () =>
          console.log(problems.length ? `Isolation cannot hold:\n  - ${problems.join('\n  - ')}` : 'Isolation checks passed.'),
        );
        return problems.length ? 2 : 0;
      }
      case 'tenants': {
        await prepared(db);
        if (sub === 'list') {
          const items = await listTenants(db);
          print(json, items, () => {
            if (!items.length) console.log('No practices yet. Create one with `healthtrack tenants create`.');
            for (const t of items) console.log(`${t.slug.padEnd(24)} ${t.tier.padEnd(7)} ${t.status.padEnd(10)} ${String(t.users).padStart(4)} users  ${t.name}`);
          });
          return 0;
        }
        if (sub === 'create') {
          const tier = (flags.tier ?? 'pooled') as string;
          if (tier !== 'pooled' && tier !== 'schema') throw new AppError('validation_failed', '--tier must be pooled or schema');
          const created = await createTenant(db, {
            slug: required(flags, 'slug'),
            name: required(flags, 'name'),
            tier,
            ...(typeof flags.plan === 'string' ? { plan: flags.plan } : {}),
            admin: { email: required(flags, 'admin-email'), password: required(flags, 'admin-password'), name: (flags['admin-name'] as string) ?? 'Administrator' },
          });
          print(json, created, () => console.log(`Created ${created.tenant.slug} (${created.tenant.tier}, ${created.tenant.id}) in ${created.elapsedMs.toFixed(0)} ms`));
          return 0;
        }
        if (!arg) throw new AppError('validation_failed', `tenants ${sub ?? ''} needs a slug or id`);
        if ((PLAN_SUBCOMMANDS as readonly string[]).includes(sub ?? '')) return await tenantPlanCommand(db, sub!, arg, flags, (value, human) => print(json, value, human));
        if (sub === 'show') {
          const t = await getTenant(db, arg);
          print(json, t, () => console.log(t));
          return 0;
        }
        if (sub === 'suspend') {
          const t = await suspendTenant(db, arg, required(flags, 'reason'));
          print(json, t, () => console.log(`Suspended ${t.slug}`));
          return 0;
        }
        if (sub === 'reactivate') {
          const t = await reactivateTenant(db, arg);
          print(json, t, () => console.log(`Reactivated ${t.slug}`));
          return 0;
        }
        if (sub === 'delete') {
          if (flags.yes !== true) throw new AppError('validation_failed', 'Deleting a practice erases all its data: add --yes to confirm');
          const report = await deleteTenant(db, arg);
          print(json, report, () => console.log(`Deleted ${report.tenant.slug}: ${report.verified ? 'verified, no rows remain' : 'NOT VERIFIED ' + JSON.stringify(report.remaining)}`));
          return report.verified ? 0 : 2;
        }
        throw new AppError('validation_failed', `unknown tenants command "${sub ?? ''}"`);
      }
      case 'plans':
        return listPlansCommand((value, human) => print(json, value, human));
      case 'operators': {
        await prepared(db);
        if (sub !== 'create') throw new AppError('validation_failed', 'usage: operators create --email E --password P');
        const op = await upsertOperator(db, { email: required(flags, 'email'), password: required(flags, 'password'), name: (flags.name as string) ?? 'Operator' });
        print(json, op, () => console.log(`${op.created ? 'Created' : 'Updated'} operator ${flags.email}`));
        return 0;
      }
      default:
        console.error(`Unknown command "${command}".\n\n${HELP}`);
        return 1;
    }
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof AppError ? `Error (${err.code}): ${err.message}` : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
