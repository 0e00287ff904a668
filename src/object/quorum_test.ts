import assert from "node:assert/strict";
import { ObjectError } from "./object_layer.ts";
import {
  deleteQuorum,
  metadataMergeQuorum,
  parityForNewObject,
  readQuorum,
  writeQuorum,
} from "./quorum.ts";

Deno.test("quorums follow spec §2.4's examples (N=4,5,6,8,12,16 with default parity)", () => {
  const examples: [number, number, number, number][] = [
    // N, parity, write, read
    [4, 2, 3, 2],
    [5, 2, 3, 3],
    [6, 3, 4, 3],
    [8, 4, 5, 4],
    [12, 4, 8, 8],
    [16, 4, 12, 12],
  ];
  for (const [n, p, write, read] of examples) {
    assert.equal(writeQuorum(n - p, p), write, `write quorum N=${n}`);
    assert.equal(readQuorum(n - p), read, `read quorum N=${n}`);
  }
  assert.equal(deleteQuorum(4), 3);
  assert.equal(deleteQuorum(5), 3);
  assert.equal(metadataMergeQuorum(5), 3);
  assert.equal(metadataMergeQuorum(4), 2);
});

Deno.test("parity is raised by offline drives up to N/2, and half the drives offline refuses the write", () => {
  assert.deepEqual(parityForNewObject({ driveCount: 16, classParity: 4, offlineCount: 0 }), {
    parityShards: 4,
  });
  assert.deepEqual(parityForNewObject({ driveCount: 16, classParity: 4, offlineCount: 3 }), {
    parityShards: 7,
    upgradedFrom: 4,
  });
  assert.deepEqual(parityForNewObject({ driveCount: 16, classParity: 4, offlineCount: 7 }), {
    parityShards: 8,
    upgradedFrom: 4,
  });
  assert.throws(
    () => parityForNewObject({ driveCount: 16, classParity: 4, offlineCount: 8 }),
    (e: unknown) => e instanceof ObjectError && e.code === "WriteQuorum",
  );
  assert.throws(() => parityForNewObject({ driveCount: 5, classParity: 2, offlineCount: 3 }));
  assert.deepEqual(parityForNewObject({ driveCount: 1, classParity: 0, offlineCount: 0 }), {
    parityShards: 0,
  });
});
