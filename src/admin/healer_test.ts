import { assertEquals, assertRejects } from "../testing/assert.ts";
import type { AdminLayer, HealResult } from "./admin_layer.ts";
import { HealBusyError, Healer, type HealSummary } from "./healer.ts";
import { MetricsRegistry } from "./metrics.ts";
import { ServerMetrics } from "./server_metrics.ts";

/** A layer whose heals wait for `release()`, recording what was healed. */
function slowLayer() {
  const calls: string[] = [];
  let release = () => {};
  let gate = new Promise<void>((resolve) => release = resolve);
  const layer: AdminLayer = {
    storageInfo: () => Promise.reject(new Error("unused")),
    healBucket: async (bucket, prefix, onProgress) => {
      calls.push(`bucket ${bucket}/${prefix}`);
      await gate;
      const result: HealResult = {
        bucket,
        key: "k",
        versionsChecked: 1,
        shardsHealed: 1,
        drivesHealed: 1,
        state: "healed",
      };
      onProgress(result);
      return { objectsChecked: 1, objectsHealed: 1 };
    },
    // As ServerPools does: format, then every bucket in the same pass, reporting each object.
    healFormat: async (onProgress) => {
      calls.push("format");
      const counts = await layer.healBucket("b", "", onProgress ?? (() => {}));
      return { drivesFormatted: ["/d3"], bucketsHealed: 1, ...counts };
    },
    listBuckets: () => Promise.resolve([{ name: "b", created: new Date(0) }]),
  };
  return {
    layer,
    calls,
    release: () => {
      release();
      gate = new Promise<void>((resolve) => release = resolve);
    },
  };
}

Deno.test("a second heal while one runs is refused with HealBusyError", async () => {
  const { layer, release } = slowLayer();
  const healer = new Healer(layer, new ServerMetrics(new MetricsRegistry()));
  const first = healer.heal("b", "", () => {});
  assertEquals(healer.running, "b/");
  await assertRejects(() => healer.heal("b", "x", () => {}), HealBusyError, "one is running (b/)");
  release();
  assertEquals((await first).objectsHealed, 1);
  assertEquals(healer.running, undefined);
});

Deno.test("drives coming back during a background heal cause one more heal, not one each", async () => {
  const { layer, calls, release } = slowLayer();
  const metrics = new ServerMetrics(new MetricsRegistry());
  const done: [string[], HealSummary | Error][] = [];
  const healer = new Healer(layer, metrics, {
    onBackgroundHeal: (endpoints, result) => done.push([endpoints, result]),
  });
  healer.healAfterReconnect("/d1");
  await new Promise((resolve) => setTimeout(resolve, 10));
  healer.healAfterReconnect("/d2"); // comes back while the first round runs
  healer.healAfterReconnect("/d3");
  release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  await healer.settled();
  assertEquals(calls, ["format", "bucket b/", "format", "bucket b/"]);
  assertEquals(done.map(([endpoints]) => endpoints), [["/d1"], ["/d2", "/d3"]]);
  assertEquals((done[0][1] as HealSummary).drivesFormatted, ["/d3"]);
  assertEquals(metrics.healObjectsHealed.get(), 2);
});

Deno.test("a heal of everything first lets unformatted drives back in, then formats", async () => {
  const { layer, calls, release } = slowLayer();
  const healer = new Healer(layer, new ServerMetrics(new MetricsRegistry()), {
    beforeHealAll: () => Promise.resolve(void calls.push("accept unformatted")),
  });
  const healing = healer.heal("", "", () => {});
  await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  await healing;
  assertEquals(calls.slice(0, 2), ["accept unformatted", "format"]);
});

Deno.test("a heal of everything is one pass of healFormat, each object reported and counted once", async () => {
  const { layer, calls, release } = slowLayer();
  const metrics = new ServerMetrics(new MetricsRegistry());
  const healer = new Healer(layer, metrics);
  const seen: HealResult[] = [];
  const running = healer.heal("", "", (result) => seen.push(result));
  await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  const summary = await running;
  assertEquals(calls, ["format", "bucket b/"]);
  assertEquals(seen.length, 1);
  assertEquals(summary, {
    objectsChecked: 1,
    objectsHealed: 1,
    objectsUnrecoverable: 0,
    drivesFormatted: ["/d3"],
  });
  assertEquals(metrics.healObjectsHealed.get(), 1);
});

Deno.test("healInBackground (drives formatted at start) heals everything once, counted in the metrics", async () => {
  const { layer, calls, release } = slowLayer();
  const metrics = new ServerMetrics(new MetricsRegistry());
  const done: string[][] = [];
  const healer = new Healer(layer, metrics, {
    onBackgroundHeal: (endpoints) => done.push(endpoints),
  });
  healer.healInBackground(["/d3", "/d4"]);
  assertEquals(healer.backgroundRunning, true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  await healer.settled();
  assertEquals(healer.backgroundRunning, false);
  assertEquals(calls, ["format", "bucket b/"]);
  assertEquals(done, [["/d3", "/d4"]]);
  assertEquals(metrics.healObjectsHealed.get(), 1);
});
