/**
 * Access-token signing keys: ES256, kept in the control plane so every process signs and verifies
 * with the same set, rotated on age. Retired keys keep verifying (and stay in the JWKS) until every
 * token they signed has expired.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { uuidv7 } from '../db/uuid.ts';

export const SIGNING_ALG = 'ES256';

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export interface LoadedKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
}

export interface KeyStoreOptions {
  readonly rotationDays: number;
  /** How long a retired key must keep verifying: the access-token lifetime. */
  readonly verifyGraceSeconds: number;
}

export class KeyStore {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | undefined;
  private lastReload = 0;

  constructor(private readonly db: Database, private readonly options: KeyStoreOptions) {}

  /** Loads keys, creating or rotating the active key when it is missing or too old. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.active || this.isStale(this.active)) await this.rotate({ onlyIfStale: true });
  }

  private isStale(key: LoadedKey): boolean {
    return Date.now() - key.createdAt.getTime() > this.options.rotationDays * 86_400_000;
  }

  /**
   * Creates a new active key and retires the previous one. With `onlyIfStale`, a fresh key made
   * meanwhile by another process is adopted instead, so concurrent starts agree on one key.
   */
  async rotate(options: { onlyIfStale?: boolean } = {}): Promise<LoadedKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = uuidv7();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
    await asPlatform(this.db, async (tx) => {
      // Several processes starting at once must agree on one new key.
      await tx.query('select pg_advisory_xact_lock(7271010)');
      if (options.onlyIfStale) {
        const fresh = await tx.query(
          'select 1 from signing_keys where retired_at is null and created_at > now() - make_interval(days => $1)',
          [this.options.rotationDays],
        );
        if (fresh.rowCount > 0) return;
      }
      await tx.query('update signing_keys set retired_at = now() where retired_at is null');
      await tx.query('insert into signing_keys (kid, alg, public_jwk, private_jwk) values ($1, $2, $3, $4)', [
        kid,
        SIGNING_ALG,
        JSON.stringify(publicJwk),
        JSON.stringify(privateJwk),
      ]);
      await tx.query(
        `delete from signing_keys where retired_at < now() - make_interval(secs => $1)`,
        [this.options.verifyGraceSeconds * 2],
      );
    });
    await this.reload();
    return this.active!;
  }

  /** Re-reads keys from the database (another process may have rotated). */
  async reload(): Promise<void> {
    const rows = await asPlatform(this.db, (tx) =>
      tx.query<KeyRow>('select kid, public_jwk, private_jwk, created_at, retired_at from signing_keys order by created_at'),
    );
    const next = new Map<string, LoadedKey>();
    let active: LoadedKey | undefined;
    for (const row of rows.rows) {
      const key: LoadedKey = {
        kid: row.kid,
        publicJwk: row.public_jwk,
        publicKey: (await importJWK(row.public_jwk, SIGNING_ALG)) as CryptoKey,
        privateKey: (await importJWK(row.private_jwk, SIGNING_ALG)) as CryptoKey,
        createdAt: new Date(row.created_at),
        retiredAt: row.retired_at ? new Date(row.retired_at) : null,
      };
      next.set(key.kid, key);
      if (!key.retiredAt) active = key;
    }
    this.keys = next;
    this.active = active;
    this.lastReload = Date.now();
  }

  /** The key new tokens are signed with. */
  signingKey(): LoadedKey {
    if (!this.active) throw new Error('KeyStore not initialised');
    return this.active;
  }

  /** Finds a verification key; an unknown kid triggers at most one reload per 10 s. */
  async verificationKey(kid: string): Promise<LoadedKey | undefined> {
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.lastReload > 10_000) {
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key) return undefined;
    if (key.retiredAt && Date.now() - key.retiredAt.getTime() > this.options.verifyGraceSeconds * 1000) return undefined;
    return key;
  }

  /** Public keys that may still verify a live token, as a JWKS document. */
  jwks(): { keys: JWK[] } {
    const graceMs = this.options.verifyGraceSeconds * 1000;
    return {
      keys: [...this.keys.values()]
        .filter((k) => !k.retiredAt || Date.now() - k.retiredAt.getTime() <= graceMs)
        .map((k) => k.publicJwk),
    };
  }
}
