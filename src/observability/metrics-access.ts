/**
 * Who may read the metrics: with a configured token, whoever presents it as a bearer token; without
 * one, only a caller on this machine that came straight in (loopback address, no proxy forwarding
 * headers: a local reverse proxy would make internet callers look local).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** allowed, or why not: `hidden` means answer as if there were no such endpoint. */
export type MetricsAccess = 'allowed' | 'token_missing' | 'token_invalid' | 'hidden';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsAccess(headers: IncomingHttpHeaders, remoteAddress: string | undefined, token: string | undefined, behindProxy = false): MetricsAccess {
  if (token !== undefined) {
    const match = headers.authorization ? /^Bearer\s+(\S+)$/i.exec(headers.authorization) : null;
    if (!match) return 'token_missing';
    // Compared as digests: constant time whatever the lengths.
    return timingSafeEqual(digest(match[1]!), digest(token)) ? 'allowed' : 'token_invalid';
  }
  // Behind a reverse proxy (HEALTHTRACK_TRUST_PROXY=1) every caller arrives from the proxy, often
  // over loopback and not always with forwarding headers: without a token, nobody is answered.
  if (behindProxy) return 'hidden';
  const direct = FORWARDING_HEADERS.every((h) => headers[h] === undefined);
  return direct && LOOPBACK.has(remoteAddress ?? '') ? 'allowed' : 'hidden';
}
