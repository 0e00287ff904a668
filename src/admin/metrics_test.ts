import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { MetricsRegistry } from "./metrics.ts";
import { metricSeriesMax } from "../limits.ts";

// deno-lint-ignore no-explicit-any
type Parsed = any[];

function parse(text: string): Parsed {
  return parsePrometheusTextFormat(text) as Parsed;
}

Deno.test("counters render with help, type and labels that an independent parser reads back", () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter("minio_s3_requests_total", "Total number of S3 requests");
  requests.inc({ api: "PutObject" });
  requests.inc({ api: "PutObject" });
  requests.inc({ api: "GetObject" }, 3);
  const [family] = parse(registry.render());
  assertEquals(family.name, "minio_s3_requests_total");
  assertEquals(family.help, "Total number of S3 requests");
  assertEquals(family.type, "COUNTER");
  assertEquals(family.metrics, [
    { value: "2", labels: { api: "PutObject" } },
    { value: "3", labels: { api: "GetObject" } },
  ]);
});

Deno.test("label values with quotes, backslashes and newlines survive escaping", () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge("minio_node_drive_free_bytes", "Free bytes");
  const drive = 'C:\\data\n"d1"';
  gauge.set({ drive }, 12345);
  const [family] = parse(registry.render());
  assertEquals(family.metrics, [{ value: "12345", labels: { drive } }]);
});

Deno.test("histograms render cumulative buckets, +Inf, sum and count", () => {
  const registry = new MetricsRegistry();
  const latency = registry.histogram("minio_s3_requests_duration_seconds", "Latency", [0.1, 1]);
  for (const seconds of [0.05, 0.5, 0.7, 3]) latency.observe({}, seconds);
  const [family] = parse(registry.render());
  assertEquals(family.type, "HISTOGRAM");
  assertEquals(family.metrics[0].buckets, { "0.1": "1", "1": "3", "+Inf": "4" });
  assertEquals(family.metrics[0].count, "4");
  assertEquals(Number(family.metrics[0].sum), 0.05 + 0.5 + 0.7 + 3);
});

Deno.test("labelled histograms carry their labels on every bucket, sum and count line", () => {
  // The oracle parser flattens labelled histograms, so these lines are checked as text.
  const registry = new MetricsRegistry();
  const latency = registry.histogram("h_seconds", "Latency", [1]);
  latency.observe({ api: "GetObject" }, 0.5);
  latency.observe({ api: "PutObject" }, 2);
  const lines = registry.render().split("\n");
  for (
    const expected of [
      'h_seconds_bucket{api="GetObject",le="1"} 1',
      'h_seconds_bucket{api="GetObject",le="+Inf"} 1',
      'h_seconds_bucket{api="PutObject",le="1"} 0',
      'h_seconds_bucket{api="PutObject",le="+Inf"} 1',
      'h_seconds_sum{api="PutObject"} 2',
      'h_seconds_count{api="GetObject"} 1',
    ]
  ) assertEquals(lines.includes(expected), true, expected);
});

Deno.test("render(prefixes) keeps only the metrics under those prefixes", () => {
  const registry = new MetricsRegistry();
  registry.gauge("minio_cluster_drive_online_total", "online").set({}, 4);
  registry.gauge("minio_node_drive_total_bytes", "total").set({ drive: "/d1" }, 10);
  const names = parse(registry.render(["minio_cluster_"])).map((family) => family.name);
  assertEquals(names, ["minio_cluster_drive_online_total"]);
});

Deno.test("a metric keeps at most metricSeriesMax series and counts the ones it dropped", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter("aistor_test_total", "test");
  for (let i = 0; i < metricSeriesMax + 5; i++) counter.inc({ id: String(i) });
  assertEquals(counter.droppedSeries, 5);
  assertEquals(parse(registry.render())[0].metrics.length, metricSeriesMax);
});

Deno.test("registering a name twice, a bad name, or decrementing a counter is refused", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter("a_total", "a");
  assertThrows(() => registry.gauge("a_total", "again"), RangeError, "already registered");
  assertThrows(() => registry.counter("bad-name", "x"), RangeError, "not a Prometheus metric name");
  assertThrows(() => counter.inc({}, -1), RangeError, "only grow");
});
