import assert from "node:assert/strict";
import { walkStatConcurrency, walkXlMetaReadAhead } from "../limits.ts";
import type { WalkEntry } from "./storage_drive.ts";
import { type WalkSource, walkVolume } from "./walk.ts";

/**
 * A volume of `objects` objects `k-0000...` and `prefixes` prefixes `p-0000/` (each holding one
 * object), served with a delay per call so that calls in flight can be counted.
 */
function countingSource(
  objects: number,
  prefixes: number,
  options: { failReads?: boolean; suffixes?: string[] } = {},
) {
  const stats = { inFlight: 0, maxStats: 0, maxReads: 0, reads: 0, statInFlight: 0, stats: 0 };
  const keys = Array.from({ length: objects }, (_, i) => `k-${String(i).padStart(4, "0")}`);
  const names = [
    ...keys,
    ...(options.suffixes ?? []).flatMap((suffix) => keys.map((key) => key + suffix)),
    ...Array.from({ length: prefixes }, (_, i) => `p-${String(i).padStart(4, "0")}`),
  ];
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
  const source: WalkSource = {
    list: (dir) => {
      if (dir === "") {
        return Promise.resolve(names.map((name) => ({ name, isDirectory: true })));
      }
      if (dir.startsWith("p-") && !dir.includes("/")) {
        return Promise.resolve([{ name: "inner", isDirectory: true }]);
      }
      return Promise.resolve([{ name: "xl.meta", isDirectory: false }]);
    },
    hasXlMeta: async (dir) => {
      stats.statInFlight++;
      stats.stats++;
      stats.maxStats = Math.max(stats.maxStats, stats.statInFlight);
      await tick();
      stats.statInFlight--;
      return dir.startsWith("k-") || dir.endsWith("/inner");
    },
    readXlMeta: async (dir) => {
      stats.inFlight++;
      stats.reads++;
      stats.maxReads = Math.max(stats.maxReads, stats.inFlight);
      await tick();
      stats.inFlight--;
      if (options.failReads) throw new Error(`read of ${dir} failed`);
      const isObject = dir.startsWith("k-") || dir.endsWith("/inner");
      return isObject ? new TextEncoder().encode(dir) : undefined;
    },
  };
  return { source, stats };
}

async function names(iterable: AsyncIterable<WalkEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of iterable) out.push(entry.name);
  return out;
}

Deno.test("walk() reads each object's xl.meta once and stats nothing when names cannot be confused", async () => {
  const { source, stats } = countingSource(100, 3);
  const listed = await names(walkVolume(source, "bucket", { prefix: "", recursive: true }));
  assert.equal(listed.length, 103);
  assert.equal(stats.stats, 0);
  assert.equal(stats.reads, 100 + 3 + 3, "one read per object, one failed read per prefix");
});

Deno.test("walk() stats names whose order depends on being an object, at most walkStatConcurrency at once", async () => {
  const { source, stats } = countingSource(40, 0, { suffixes: ["-x", ".y"] });
  const listed = await names(walkVolume(source, "bucket", { prefix: "", recursive: true }));
  assert.equal(listed.length, 120);
  assert.equal(stats.stats, 40);
  assert.equal(stats.maxStats, walkStatConcurrency);
  assert.deepEqual(listed.slice(0, 3), ["k-0000", "k-0000-x", "k-0000.y"]);
});

Deno.test("walk() reads objects' xl.meta ahead in parallel, at most walkXlMetaReadAhead at once", async () => {
  const { source, stats } = countingSource(100, 0);
  const entries: WalkEntry[] = [];
  for await (const entry of walkVolume(source, "bucket", { prefix: "", recursive: true })) {
    entries.push(entry);
  }
  assert.ok(stats.maxReads > 1, `reads were one at a time (${stats.maxReads})`);
  assert.ok(stats.maxReads <= walkXlMetaReadAhead);
  for (const entry of entries) {
    assert.equal(entry.kind === "object" && new TextDecoder().decode(entry.xlMeta), entry.name);
  }
});

Deno.test("walk() keeps lexical order with objects and prefixes mixed, recursive and not", async () => {
  const { source } = countingSource(3, 2);
  assert.deepEqual(await names(walkVolume(source, "b", { prefix: "", recursive: true })), [
    "k-0000",
    "k-0001",
    "k-0002",
    "p-0000/inner",
    "p-0001/inner",
  ]);
  assert.deepEqual(
    await names(walkVolume(source, "b", { prefix: "", recursive: false, after: "k-0000" })),
    ["k-0001", "k-0002", "p-0000/", "p-0001/"],
  );
  assert.deepEqual(
    await names(walkVolume(source, "b", { prefix: "", recursive: true, after: "p-0000/" })),
    ["p-0000/inner", "p-0001/inner"],
  );
});

Deno.test("a walk stopped early reads at most walkXlMetaReadAhead more and leaves no unhandled failure", async () => {
  const { source, stats } = countingSource(200, 0, { failReads: true });
  const walk = walkVolume(source, "bucket", { prefix: "", recursive: true });
  await assert.rejects(walk.next(), /read of k-0000 failed/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(stats.reads <= walkXlMetaReadAhead, `${stats.reads} reads`);
});
