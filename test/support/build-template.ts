// Builds the migrated PGlite template that every test file starts from (see scripts/run-tests.mjs).
import { writeFileSync } from 'node:fs';
import { openPglite } from '../../src/db/pglite-database.ts';
import { migrateAll } from '../../src/db/migrator.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: build-template.ts <out.tar>');
const started = Date.now();
const db = await openPglite();
const report = await migrateAll(db);
if (report.failed.length) throw new Error(`template migration failed: ${JSON.stringify(report.failed)}`);
const blob = await db.dump();
writeFileSync(out, Buffer.from(await blob.arrayBuffer()));
await db.close();
console.log(`PGlite template ready in ${Date.now() - started} ms`);
