/**
 * One guarded HTTP POST to a tenant-supplied URL (webhook deliveries). The address is checked when
 * the connection is made, on the very address connected to, so a DNS answer that changed since the
 * URL was saved (rebinding) cannot reach an internal service. Redirects are never followed, the
 * whole exchange has one deadline, and only the first bytes of the response are read.
 */
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { bareHost, isPublicAddress } from './outbound-address.ts';

export interface PostOptions {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  /** How much of the response body to keep. */
  readonly excerptBytes?: number;
}

/** What happened; never thrown. `statusCode` is null when no response arrived (then `error` says why). */
export interface PostOutcome {
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly excerpt: string | null;
  /** From a `Retry-After` header (seconds or HTTP date), when the receiver sent one. */
  readonly retryAfterSeconds: number | null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function refusal(host: string, address: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${host} resolves to ${address}, a loopback, private or link-local address; refused`), { code: 'EADDRREFUSED' });
}

/** A `lookup` for http.request that refuses hosts with any non-public address. */
function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(refusal(hostname, refused.address), '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

function retryAfter(value: string | undefined): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/**
 * POSTs `body` to `url` once.
 * @example const outcome = await postOnce('https://hooks.example.com/in', Buffer.from('{}'), { 'content-type': 'application/json' }, { timeoutMs: 10_000, allowPrivate: false })
 */
export function postOnce(url: string, body: Buffer, headers: Record<string, string>, options: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const limit = options.excerptBytes ?? 1024;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const fail = (error: string) => finish({ statusCode: null, error, excerpt: null, retryAfterSeconds: null });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fail('the URL is not valid');
    }
    const host = bareHost(target.hostname);
    // Literal addresses never go through `lookup`, so they are judged here.
    if (isIP(host) && !options.allowPrivate && !isPublicAddress(host)) return fail(`${host} is a loopback, private or link-local address; refused`);
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!transport) return fail(`${target.protocol} URLs are not delivered to`);
    const req = transport.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      agent: false,
      lookup: guardedLookup(options.allowPrivate) as never,
    });
    timer = setTimeout(() => {
      req.destroy();
      fail(`timed out after ${options.timeoutMs} ms`);
    }, options.timeoutMs);
    req.on('error', (err) => fail(err.message || 'request failed'));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, limit).toString('utf8').replace(/\u0000/g, '');
        const status = res.statusCode ?? 0;
        const redirect = status >= 300 && status < 400 ? `redirect not followed${res.headers.location ? ` (Location: ${String(res.headers.location).slice(0, 200)})` : ''}` : null;
        finish({ statusCode: status, error: redirect, excerpt, retryAfterSeconds: retryAfter(res.headers['retry-after']) });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limit) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.end(body);
  });
}
