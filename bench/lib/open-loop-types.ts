/** What the open-loop load worker (open-loop.ts) is given and reports. */
import type { BenchClinic } from './clinics.ts';

export interface OpenLoopInput {
  readonly port: number;
  readonly clinics: readonly BenchClinic[];
  /** Requests per second each practice sends (Poisson arrivals), by index into `clinics`. */
  readonly rates: readonly number[];
  readonly seconds: number;
  /** Arrivals before this are sent but not recorded. */
  readonly warmSeconds: number;
  /** Requests in flight at most; an arrival beyond it is counted as `dropped` (never sent). */
  readonly maxInFlight: number;
}

export interface PracticeReport {
  /** Latencies (ms) of 2xx answers. */
  readonly latencies: number[];
  /** 429 answers (rate limit or concurrency cap). */
  refused: number;
  /** Other failures. */
  errors: number;
  dropped: number;
}

export interface OpenLoopReport {
  readonly measuredSeconds: number;
  readonly practices: PracticeReport[];
}
