/** UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits; time-ordered for index locality. */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

// Random bytes are drawn 4 KiB at a time (one call into the CSPRNG per 256 ids instead of per id;
// node's own randomUUID pools the same way). Each id takes 16 fresh bytes that are never reused.
const POOL = Buffer.alloc(16 * 256);
let poolAt = POOL.length;

function random16(): Buffer {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const bytes = Buffer.from(POOL.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  return bytes;
}

/** Returns a new UUIDv7; ids made in the same millisecond by this process stay ordered. */
export function uuidv7(now: number = Date.now()): string {
  const bytes = random16();
  if (now <= lastMs) {
    now = lastMs;
    seq = (seq + 1) & 0xfff;
    if (seq === 0) now = ++lastMs;
  } else {
    seq = bytes.readUInt16BE(6) & 0x7ff;
  }
  lastMs = now;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (seq >> 8);
  bytes[7] = seq & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
