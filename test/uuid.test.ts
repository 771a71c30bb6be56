import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidv7 } from '../src/db/uuid.ts';

const FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidv7: version 7, RFC variant, unique and ordered across many refills of the random pool', () => {
  const ids = Array.from({ length: 5000 }, () => uuidv7());
  for (const id of ids) assert.match(id, FORM);
  assert.equal(new Set(ids).size, ids.length);
  // Made in order by one process: string order is creation order, even within one millisecond.
  assert.deepEqual([...ids].sort(), ids);
  // The random tails differ: no 16 bytes of the pool are handed out twice.
  assert.equal(new Set(ids.map((id) => id.slice(19))).size, ids.length);
});

test('uuidv7: the first 48 bits are the millisecond timestamp', () => {
  const at = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
  const id = uuidv7(at + 1_000_000_000);
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.equal(ms, at + 1_000_000_000);
});
