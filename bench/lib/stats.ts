/** Percentiles and the one-line summaries every benchmark prints. */

/** The p-th percentile (0–100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** "p50 1.23 ms  p95 4.56 ms  p99 7.89 ms" */
export function formatLatency(s: LatencySummary): string {
  return `p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms`;
}

/** A ratio as "0.62x"; "n/a" when the baseline is zero or missing. */
export function ratio(value: number, baseline: number): string {
  return Number.isFinite(value / baseline) && baseline > 0 ? `${(value / baseline).toFixed(2)}x` : 'n/a';
}

/** Reads a positive number from argv position `index`, else `env[name]`, else `fallback`. */
export function numberArg(index: number, name: string, fallback: number): number {
  const raw = process.argv[2 + index] ?? process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} (argument ${index + 1}) must be a positive number, got "${raw}"`);
  return n;
}
