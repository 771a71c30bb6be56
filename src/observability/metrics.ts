/**
 * The Prometheus metrics of one server: HTTP traffic, database statements and pool, background
 * jobs, and bounded per-practice attribution (see tenant-top-k.ts). Each server has its own
 * registry (never prom-client's global one), so two apps in one process never mix their numbers.
 *
 * Recording is cheap: the hot-path families (hot-path-metrics.ts) keep one cell per label
 * combination, so a request costs a string key, a Map lookup and a few field updates. Anything that needs the database (queue depth) runs at scrape time,
 * cached, so scrapes cannot hammer the database either.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database, PoolStats } from '../db/database.ts';
import { onStatement } from '../db/timed-database.ts';
import { queueDepth, type QueueDepthRow } from '../jobs/queue-depth.ts';
import { onJobRun } from './job-events.ts';
import { TopTenants } from './tenant-top-k.ts';
import { HotCounter, HotHistogram, type CounterCell, type HistogramCell } from './hot-path-metrics.ts';
import { joinClusterMetrics } from './cluster-metrics.ts';

/** Label value for requests that matched no route (their raw URL is never a label). */
export const UNMATCHED_ROUTE = 'unmatched';
/** Label value of `tier` and `plan` for requests not made in a practice's staff API. */
export const NO_TENANT = 'none';

export interface MetricsOptions {
  readonly db: Database;
  /** Practices with their own `healthtrack_tenant_requests_total` series. */
  readonly topTenants: number;
  readonly topTenantsWindowMs: number;
  /** How long a queue-depth reading is reused (default 5 s). */
  readonly queueDepthCacheMs?: number;
}

/** One finished HTTP request, as the metrics see it: no URL, no tenant name, nothing from the body. */
export interface RequestSample {
  readonly method: string;
  /** The route template (`/api/patients/:id`), or UNMATCHED_ROUTE. */
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
  readonly tier: string;
  readonly plan: string;
  readonly tenantId: string | null;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

interface RequestCells {
  readonly requests: CounterCell;
  readonly duration: HistogramCell;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: HotCounter;
  private readonly duration: HotHistogram;
  private readonly cells = new Map<string, RequestCells>();
  private readonly tenants: TopTenants;
  private readonly unsubscribe: (() => void)[] = [];
  private depth: { at: number; rows: Promise<QueueDepthRow[]> } | undefined;

  constructor(private readonly options: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.requests = new HotCounter(
      'healthtrack_http_requests_total',
      'HTTP requests by method, route template, status class, and the practice tier and plan (none outside the staff API)',
      this.registry,
    );
    this.duration = new HotHistogram(
      'healthtrack_http_request_duration_seconds',
      'HTTP request duration (until the response is sent) by method, route template and status class',
      this.registry,
      HTTP_BUCKETS,
    );
    const tenantRequests = new HotCounter(
      'healthtrack_tenant_requests_total',
      'HTTP requests attributed to a practice: the busiest practices of the recent window by id, all others as tenant="other"',
      this.registry,
    );
    this.tenants = new TopTenants(tenantRequests, options.topTenants, options.topTenantsWindowMs);
    // Re-ranking happens when a scrape reads the family, never on a request's path.
    tenantRequests.collect = () => this.tenants.maybeRerank();

    const statements = new HotHistogram(
      'healthtrack_db_statement_duration_seconds',
      'Runtime database statement (or statement batch) duration, failures included',
      this.registry,
      DB_BUCKETS,
    );
    const allStatements = statements.cell('', {});
    const failures = new Counter({ name: 'healthtrack_db_statement_failures_total', help: 'Runtime database statements that failed', registers });
    this.unsubscribe.push(
      onStatement((ms, failed) => {
        statements.observe(allStatements, ms / 1000);
        if (failed) failures.inc();
      }),
    );
    const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const stats = options.db.poolStats?.();
          if (stats) this.set(pick(stats));
        },
      });
    pool('healthtrack_db_pool_connections', 'Open runtime pool connections (PGlite: its single connection)', (s) => s.total);
    pool('healthtrack_db_pool_idle_connections', 'Idle runtime pool connections', (s) => s.idle);
    pool('healthtrack_db_pool_waiting_clients', 'Callers waiting for a runtime pool connection', (s) => s.waiting);

    this.registerJobMetrics(registers);
    joinClusterMetrics(this.registry);
  }

  private registerJobMetrics(registers: Registry[]): void {
    const runs = new Counter({
      name: 'healthtrack_job_runs_total',
      help: 'Finished job runs by kind and outcome (done, retry = failed and queued again, failed = attempts used up)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    const runSeconds = new Histogram({
      name: 'healthtrack_job_run_duration_seconds',
      help: 'Job run duration (handler and bookkeeping) by kind',
      labelNames: ['kind'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.unsubscribe.push(
      onJobRun((kind, outcome, ms) => {
        runs.inc({ kind, outcome });
        runSeconds.observe({ kind }, ms / 1000);
      }),
    );
    const depth = () => this.queueDepth();
    new Gauge({
      name: 'healthtrack_job_queue_depth',
      help: 'Open jobs by kind and status (queued or running), read at scrape time and cached a few seconds',
      labelNames: ['kind', 'status'],
      registers,
      // Every worker reads the same table: in cluster mode the primary keeps one reading, not the sum.
      aggregator: 'max',
      async collect() {
        const rows = await depth();
        this.reset();
        for (const row of rows) this.set({ kind: row.kind, status: row.status }, row.jobs);
      },
    });
    new Gauge({
      name: 'healthtrack_job_queue_due',
      help: 'Queued jobs whose run time has come (the backlog), by kind',
      labelNames: ['kind'],
      registers,
      aggregator: 'max',
      async collect() {
        const rows = await depth();
        this.reset();
        for (const row of rows) if (row.status === 'queued') this.set({ kind: row.kind }, row.due);
      },
    });
  }

  /** The open jobs, read at most once per cache period however often Prometheus scrapes. */
  private queueDepth(): Promise<QueueDepthRow[]> {
    const now = Date.now();
    if (!this.depth || now - this.depth.at >= (this.options.queueDepthCacheMs ?? 5000)) {
      // A failed read reports no rows (the gauges go empty) rather than failing the whole scrape.
      this.depth = { at: now, rows: queueDepth(this.options.db).catch(() => []) };
    }
    return this.depth.rows;
  }

  /** Records one finished request. */
  recordRequest(s: RequestSample): void {
    const cls = STATUS_CLASSES[Math.floor(s.status / 100) - 1] ?? '5xx';
    const key = `${s.method} ${s.route} ${cls} ${s.tier} ${s.plan}`;
    let cells = this.cells.get(key);
    if (!cells) {
      cells = {
        requests: this.requests.cell(key, { method: s.method, route: s.route, status_class: cls, tier: s.tier, plan: s.plan }),
        duration: this.duration.cell(`${s.method} ${s.route} ${cls}`, { method: s.method, route: s.route, status_class: cls }),
      };
      this.cells.set(key, cells);
    }
    cells.requests.value += 1;
    this.duration.observe(cells.duration, s.seconds);
    if (s.tenantId !== null) this.tenants.record(s.tenantId);
  }

  /** The exposition text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops observing statements and jobs (the listeners are process-wide). */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** For tests: the tenant attribution, to drive it with many practices without HTTP. */
  get tenantAttribution(): TopTenants {
    return this.tenants;
  }
}
