/**
 * Job runs, reported by the job runner as they start and finish, and observed by the metrics and
 * the tracing. A listener must be cheap and must not throw: it runs on the runner's path. Each run
 * has its own work scope (work-scope.ts), which a listener may use to tell runs apart.
 */
import type { WorkScope } from './work-scope.ts';

/** done: finished; retry: failed and queued again; failed: failed for good (attempts used up). */
export type JobOutcome = 'done' | 'retry' | 'failed';

export type JobRunListener = (kind: string, outcome: JobOutcome, ms: number, scope: WorkScope) => void;
export type JobStartListener = (kind: string, scope: WorkScope) => void;

const listeners = new Set<JobRunListener>();
const startListeners = new Set<JobStartListener>();

/** Registers a listener for job runs starting; returns a function that removes it. */
export function onJobStart(listener: JobStartListener): () => void {
  startListeners.add(listener);
  return () => startListeners.delete(listener);
}

/** Called by the job runner as a run starts, before its handler runs in `scope`. */
export function reportJobStart(kind: string, scope: WorkScope): void {
  for (const listener of startListeners) listener(kind, scope);
}

/** Registers a listener for finished job runs; returns a function that removes it. */
export function onJobRun(listener: JobRunListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by the job runner once per run, when it has finished. */
export function reportJobRun(kind: string, outcome: JobOutcome, ms: number, scope: WorkScope): void {
  for (const listener of listeners) listener(kind, outcome, ms, scope);
}
