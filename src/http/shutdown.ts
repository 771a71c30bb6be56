/**
 * Graceful shutdown: on SIGTERM or SIGINT the server stops accepting connections, lets the requests
 * already in flight finish (Fastify's close: new requests on kept-alive connections get 503 and
 * idle ones are closed), then stops the job runner and closes the database. A shutdown that takes
 * longer than the grace period exits anyway, with status 1, so an orchestrator is never kept waiting.
 */
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  /** Longest wait for in-flight work before exiting regardless. */
  readonly graceMs: number;
  /** Closes everything behind the HTTP server (job runner, database pools). */
  readonly closeServices: () => Promise<void>;
  readonly exit?: (code: number) => void;
  readonly log?: (message: string) => void;
}

/** Stops `app` and then its services; resolves with the exit code it used. */
export async function shutDown(app: FastifyInstance, options: ShutdownOptions, reason: string): Promise<number> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.log ?? ((m: string) => console.log(m));
  log(`${reason}: finishing requests in flight (up to ${options.graceMs} ms), accepting no new ones`);
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.graceMs);
    timer.unref();
  });
  // Node closes the connections that are idle when closing starts; a kept-alive connection whose
  // request finishes later would stay open until its keep-alive timeout (72 s in Fastify). Sweeping
  // idle connections until the server has closed ends each one as soon as its last response is out.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  sweep.unref();
  const closing = (async () => {
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
    }
    await options.closeServices();
    return 'closed' as const;
  })();
  const outcome = await Promise.race([closing, overdue]).catch((err: unknown) => {
    log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
    return 'failed' as const;
  });
  clearTimeout(timer);
  const code = outcome === 'closed' ? 0 : 1;
  if (outcome === 'timeout') log('shutdown: grace period over, exiting with requests still open');
  exit(code);
  return code;
}

/** Installs the handlers once: the second signal exits at once (an impatient operator). */
export function handleSignals(app: FastifyInstance, options: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      (options.exit ?? process.exit)(1);
      return;
    }
    stopping = true;
    void shutDown(app, options, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
