import assert from "node:assert/strict";
import { parseTopology, TopologyError } from "./mod.ts";

/** Every row of spec/minio-format.md §2.2's worked results. */
const table: [string, number, number, number][] = [
  ["/mnt/disk{1...4}", 4, 1, 4],
  ["/mnt/disk{1...16}", 16, 1, 16],
  ["/mnt/disk{1...24}", 24, 2, 12],
  ["/mnt/disk{1...27}", 27, 3, 9],
  ["/mnt/disk{1...32}", 32, 2, 16],
  ["/mnt/disk{1...64}", 64, 4, 16],
  ["http://host{1...4}/disk{1...4}", 16, 1, 16],
  ["http://host{1...2}/data{1...180}", 360, 30, 12],
  ["http://host{1...3}/data{1...180}", 540, 36, 15],
  ["http://host{1...2}.rack{1...4}/data{1...180}", 1440, 90, 16],
  ["http://h{1...5}/d{1...4}", 20, 2, 10],
  ["http://h{1...3}/d{1...4}", 12, 1, 12],
  ["/d{1...7}", 7, 1, 7],
];

for (const [arg, drives, sets, size] of table) {
  Deno.test(`parseTopology() makes ${sets} × ${size} of "${arg}"`, () => {
    const { pools } = parseTopology([arg], {});
    assert.equal(pools.length, 1);
    assert.equal(pools[0].drives.length, drives);
    assert.equal(pools[0].setCount, sets);
    assert.equal(pools[0].setDriveCount, size);
  });
}

Deno.test("parseTopology() refuses data{1...17}/export{1...52}: no set size lines up with 17", () => {
  assert.throws(
    () => parseTopology(["data{1...17}/export{1...52}"], {}),
    (e) => e instanceof TopologyError && /884 drives/.test(e.message) && /2, 4, 13/.test(e.message),
  );
});

Deno.test("parseTopology() refuses 17 drives and suggests a usable count", () => {
  assert.throws(
    () => parseTopology(["/d{1...17}"], {}),
    (e) =>
      e instanceof TopologyError &&
      e.message ===
        'Cannot use "/d{1...17}": 17 drives form no erasure set (sets are 2..16 drives and must divide the drive count); use 18 drives, e.g. /d{1...18}',
  );
});

Deno.test("parseTopology() refuses a one-drive range: too few for a set", () => {
  assert.throws(() => parseTopology(["/d{1...1}"], {}), /too few/);
});

Deno.test("parseTopology() makes each ranged argument a pool, in order", () => {
  const { pools } = parseTopology(["/a{1...4}", "/b{1...8}"], {});
  assert.deepEqual(pools.map((p) => [p.drives[0], p.setCount, p.setDriveCount]), [
    ["/a1", 1, 4],
    ["/b1", 1, 8],
  ]);
});

Deno.test("parseTopology() takes plain arguments as one legacy pool", () => {
  const { pools } = parseTopology(["/a", "/b", "/c", "/d"], {});
  assert.deepEqual(pools, [{ drives: ["/a", "/b", "/c", "/d"], setDriveCount: 4, setCount: 1 }]);
  const many = parseTopology(Array.from({ length: 32 }, (_, i) => `/x${i}`), {}).pools[0];
  assert.deepEqual([many.setCount, many.setDriveCount], [2, 16]);
});

Deno.test("parseTopology() makes a single drive a set of one with parity 0", () => {
  const topology = parseTopology(["/data"], {});
  assert.deepEqual(topology, {
    pools: [{ drives: ["/data"], setDriveCount: 1, setCount: 1 }],
    standardParity: 0,
    rrsParity: 0,
  });
});

Deno.test("parseTopology() refuses mixing ranged and plain arguments", () => {
  assert.throws(() => parseTopology(["/a{1...4}", "/b"], {}), /needs ranges/);
});

Deno.test("parseTopology() refuses duplicate drives, also across pools", () => {
  assert.throws(() => parseTopology(["/a", "/b", "/a", "/c"], {}), /twice/);
  assert.throws(() => parseTopology(["/a{1...4}", "/a{3...6}"], {}), /"\/a3" twice/);
  assert.throws(() => parseTopology(["/a/", "/a", "/b", "/c"], {}), /twice/);
});

Deno.test("parseTopology() honours MINIO_ERASURE_SET_DRIVE_COUNT when it divides the drives", () => {
  const { pools } = parseTopology(["/d{1...16}"], { setDriveCount: "8" });
  assert.deepEqual([pools[0].setCount, pools[0].setDriveCount], [2, 8]);
  assert.throws(
    () => parseTopology(["/d{1...16}"], { setDriveCount: "6" }),
    /MINIO_ERASURE_SET_DRIVE_COUNT=6.*2, 4, 8, 16/,
  );
  assert.throws(() => parseTopology(["/d{1...16}"], { setDriveCount: "x" }), TopologyError);
  assert.throws(() => parseTopology(["/d{1...4}"], { setDriveCount: "8" }), /too few/);
});

Deno.test("parseTopology() uses default parity of the first pool's set size", () => {
  const cases: [string, number][] = [
    ["/d{1...2}", 1],
    ["/d{1...3}", 1],
    ["/d{1...4}", 2],
    ["/d{1...5}", 2],
    ["/d{1...6}", 3],
    ["/d{1...7}", 3],
    ["/d{1...8}", 4],
    ["/d{1...16}", 4],
  ];
  for (const [arg, parity] of cases) {
    const topology = parseTopology([arg], {});
    assert.equal(topology.standardParity, parity, arg);
    assert.equal(topology.rrsParity, 1, arg);
  }
});

Deno.test("parseTopology() reads EC:N storage classes and refuses impossible ones", () => {
  const topology = parseTopology(["/d{1...16}"], { standard: "EC:6", rrs: "EC:2" });
  assert.deepEqual([topology.standardParity, topology.rrsParity], [6, 2]);
  assert.throws(() => parseTopology(["/d{1...16}"], { standard: "EC:9" }), /at most EC:8/);
  assert.throws(() => parseTopology(["/d{1...16}"], { standard: "6" }), /EC:<parity drives>/);
  assert.throws(() => parseTopology(["/d{1...16}"], { standard: "RS:6" }), TopologyError);
  assert.throws(
    () => parseTopology(["/d{1...16}"], { standard: "EC:2", rrs: "EC:3" }),
    /must not exceed the standard parity/,
  );
  assert.throws(
    () => parseTopology(["/a{1...16}", "/b{1...4}"], { standard: "EC:4" }),
    /at most EC:2/,
  );
});

Deno.test("parseTopology() refuses an empty command line", () => {
  assert.throws(() => parseTopology([], {}), TopologyError);
});
