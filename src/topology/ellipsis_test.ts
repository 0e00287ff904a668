import assert from "node:assert/strict";
import { expandPattern, findPatterns } from "./ellipsis.ts";
import { TopologyError } from "./topology_error.ts";

Deno.test("expandPattern() expands /mnt/disk{1...16} to disk1..disk16", () => {
  assert.deepEqual(
    expandPattern("/mnt/disk{1...16}"),
    Array.from({ length: 16 }, (_, i) => `/mnt/disk${i + 1}`),
  );
});

Deno.test("expandPattern() varies the leftmost range fastest (host{1...4}/disk{1...4})", () => {
  const drives = expandPattern("http://host{1...4}/disk{1...4}");
  assert.equal(drives.length, 16);
  assert.deepEqual(drives.slice(0, 5), [
    "http://host1/disk1",
    "http://host2/disk1",
    "http://host3/disk1",
    "http://host4/disk1",
    "http://host1/disk2",
  ]);
  assert.equal(drives[15], "http://host4/disk4");
});

Deno.test("expandPattern() pads to the width of the end when a bound starts with 0", () => {
  assert.deepEqual(expandPattern("/d{01...12}").slice(0, 3), ["/d01", "/d02", "/d03"]);
  assert.equal(expandPattern("/d{01...12}")[11], "/d12");
  assert.deepEqual(expandPattern("/d{1...010}").slice(0, 2), ["/d001", "/d002"]);
  assert.deepEqual(expandPattern("/d{0...3}"), ["/d0", "/d1", "/d2", "/d3"]);
});

Deno.test("expandPattern() reads non-decimal bounds as hexadecimal and writes lowercase hex", () => {
  assert.deepEqual(expandPattern("/d{a...f}"), ["/da", "/db", "/dc", "/dd", "/de", "/df"]);
  assert.deepEqual(expandPattern("/d{9...b}"), ["/d9", "/da", "/db"]);
  assert.deepEqual(expandPattern("/d{00...0f}").slice(14), ["/d0e", "/d0f"]);
});

Deno.test("expandPattern() keeps text between and around ranges", () => {
  assert.deepEqual(expandPattern("a{1...2}b{3...4}c"), ["a1b3c", "a2b3c", "a1b4c", "a2b4c"]);
  const patterns = findPatterns("a{1...2}b{3...4}c");
  assert.deepEqual(patterns.map((p) => [p.prefix, p.suffix]), [["", "c"], ["a", "b"]]);
});

Deno.test("expandPattern() refuses stray braces, reversed ranges and non-numbers", () => {
  for (
    const bad of [
      "/d{1...4",
      "/d{1...4}}",
      "/d{{1...4}",
      "/d{1...4}/{x",
      "/d{4...1}",
      "/d{1...zz}",
      "/d{...4}",
      "/d",
    ]
  ) {
    assert.throws(() => expandPattern(bad), TopologyError, bad);
  }
  assert.throws(() => expandPattern("/d{4...1}"), /starts after it ends/);
});

Deno.test("expandPattern() refuses ranges larger than a pool may be", () => {
  assert.throws(() => expandPattern("/d{1...99999999}"), /more than/);
  assert.throws(() => expandPattern("/a{1...1000}/b{1...1000}"), /more than/);
});
