/** Short-lived signed access tokens for practice staff (audience `tenant`) and operators (`platform`). */
import { SignJWT, errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { KeyStore } from './signing-keys.ts';
import { SIGNING_ALG } from './signing-keys.ts';

export const ISSUER = 'healthtrack';
export type Audience = 'tenant' | 'platform';

export interface TenantClaims {
  readonly aud: 'tenant';
  readonly sub: string;
  readonly tid: string;
  readonly roles: readonly string[];
}

export interface PlatformClaims {
  readonly aud: 'platform';
  readonly sub: string;
}

export type AccessClaims = TenantClaims | PlatformClaims;

/** Why a token was refused; each maps to one error code. */
export type TokenFailure = 'expired' | 'invalid';

export class TokenError extends Error {
  constructor(readonly reason: TokenFailure, message: string) {
    super(message);
  }
}

/** Signs an access token with the active key. */
export async function signAccessToken(keys: KeyStore, claims: AccessClaims, ttlSeconds: number): Promise<string> {
  const key = keys.signingKey();
  const body = claims.aud === 'tenant' ? { tid: claims.tid, roles: claims.roles } : {};
  return new SignJWT(body)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(claims.aud)
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key.privateKey);
}

/**
 * Verified tokens, remembered until they expire: an ES256 verification costs ~0.2-0.3 ms of CPU,
 * the largest single cost of an authenticated request. Bounded; insertion order gives FIFO eviction.
 */
const verified = new Map<string, { claims: AccessClaims; exp: number }>();
const VERIFIED_MAX = 20_000;

function remember(key: string, claims: AccessClaims, exp: number): void {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  verified.set(key, { claims, exp });
}

/**
 * Verifies signature (ES256 only: `alg: none` and HMAC confusion are refused), issuer, audience
 * and expiry, and returns the claims for the expected audience.
 */
export async function verifyAccessToken<A extends Audience>(
  keys: KeyStore,
  token: string,
  audience: A,
): Promise<A extends 'tenant' ? TenantClaims : PlatformClaims> {
  const cacheKey = `${audience} ${token}`;
  const hit = verified.get(cacheKey);
  if (hit) {
    if (hit.exp * 1000 > Date.now()) return hit.claims as never;
    verified.delete(cacheKey);
    throw new TokenError('expired', 'token expired');
  }
  try {
    const { payload } = await jwtVerify(
      token,
      async (header: JWTHeaderParameters) => {
        const key = header.kid ? await keys.verificationKey(header.kid) : undefined;
        if (!key) throw new TokenError('invalid', 'unknown signing key');
        return key.publicKey;
      },
      { algorithms: [SIGNING_ALG], issuer: ISSUER, audience, typ: 'at+jwt', requiredClaims: ['sub', 'exp', 'iat'] },
    );
    let claims: AccessClaims;
    if (audience === 'tenant') {
      if (typeof payload.tid !== 'string' || !Array.isArray(payload.roles)) throw new TokenError('invalid', 'missing tenant claims');
      claims = { aud: 'tenant', sub: payload.sub!, tid: payload.tid, roles: payload.roles.map(String) };
    } else {
      claims = { aud: 'platform', sub: payload.sub! };
    }
    remember(cacheKey, claims, payload.exp!);
    return claims as never;
  } catch (err) {
    if (err instanceof TokenError) throw err;
    if (err instanceof errors.JWTExpired) throw new TokenError('expired', 'token expired');
    throw new TokenError('invalid', err instanceof Error ? err.message : 'invalid token');
  }
}
