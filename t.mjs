import { PGlite } from '@electric-sql/pglite';
let t=Date.now(); const db = new PGlite('/tmp/pgl1'); await db.waitReady; console.log('ready', Date.now()-t);
const dump = await db.dumpDataDir('none'); console.log('dump', dump.size, Date.now()-t); await db.close();
t=Date.now(); const db2 = new PGlite('/tmp/pgl1'); await db2.waitReady; console.log('reopen', Date.now()-t);
t=Date.now(); const db3 = new PGlite({loadDataDir: dump}); await db3.waitReady; console.log('fromdump', Date.now()-t);
