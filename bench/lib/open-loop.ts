/**
 * Load worker: each practice sends reads (a patient by id, or a name search) at its own rate as
 * Poisson arrivals, whether or not earlier requests have been answered (open loop, so one slow
 * practice cannot hide its effect by slowing its own senders). Keep-alive HTTP to 127.0.0.1 only.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { OpenLoopInput, OpenLoopReport, PracticeReport } from './open-loop-types.ts';

if (parentPort) {
  const input = workerData as OpenLoopInput;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const start = Date.now();
  const warmUntil = start + input.warmSeconds * 1000;
  const end = start + input.seconds * 1000;
  const practices: PracticeReport[] = input.clinics.map(() => ({ latencies: [], refused: 0, errors: 0, dropped: 0 }));
  let inFlight = 0;
  const pending = new Set<Promise<void>>();

  function fire(i: number): void {
    const clinic = input.clinics[i]!;
    const record = Date.now() >= warmUntil;
    if (inFlight >= input.maxInFlight) {
      if (record) practices[i]!.dropped++;
      return;
    }
    const path = Math.random() < 0.7
      ? `/api/patients/${clinic.patientIds[Math.floor(Math.random() * clinic.patientIds.length)]}`
      : `/api/patients?q=${clinic.searchTerms[Math.floor(Math.random() * clinic.searchTerms.length)]}&limit=20`;
    const t0 = performance.now();
    inFlight++;
    const done = new Promise<void>((resolve) => {
      const finish = (status: number) => {
        inFlight--;
        if (record) {
          const r = practices[i]!;
          if (status >= 200 && status < 300) r.latencies.push(performance.now() - t0);
          else if (status === 429) r.refused++;
          else r.errors++;
        }
        resolve();
      };
      const req = http.get({ host: '127.0.0.1', port: input.port, path, agent, headers: { authorization: `Bearer ${clinic.token}`, 'x-tenant': clinic.slug } }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
        res.on('error', () => finish(0));
      });
      req.on('error', () => finish(0));
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  }

  // One timer chain per practice: exponential gaps at its rate.
  await Promise.all(
    input.rates.map(
      (rate, i) =>
        new Promise<void>((resolve) => {
          const next = () => {
            if (Date.now() >= end) return resolve();
            fire(i);
            setTimeout(next, -Math.log(1 - Math.random()) * (1000 / rate));
          };
          setTimeout(next, Math.random() * (1000 / rate));
        }),
    ),
  );
  await Promise.all([...pending]);
  agent.destroy();
  parentPort.postMessage({ measuredSeconds: input.seconds - input.warmSeconds, practices } satisfies OpenLoopReport);
}
