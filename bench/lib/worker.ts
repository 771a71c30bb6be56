/** Starts a TypeScript module in a worker thread (tsx's loader registered inside it) and awaits its one message. */
import { Worker } from 'node:worker_threads';

/**
 * Runs `module` (a file URL) with `workerData`; resolves with the first message it posts.
 * Node 20 does not pass `--import tsx` to workers, so the loader is registered in the worker first.
 */
export async function runWorker<T>(module: URL, workerData: unknown): Promise<T> {
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
  const worker = new Worker(boot, { eval: true, workerData });
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code} before reporting`)));
    });
  } finally {
    await worker.terminate();
  }
}
