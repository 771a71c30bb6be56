/**
 * Load worker: `connections` closed loops of GET requests (no think time) over keep-alive HTTP to
 * 127.0.0.1, cycling through `paths`, for `seconds`. Posts one `HammerReport`.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { HammerInput, HammerReport } from './hammer-types.ts';

export type { HammerInput, HammerReport } from './hammer-types.ts';

if (parentPort) {
  const input = workerData as HammerInput;
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.connections });
  const end = Date.now() + input.seconds * 1000;
  const report: HammerReport = { ok: 0, failed: 0, latencies: [], failures: {} };

  const get = (path: string) =>
    new Promise<{ status: number; code: string }>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: input.port, path, agent, headers: input.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let code = '';
          if ((res.statusCode ?? 0) >= 400) {
            try {
              code = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code ?? '');
            } catch {
              code = '';
            }
          }
          resolve({ status: res.statusCode ?? 0, code });
        });
        res.on('error', () => resolve({ status: 0, code: 'network' }));
      });
      req.on('error', () => resolve({ status: 0, code: 'network' }));
    });

  const loop = async (k: number) => {
    let i = k;
    while (Date.now() < end) {
      const t0 = performance.now();
      const res = await get(input.paths[i++ % input.paths.length]!);
      if (res.status >= 200 && res.status < 300) {
        report.ok++;
        report.latencies.push(performance.now() - t0);
      } else {
        report.failed++;
        const key = `${res.status} ${res.code}`.trim();
        report.failures[key] = (report.failures[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: input.connections }, (_, k) => loop(k)));
  agent.destroy();
  parentPort.postMessage(report);
}
