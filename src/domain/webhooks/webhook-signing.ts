/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's secret, sent as `v1,<base64>`.
 * Several signatures (current and, during a rotation, previous secret) are space-separated.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + 32 random bytes in base64 (the form the spec's libraries read). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key inside a `whsec_` secret. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/**
 * One `v1,` signature of a message.
 * @example sign('whsec_…', '0190…', 1767225600, '{"type":"patient.created",…}') // 'v1,K5oZ…='
 */
export function sign(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/** The `webhook-signature` header value: one signature per secret, current first. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string | Buffer): string {
  return secrets.map((s) => sign(s, id, timestamp, body)).join(' ');
}
