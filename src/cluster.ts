/**
 * Cluster mode (HEALTHTRACK_WORKERS > 1, or `auto` for one per core): the primary process applies
 * migrations and seeds once, then forks the workers, which share the listening port (the kernel
 * spreads connections) and skip both steps. A worker that dies is replaced after a short backoff;
 * SIGTERM is passed to every worker, which shut down gracefully, and the primary exits after them.
 *
 * Needs PostgreSQL: the embedded database lives inside one process and cannot be shared.
 */
import cluster from 'node:cluster';
import type { Config } from './config.ts';

export interface ClusterHooks {
  /** Runs once in the primary before forking (migrations, demo seed). */
  prepare(): Promise<void>;
  readonly log?: (message: string) => void;
}

/** Forks `config.workers` workers and supervises them; resolves when all have exited after a signal. */
export async function runPrimary(config: Config, hooks: ClusterHooks): Promise<void> {
  const log = hooks.log ?? ((m: string) => console.log(m));
  await hooks.prepare();
  let stopping = false;
  const restarts: number[] = [];
  const fork = () =>
    cluster.fork({
      HEALTHTRACK_WORKER: '1',
      HEALTHTRACK_MIGRATE_ON_START: '0',
      HEALTHTRACK_DEMO: '0',
    });
  for (let i = 0; i < config.workers; i++) fork();
  log(`cluster: ${config.workers} workers on port ${config.port}`);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // A crash loop (5 deaths in a minute) stops the replacing: something is wrong beyond one worker.
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > 5) {
      log(`cluster: workers keep dying (last: pid ${worker.process.pid}, ${signal ?? code}); not replacing`);
      return;
    }
    log(`cluster: worker ${worker.process.pid} exited (${signal ?? code}); starting a replacement`);
    setTimeout(fork, 500 * restarts.length).unref();
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log('cluster: stopping workers');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      const check = setInterval(() => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearInterval(check);
          resolve();
        }
      }, 100);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export function isWorker(): boolean {
  return cluster.isWorker;
}
