/**
 * Counter and histogram families for the per-request and per-statement hot path. prom-client's
 * own classes hash the label object on every increment (about 2 µs a call, measured); here the
 * caller keeps the cell of a label combination and an increment is a field update. The families
 * hand prom-client's registry the same shape its metrics return from `get()`, so the exposition,
 * the text format and cluster aggregation (summed by AggregatorRegistry) are prom-client's.
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

interface Value {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

export interface CounterCell {
  readonly labels: Labels;
  value: number;
}

export interface HistogramCell {
  readonly labels: Labels;
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

abstract class Family<C> {
  readonly aggregator = 'sum';
  protected readonly cells = new Map<string, C>();
  /** Runs before each read (scrape or cluster aggregation), like prom-client's `collect`. */
  collect: (() => void) | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** Stops exposing one label combination (its series ends). */
  remove(key: string): void {
    this.cells.delete(key);
  }

  abstract get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }>;
}

export class HotCounter extends Family<CounterCell> {
  readonly type = 'counter';

  /** The cell of one label combination; `key` must identify `labels`. Keep it and add to `value`. */
  cell(key: string, labels: Labels): CounterCell {
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, (c = { labels, value: 0 }));
    return c;
  }

  async get() {
    this.collect?.();
    const values = [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class HotHistogram extends Family<HistogramCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, registry);
  }

  cell(key: string, labels: Labels): HistogramCell {
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, (c = { labels, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }));
    return c;
  }

  observe(cell: HistogramCell, value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    cell.counts[i]! += 1;
    cell.sum += value;
    cell.count += 1;
  }

  async get() {
    this.collect?.();
    const values: Value[] = [];
    for (const c of this.cells.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += c.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...c.labels, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: c.labels, value: c.sum });
      values.push({ metricName: `${this.name}_count`, labels: c.labels, value: c.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
