/**
 * A real webhook receiver for tests: node:http on 127.0.0.1, recording every request, answering with
 * scripted statuses, and verifying Standard Webhooks signatures with its own implementation (written
 * from the spec with node:crypto, deliberately not importing the sender's code).
 */
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as received. */
  readonly body: string;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** Statuses for the next requests, in order; afterwards `fallback` (default 200). */
  script(...statuses: number[]): void;
  fallback: number;
  /** Extra response headers (e.g. Location, Retry-After) for every answer. */
  responseHeaders: Record<string, string>;
  /** Delay before answering, in ms. */
  delayMs: number;
  /** Resolves once `n` requests in total have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const queue: number[] = [];
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      for (const w of waiters.filter((x) => received.length >= x.n)) w.resolve();
      const status = queue.shift() ?? receiver.fallback;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'text/plain', ...receiver.responseHeaders });
        res.end(`answer ${status} #${received.length}`);
      };
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    fallback: 200,
    responseHeaders: {},
    delayMs: 0,
    script: (...statuses) => void queue.push(...statuses),
    waitFor: (n, timeoutMs = 5000) =>
      received.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${n} webhook requests arrived`)), timeoutMs);
            waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

const header = (h: http.IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The receiver's check, per the Standard Webhooks spec: the HMAC-SHA256 of `id.timestamp.body`
 * under the base64 key after `whsec_` must equal one of the space-separated `v1,` signatures
 * (constant-time), and the timestamp must be within 5 minutes of now.
 */
export function verifySignature(secret: string, msg: { headers: Record<string, string | string[] | undefined>; body: string }, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const id = header(msg.headers, 'webhook-id');
  const timestamp = header(msg.headers, 'webhook-timestamp');
  const signatures = header(msg.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${msg.body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
