/**
 * Seals secrets we must later use in the clear (webhook signing secrets) with AES-256-GCM. Each
 * sealed value is bound to a context (e.g. tenant and endpoint id) as additional authenticated
 * data, so a sealed value copied onto another row or practice does not open.
 *
 * The key comes from HEALTHTRACK_SECRET_KEY. Without it, a key is generated on first use into a
 * file beside the data (mode 0600): fine for one machine, never for several processes on several
 * hosts, which must share the configured key. A database dump alone then never reveals secrets.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A short, public fingerprint of a key, stored with each sealed value to name the key it needs. */
function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  private cached: { key: Buffer; id: string } | undefined;

  /** `keySource` runs once, on the first seal or open. */
  constructor(private readonly keySource: () => Buffer) {}

  private key(): { key: Buffer; id: string } {
    if (!this.cached) {
      const key = this.keySource();
      if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
      this.cached = { key, id: keyId(key) };
    }
    return this.cached;
  }

  /**
   * Encrypts `plaintext` bound to `context`.
   * @example const sealed = box.seal('whsec_…', `${tenantId}/${endpointId}`)
   */
  seal(plaintext: string, context: string): string {
    const { key, id } = this.key();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Decrypts a value made by `seal` with the same key and context, or throws. */
  open(sealed: string, context: string): string {
    const { key, id } = this.key();
    const [version, kid, ivText, bodyText] = sealed.split('.');
    if (version !== VERSION || !ivText || !bodyText) throw new Error('not a sealed secret');
    if (kid !== id) throw new Error(`the secret was sealed with another key (${kid}); is HEALTHTRACK_SECRET_KEY the same on every process?`);
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}

/**
 * Reads the key file, creating it first when missing. Creation is atomic (write a private temp
 * file, then hard-link it into place), so processes starting together agree on one key.
 */
export function keyFromFile(file: string): Buffer {
  try {
    return readKeyFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  return readKeyFile(file);
}

/** The configured box: the key from the environment, else the (lazily created) key file. */
export function createSecretBox(config: { secretKey: Buffer | undefined; secretKeyFile: string }): SecretBox {
  return new SecretBox(() => config.secretKey ?? keyFromFile(config.secretKeyFile));
}
