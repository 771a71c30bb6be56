/**
 * Password hashing with Argon2id (memory-hard; OWASP parameters: 19 MiB, 2 passes, 1 lane) via a
 * prebuilt N-API binding that runs off the event loop. The PHC string carries its parameters, so
 * the cost can rise later without invalidating stored hashes.
 */
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** Memory cost in KiB; HEALTHTRACK_ARGON2_MEMORY_KIB may raise it (never below the OWASP floor). */
export function memoryCostKib(): number {
  const fromEnv = Number(process.env.HEALTHTRACK_ARGON2_MEMORY_KIB);
  return Number.isInteger(fromEnv) && fromEnv >= 19_456 ? fromEnv : 19_456;
}

/** Hashes a password as a PHC string (`$argon2id$v=19$m=…,t=2,p=1$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFKC'), { algorithm: Algorithm.Argon2id, memoryCost: memoryCostKib(), timeCost: 2, parallelism: 1 });
}

/** Constant-time check of a password against a stored hash; malformed hashes never match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (!stored.startsWith('$argon2id$')) return false;
  try {
    return await verify(stored, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the account does not exist (equal timing). */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}
