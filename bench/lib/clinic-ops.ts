/** What the clinic load worker (clinic-users.ts) is given and reports. */
import type { BenchClinic } from './clinics.ts';

export type Operation = 'search' | 'slots' | 'book' | 'invoice' | 'issue' | 'payment';
export const OPERATIONS: readonly Operation[] = ['search', 'slots', 'book', 'invoice', 'issue', 'payment'];

export interface UsersInput {
  readonly port: number;
  readonly clinics: readonly BenchClinic[];
  /** Simulated users; user `u` works for `clinics[u % clinics.length]`. */
  readonly users: number;
  readonly seconds: number;
  /** Operations started before this many seconds are not recorded (warm-up). */
  readonly warmSeconds: number;
  readonly thinkMs: number;
  readonly maxSockets: number;
}

export interface OperationReport {
  /** Latencies (ms) of requests answered 2xx. */
  readonly latencies: number[];
  /** 409 slot_taken: two users went for the same slot. */
  races: number;
  /** 429: refused by a rate limit or concurrency cap. */
  refused: number;
  /** Anything else, by status and code. */
  readonly errors: Record<string, number>;
}

export interface UsersReport {
  readonly measuredSeconds: number;
  readonly operations: Record<Operation, OperationReport>;
}

