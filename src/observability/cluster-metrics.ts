/**
 * Cluster mode: workers share the listening port, so a scrape of /metrics reaches one worker at
 * random. Instead the primary serves the sum of every worker's registry on its own port
 * (HEALTHTRACK_METRICS_PORT), gathered over the cluster IPC channel by prom-client's
 * AggregatorRegistry; counters and histograms add up, gauges follow their `aggregator` setting.
 */
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { metricsAccess } from './metrics-access.ts';

/** In a worker: answer the primary's metric requests from `registry`. */
export function joinClusterMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's IPC listener in this worker.
  new AggregatorRegistry();
}

/** In the primary: serves the workers' summed metrics at `http://host:port/metrics`. */
export async function serveClusterMetrics(port: number, host: string, token: string | undefined): Promise<Server> {
  const aggregator = new AggregatorRegistry();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const access = metricsAccess(req.headers, req.socket.remoteAddress, token);
    if (req.method !== 'GET' || path !== '/metrics' || access === 'hidden') return void res.writeHead(404).end();
    if (access !== 'allowed') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    aggregator.clusterMetrics().then(
      (text) => res.writeHead(200, { 'content-type': aggregator.contentType, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err instanceof Error ? err.message : 'error'}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return server;
}
