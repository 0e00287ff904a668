/**
 * A Prometheus metrics registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4). One instance is created by `cli/serve.ts` and passed
 * to whatever records into it; nothing here is module-level state.
 *
 * Series per metric are bounded (`metricSeriesMax`): label values come from finite sets (API
 * names, drive endpoints), and a bug that made them unbounded must not grow memory forever.
 */
import { metricSeriesMax } from "../limits.ts";

export type Labels = Record<string, string>;

export type MetricKind = "counter" | "gauge" | "histogram";

/** Latency buckets in seconds (upper bounds, `le`), from 1 ms to 10 s: S3 requests span that. */
export const latencyBucketsSeconds: readonly number[] = [
  0.001,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

interface HistogramSeries {
  labels: Labels;
  /** Per-bucket counts (not cumulative), one per bound. */
  bucketCounts: number[];
  sum: number;
  count: number;
}

abstract class Metric {
  /** Series that could not be recorded because the metric already had `metricSeriesMax`. */
  droppedSeries = 0;

  constructor(readonly name: string, readonly help: string, readonly kind: MetricKind) {}

  abstract render(): string[];
}

abstract class ScalarMetric extends Metric {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  protected update(labels: Labels, change: (value: number) => number): void {
    const id = seriesId(labels);
    const existing = this.#series.get(id);
    if (existing) {
      existing.value = change(existing.value);
      return;
    }
    if (this.#series.size >= metricSeriesMax) {
      this.droppedSeries++;
      return;
    }
    this.#series.set(id, { labels: { ...labels }, value: change(0) });
  }

  /** The current value of one series (0 when never recorded). */
  get(labels: Labels = {}): number {
    return this.#series.get(seriesId(labels))?.value ?? 0;
  }

  /** Forget every series (gauges refreshed from a fresh snapshot). */
  reset(): void {
    this.#series.clear();
  }

  render(): string[] {
    return [...this.#series.values()].map((s) =>
      `${this.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`
    );
  }
}

export class Counter extends ScalarMetric {
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }

  inc(labels: Labels = {}, amount = 1): void {
    if (!(amount >= 0)) {
      throw new RangeError(`Cannot add ${amount} to counter ${this.name}: counters only grow`);
    }
    this.update(labels, (value) => value + amount);
  }
}

export class Gauge extends ScalarMetric {
  constructor(name: string, help: string) {
    super(name, help, "gauge");
  }

  set(labels: Labels, value: number): void {
    this.update(labels, () => value);
  }

  add(labels: Labels, amount: number): void {
    this.update(labels, (value) => value + amount);
  }
}

export class Histogram extends Metric {
  readonly #series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, readonly bounds: readonly number[]) {
    super(name, help, "histogram");
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new RangeError(`Cannot use buckets of ${name}: they must increase`);
      }
    }
  }

  observe(labels: Labels, value: number): void {
    const series = this.#seriesFor(labels);
    if (series === undefined) return;
    const index = this.bounds.findIndex((bound) => value <= bound);
    if (index >= 0) series.bucketCounts[index]++;
    series.sum += value;
    series.count++;
  }

  /** Count and sum of one series (zeros when never observed). */
  get(labels: Labels = {}): { count: number; sum: number } {
    const series = this.#series.get(seriesId(labels));
    return { count: series?.count ?? 0, sum: series?.sum ?? 0 };
  }

  #seriesFor(labels: Labels): HistogramSeries | undefined {
    const id = seriesId(labels);
    const existing = this.#series.get(id);
    if (existing) return existing;
    if (this.#series.size >= metricSeriesMax) {
      this.droppedSeries++;
      return undefined;
    }
    const series = {
      labels: { ...labels },
      bucketCounts: this.bounds.map(() => 0),
      sum: 0,
      count: 0,
    };
    this.#series.set(id, series);
    return series;
  }

  render(): string[] {
    const lines: string[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.bucketCounts[i];
        const labels = formatLabels({ ...series.labels, le: formatNumber(bound) });
        lines.push(`${this.name}_bucket${labels} ${cumulative}`);
      });
      lines.push(
        `${this.name}_bucket${formatLabels({ ...series.labels, le: "+Inf" })} ${series.count}`,
      );
      lines.push(`${this.name}_sum${formatLabels(series.labels)} ${formatNumber(series.sum)}`);
      lines.push(`${this.name}_count${formatLabels(series.labels)} ${series.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.#register(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.#register(new Gauge(name, help));
  }

  histogram(
    name: string,
    help: string,
    bounds: readonly number[] = latencyBucketsSeconds,
  ): Histogram {
    return this.#register(new Histogram(name, help, bounds));
  }

  /** The metrics whose name starts with one of `prefixes` (default all), in the text exposition format. */
  render(prefixes: readonly string[] = [""]): string {
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) {
      if (!prefixes.some((prefix) => metric.name.startsWith(prefix))) continue;
      lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`);
      lines.push(`# TYPE ${metric.name} ${metric.kind}`);
      lines.push(...metric.render());
    }
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }

  #register<T extends Metric>(metric: T): T {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) {
      throw new RangeError(`Cannot register metric "${metric.name}": not a Prometheus metric name`);
    }
    if (this.#metrics.has(metric.name)) {
      throw new RangeError(`Cannot register metric "${metric.name}": it is already registered`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

/** The content type Prometheus expects for the text format. */
export const metricsContentType = "text/plain; version=0.0.4; charset=utf-8";

function seriesId(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return "{" + entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",") +
    "}";
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
