/**
 * GET /metrics: the Prometheus exposition. Kept off the internet (see metrics-access.ts): with
 * HEALTHTRACK_METRICS_TOKEN set it needs `Authorization: Bearer <token>` (401 otherwise); without a
 * token it answers only direct loopback callers and looks absent (404) to everyone else. Not in the
 * OpenAPI document: it is for operators' scrapers, not API clients.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/catalogue.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { metricsAccess } from '../../observability/metrics-access.ts';

export function metricsRoutes(metrics: Metrics, token: string | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const access = metricsAccess(request.headers, request.socket.remoteAddress, token, process.env.HEALTHTRACK_TRUST_PROXY === '1');
      if (access === 'hidden') throw new AppError('route_not_found', `No route ${request.method} /metrics`);
      if (access !== 'allowed') throw new AppError(access);
      const text = await metrics.render();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    });
  };
}
