/**
 * Finished job runs, reported by the job runner and observed by the metrics. A listener must be
 * cheap and must not throw: it runs on the runner's path.
 */

/** done: finished; retry: failed and queued again; failed: failed for good (attempts used up). */
export type JobOutcome = 'done' | 'retry' | 'failed';

export type JobRunListener = (kind: string, outcome: JobOutcome, ms: number) => void;

const listeners = new Set<JobRunListener>();

/** Registers a listener for finished job runs; returns a function that removes it. */
export function onJobRun(listener: JobRunListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by the job runner once per run. */
export function reportJobRun(kind: string, outcome: JobOutcome, ms: number): void {
  for (const listener of listeners) listener(kind, outcome, ms);
}
