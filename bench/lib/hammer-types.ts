/** What the closed-loop load worker (hammer.ts) is given and reports. */
export interface HammerInput {
  readonly port: number;
  readonly paths: readonly string[];
  readonly headers: Record<string, string>;
  readonly seconds: number;
  readonly connections: number;
}

export interface HammerReport {
  ok: number;
  failed: number;
  /** Latencies (ms) of 2xx answers. */
  readonly latencies: number[];
  /** Failed answers by "status code". */
  readonly failures: Record<string, number>;
}
