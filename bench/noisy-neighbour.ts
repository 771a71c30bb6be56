/**
 * Noisy neighbour: N practices each send reads at their fair share (open loop, Poisson arrivals);
 * the p99 of their answered requests is the baseline. Then, in the same run, one more practice sends
 * ten times its share while the others carry on: their p99 again, the ratio (target < 1.2x), and how
 * many of the noisy practice's requests were refused (429 from per-practice rate limits and
 * concurrency caps, when the server has them).
 *
 * A p99 over a few thousand requests moves with anything else the machine does, so the two phases
 * alternate over several rounds in the order A B B A (drift over the run falls on both sides alike),
 * and each side's p99 is taken over all its rounds. Each round's p99s are printed too.
 *
 *   node --import tsx bench/noisy-neighbour.ts [tenants=20] [ratePerTenant=8] [seconds=20] [factor=10] [rounds=2]
 *
 * Uses DATABASE_URL when set, else in-memory PGlite. Traffic goes to 127.0.0.1 only.
 */
import { startBenchServer } from './lib/server.ts';
import { createBenchClinics } from './lib/clinics.ts';
import { runWorker } from './lib/worker.ts';
import type { OpenLoopInput, OpenLoopReport } from './lib/open-loop-types.ts';
import { formatLatency, numberArg, ratio, summarize } from './lib/stats.ts';

const tenants = Math.round(numberArg(0, 'BENCH_TENANTS', 20));
const rate = numberArg(1, 'BENCH_RATE', 8);
const seconds = numberArg(2, 'BENCH_SECONDS', 20);
const factor = numberArg(3, 'BENCH_FACTOR', 10);
const rounds = Math.max(1, Math.round(numberArg(4, 'BENCH_ROUNDS', 2)));
const warmSeconds = Math.min(3, seconds / 4);

const server = await startBenchServer();
try {
  // The quiet practices plus the one that will be noisy (idle during the baseline).
  const clinics = await createBenchClinics(server.services, tenants + 1, 20);
  console.log(
    `Noisy neighbour on ${server.services.db.kind}: ${tenants} practices at ${rate} req/s each, with and without one more at ${rate * factor} req/s (${factor}x), ${seconds} s per phase, ${rounds} round(s) of A B B A`,
  );

  async function phase(label: string, noisyRate: number) {
    const rates = [...Array.from({ length: tenants }, () => rate), noisyRate];
    const active = noisyRate > 0 ? clinics : clinics.slice(0, tenants);
    const input: OpenLoopInput = { port: server.port, clinics: active, rates: rates.slice(0, active.length), seconds, warmSeconds, maxInFlight: 2000 };
    const report = await runWorker<OpenLoopReport>(new URL('./lib/open-loop.ts', import.meta.url), input);
    const quiet = report.practices.slice(0, tenants);
    const latencies = quiet.flatMap((p) => p.latencies);
    const summary = summarize(latencies);
    const sum = (k: 'refused' | 'errors' | 'dropped') => quiet.reduce((a, p) => a + p[k], 0);
    console.log(`  ${label.padEnd(34)} quiet practices: ${(latencies.length / report.measuredSeconds).toFixed(1)} ok/s  ${formatLatency(summary)}  refused ${sum('refused')}  errors ${sum('errors')}  dropped ${sum('dropped')}`);
    (noisyRate > 0 ? loudLatencies : fairLatencies).push(...latencies);
    (noisyRate > 0 ? loudP99s : fairP99s).push(summary.p99);
    const noisy = report.practices[tenants];
    if (noisy) {
      const sent = noisy.latencies.length + noisy.refused + noisy.errors;
      console.log(`  ${'noisy practice'.padEnd(34)} ${(noisy.latencies.length / report.measuredSeconds).toFixed(1)} ok/s  refused ${noisy.refused} of ${sent} (${sent ? ((100 * noisy.refused) / sent).toFixed(0) : 0} %)  errors ${noisy.errors}  dropped ${noisy.dropped}`);
    }
    return summary;
  }

  const fairLatencies: number[] = [];
  const loudLatencies: number[] = [];
  const fairP99s: number[] = [];
  const loudP99s: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const noisyFirst = round % 2 === 0;
    for (const noisy of noisyFirst ? [true, false, false, true] : [false, true, true, false]) {
      await phase(noisy ? `round ${round}: with one practice at ${factor}x` : `round ${round}: fair share only`, noisy ? rate * factor : 0);
    }
  }
  const fair = summarize(fairLatencies);
  const loud = summarize(loudLatencies);
  console.log(`  all rounds, quiet practices without: ${formatLatency(fair)}  with: ${formatLatency(loud)}`);
  // The spread between phases of the same kind is the noise the ratio has to be read against.
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} ms`;
  console.log(`  p99 of single phases: without ${range(fairP99s)}, with ${range(loudP99s)}`);
  console.log(`  p99 quiet practices: ${fair.p99.toFixed(2)} ms without, ${loud.p99.toFixed(2)} ms with the noisy practice`);
  console.log(`  ratio p99 with/without: ${ratio(loud.p99, fair.p99)}`);
} finally {
  await server.close();
}
