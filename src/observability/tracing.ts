/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured. The SDK is imported only when
 * tracing starts, so a server without it loads and runs none of it (no hooks, no listeners).
 *
 * Spans: one server span per HTTP request (method, route template, status, practice id), one
 * consumer span per background job run (kind, outcome, practice id), and a child span per database
 * statement of either. Statement spans are made after the fact from the timed database's report
 * (start = end − duration) and parented through the work scope of the request or job, so no
 * context manager is installed and nothing global is touched. None carries SQL text, URLs, query
 * strings, bodies or job payloads: no PHI leaves the process.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, isSpanContextValid, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { onStatement } from '../db/timed-database.ts';
import { onJobRun, onJobStart, type JobOutcome } from './job-events.ts';
import { currentScope, type WorkScope } from './work-scope.ts';

export const SERVICE_NAME = 'healthtrack';

const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** The remote parent named by a W3C `traceparent` header, or the root context when absent or malformed. */
export function parentFromTraceparent(header: string | undefined): Context {
  const m = header ? TRACEPARENT_RE.exec(header.trim()) : null;
  // Version ff is forbidden; version 00 has exactly four fields (later versions may append some).
  if (!m || m[1] === 'ff' || (m[1] === '00' && header!.trim().length !== 55)) return ROOT_CONTEXT;
  const spanContext = { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

export interface RequestSpanEnd {
  readonly route: string;
  readonly status: number;
  readonly tenantId: string | null;
}

export class Tracing {
  /** The open span of each request or job run in progress, by its work scope. */
  private readonly scopeSpans = new WeakMap<WorkScope, Span>();
  private readonly stopListening: (() => void)[];

  private constructor(
    private readonly tracer: Tracer,
    private readonly provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> },
    private readonly dbSystem: string,
  ) {
    this.stopListening = [
      onStatement((ms, failed) => this.statementSpan(ms, failed)),
      onJobStart((kind, scope) => this.startJob(scope, kind)),
      onJobRun((_kind, outcome, _ms, scope) => this.endJob(scope, outcome)),
    ];
  }

  /** Loads the SDK and starts exporting to `url` (OTLP over HTTP, JSON). */
  static async start(url: string, databaseKind: string): Promise<Tracing> {
    const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    return new Tracing(provider.getTracer(SERVICE_NAME), provider, databaseKind === 'postgres' ? 'postgresql' : 'pglite');
  }

  /** Opens the server span of a request, child of the caller's trace when it sent `traceparent`. */
  startRequest(scope: WorkScope, method: string, route: string, traceparent: string | undefined): Span {
    const span = this.tracer.startSpan(
      `${method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
      parentFromTraceparent(traceparent),
    );
    this.scopeSpans.set(scope, span);
    return span;
  }

  /** A job run is a trace of its own: jobs are picked from the queue, not called by a request. */
  private startJob(scope: WorkScope, kind: string): void {
    const attributes: Record<string, string> = { 'healthtrack.job.kind': kind };
    if (scope.tenantId) attributes['healthtrack.tenant.id'] = scope.tenantId;
    this.scopeSpans.set(scope, this.tracer.startSpan(`job ${kind}`, { kind: SpanKind.CONSUMER, attributes }, ROOT_CONTEXT));
  }

  private endJob(scope: WorkScope, outcome: JobOutcome): void {
    const span = this.scopeSpans.get(scope);
    if (!span) return;
    this.scopeSpans.delete(scope);
    span.setAttribute('healthtrack.job.outcome', outcome);
    if (outcome !== 'done') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** Closes the server span with what the response turned out to be. */
  endRequest(span: Span, end: RequestSpanEnd): void {
    span.setAttribute('http.response.status_code', end.status);
    if (end.tenantId) span.setAttribute('healthtrack.tenant.id', end.tenantId);
    if (end.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  private statementSpan(ms: number, failed: boolean): void {
    const scope = currentScope();
    const parent = scope && this.scopeSpans.get(scope);
    if (!parent) return;
    const endTime = performance.timeOrigin + performance.now();
    const span = this.tracer.startSpan(
      'db.statement',
      { kind: SpanKind.CLIENT, startTime: endTime - ms, attributes: { 'db.system.name': this.dbSystem } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(endTime);
  }

  /** Sends the spans still buffered. */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Stops observing statements and flushes; call on server close. */
  async shutdown(): Promise<void> {
    for (const stop of this.stopListening) stop();
    await this.provider.shutdown();
  }
}
