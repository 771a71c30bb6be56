/**
 * Monitoring for every route: Prometheus metrics (served at /metrics), request log lines that name
 * the practice and route template, and OpenTelemetry spans when tracing is configured. Registered
 * once at the root (fastify-plugin), after the hook that opens each request's work scope.
 *
 * Labels, log fields and span attributes are built from the route template, the status and the
 * practice id only: never the URL, the query string, a body or a header value (no PHI, no tokens).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Span } from '@opentelemetry/api';
import type { Services } from '../../services.ts';
import { Metrics, NO_TENANT, UNMATCHED_ROUTE } from '../../observability/metrics.ts';
import type { Tracing } from '../../observability/tracing.ts';
import { metricsRoutes } from '../routes/metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This server's metrics (tests read them directly). */
    metrics: Metrics;
  }
}

/** The practice a request was for: the staff pipeline's, else whatever the work touched first. */
function tenantOf(request: FastifyRequest): string | null {
  return request.tenantRecord?.id ?? request.workScope?.tenantId ?? null;
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Pino's per-request logger: fields added here appear on every later line of the request. */
interface Bindable {
  setBindings(bindings: Record<string, unknown>): void;
}

/** Log lines name the practice once it is known, each request at most once. */
function logBinder(app: FastifyInstance) {
  const bound = new WeakSet<FastifyRequest>();
  // With logging off (logger: false) the request logger has no bindings to set.
  const enabled = typeof (app.log as { setBindings?: unknown }).setBindings === 'function';
  return (request: FastifyRequest, extra?: Record<string, unknown>) => {
    if (!enabled) return;
    const tenant = bound.has(request) ? null : tenantOf(request);
    if (tenant) bound.add(request);
    if (tenant || extra) (request.log as unknown as Bindable).setBindings({ ...(tenant ? { tenant } : {}), ...extra });
  };
}

async function observability(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const config = services.config.monitoring;
  const metrics = new Metrics({ db: services.db, topTenants: config.topTenants, topTenantsWindowMs: config.topTenantsWindowMs });
  app.decorate('metrics', metrics);
  const tracing: Tracing | null = config.tracesUrl
    ? await (await import('../../observability/tracing.ts')).Tracing.start(config.tracesUrl, services.db.kind)
    : null;
  app.addHook('onClose', async () => {
    metrics.close();
    await tracing?.shutdown();
  });

  const bindLog = logBinder(app);
  // After every onRequest hook (the staff pipeline resolves the practice there), before validation:
  // anything the handler logs carries the practice.
  app.addHook('preValidation', (request, _reply, done) => {
    bindLog(request);
    done();
  });

  const spans = tracing ? new WeakMap<FastifyRequest, Span>() : null;
  if (tracing && spans) {
    app.addHook('onRequest', (request, _reply, done) => {
      const traceparent = request.headers.traceparent;
      spans.set(request, tracing.startRequest(request.workScope, request.method, routeOf(request), typeof traceparent === 'string' ? traceparent : undefined));
      done();
    });
  }

  // Runs before Fastify writes its "request completed" line, so that line gets the fields too.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const tenantId = tenantOf(request);
    const record = request.tenantRecord;
    metrics.recordRequest({
      method: request.method,
      route,
      status,
      seconds: reply.elapsedTime / 1000,
      tier: record?.tier ?? NO_TENANT,
      plan: record?.plan ?? NO_TENANT,
      tenantId,
    });
    bindLog(request, { route });
    const span = spans?.get(request);
    if (span) tracing!.endRequest(span, { route, status, tenantId });
    done();
  });

  await app.register(metricsRoutes(metrics, config.metricsToken));
}

/** The monitoring plugin; `app.register(observabilityPlugin, { services })` once, at the root. */
export const observabilityPlugin = fp(observability, { name: 'healthtrack-observability' });
