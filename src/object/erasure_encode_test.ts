import assert from "node:assert/strict";
import { encodeFramedBlock, ErasureWorkspacePool, ReedSolomon } from "../kernels/mod.ts";
import { encodeToSinks, InlineSink, readBlocksInto } from "./erasure_encode.ts";
import { bodyOf, sameBytes, seededBytes, seededRandom } from "./_support_test.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`erasure_encode_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

Deno.test("readBlocksInto() cuts any chunking into whole blocks and one short tail", async () => {
  const random = seededRandom(seed);
  const targets = [new Uint8Array(1024), new Uint8Array(1024)];
  let handedOut = 0;
  for (
    const [length, chunkMax] of [[0, 10], [1, 1], [1000, 7], [4096, 5000], [10_000, 3000], [
      12_345,
      100_000,
    ]]
  ) {
    const bytes = seededBytes(random, length);
    const blocks: Uint8Array[] = [];
    handedOut = 0;
    const next = () => targets[handedOut++ % 2];
    for await (const block of readBlocksInto(bodyOf(bytes, random, chunkMax), next)) {
      assert.equal(block.buffer, targets[(handedOut - 1) % 2].buffer, "a view of its target");
      blocks.push(block.slice());
    }
    assert.equal(handedOut, blocks.length, "one target per block, none for an empty body");
    assert.equal(
      blocks.length,
      Math.ceil(length / 1024),
      `${length} bytes in chunks up to ${chunkMax}`,
    );
    blocks.slice(0, -1).forEach((block) => assert.equal(block.length, 1024));
    const joined = new Uint8Array(length);
    blocks.forEach((block, i) => joined.set(block, i * 1024));
    assert.ok(sameBytes(joined, bytes));
  }
});

/** Plain buffers, or (a body declared at least `workspaceMinBytes` long) wasm workspaces. */
const encoders = [
  { name: "plain buffers", declared: (_: number) => -1 },
  { name: "wasm workspaces", declared: (length: number) => length },
];

function encodeOptions(
  sinks: { write(frame: Uint8Array): Promise<void> }[],
  declaredSizeBytes = -1,
) {
  return {
    rs: new ReedSolomon(2, 2),
    blockSizeBytes: 1024,
    sinks,
    distribution: [2, 1, 4, 3],
    writeQuorum: 3,
    declaredSizeBytes,
    maxSizeBytes: 1 << 20,
    workspaceMinBytes: 2 * 1024,
  };
}

for (const encoder of encoders) {
  Deno.test(`encodeToSinks() with ${encoder.name} gives each drive its shard's frames, as the kernel frames each block`, async () => {
    const bytes = seededBytes(seededRandom(seed), 3 * 1024 + 10);
    const sinks = [new InlineSink(), new InlineSink(), new InlineSink(), new InlineSink()];
    const body = bodyOf(bytes, seededRandom(seed), 700);
    const result = await encodeToSinks(body, encodeOptions(sinks, encoder.declared(bytes.length)));
    assertFramesOf(bytes, result.sizeBytes, sinks);
  });
}

function assertFramesOf(bytes: Uint8Array, sizeBytes: number, sinks: InlineSink[]): void {
  assert.equal(sizeBytes, bytes.length);
  const rs = new ReedSolomon(2, 2);
  const expected: Uint8Array[][] = [[], [], [], []];
  for (let at = 0; at < bytes.length; at += 1024) {
    const frames = encodeFramedBlock(rs, bytes.subarray(at, at + 1024));
    [2, 1, 4, 3].forEach((shard, position) => expected[position].push(frames[shard - 1]));
  }
  sinks.forEach((sink, position) => {
    const want = expected[position];
    const joined = new Uint8Array(want.reduce((sum, frame) => sum + frame.length, 0));
    want.reduce((offset, frame) => (joined.set(frame, offset), offset + frame.length), 0);
    assert.ok(sameBytes(sink.bytes(), joined), `drive position ${position}`);
  });
}

Deno.test("with a workspace pool, multi-block bodies borrow two workspaces and give them back", async () => {
  const pool = new ErasureWorkspacePool(4);
  const bytes = seededBytes(seededRandom(seed), 3 * 1024 + 10);
  for (let round = 1; round <= 2; round++) {
    const sinks = [new InlineSink(), new InlineSink(), new InlineSink(), new InlineSink()];
    const options = { ...encodeOptions(sinks, bytes.length), workspacePool: pool };
    const result = await encodeToSinks(bodyOf(bytes, seededRandom(seed + round), 700), options);
    assertFramesOf(bytes, result.sizeBytes, sinks);
    assert.equal(pool.idleCount, 2, `round ${round}: both workspaces are back (and reused)`);
  }
  const small = seededBytes(seededRandom(seed), 1000);
  const sinks = [new InlineSink(), new InlineSink(), new InlineSink(), new InlineSink()];
  const options = { ...encodeOptions(sinks, small.length), workspacePool: pool };
  assertFramesOf(small, (await encodeToSinks(bodyOf(small), options)).sizeBytes, sinks);
  assert.equal(pool.idleCount, 2, "a one-block body uses the plain buffers");
});

Deno.test("after a failed write the pool's workspaces are not given back", async () => {
  const pool = new ErasureWorkspacePool(4);
  const sinks = [new KeepingSink(), new KeepingSink(1), new KeepingSink(), new KeepingSink()];
  const bytes = seededBytes(seededRandom(seed), 3 * 1024);
  const options = { ...encodeOptions(sinks, bytes.length), workspacePool: pool };
  const result = await encodeToSinks(bodyOf(bytes, seededRandom(seed)), options);
  assert.ok(result.failures[1] instanceof Error);
  assert.equal(pool.idleCount, 0, "a timed-out write might still read them");
});

/** Keeps the frames it is lent (and copies of them); fails from write `failAt` on. */
class KeepingSink {
  readonly lent: Uint8Array[] = [];
  readonly copies: Uint8Array[] = [];
  onWrite = () => {};
  constructor(readonly failAt = Infinity) {}
  write(frame: Uint8Array): Promise<void> {
    if (this.lent.length >= this.failAt) return Promise.reject(new Error("drive failed"));
    this.lent.push(frame);
    this.copies.push(frame.slice());
    this.onWrite();
    return Promise.resolve();
  }
}

for (const encoder of encoders) {
  Deno.test(`with ${encoder.name} a frame is lent: two blocks later it holds another block's`, async () => {
    const sinks = [new KeepingSink(), new KeepingSink(), new KeepingSink(), new KeepingSink()];
    let reusedForBlock3 = false;
    sinks[0].onWrite = () => {
      if (sinks[0].lent.length === 3) {
        reusedForBlock3 = !sameBytes(sinks[0].lent[0], sinks[0].copies[0]);
      }
    };
    const bytes = seededBytes(seededRandom(seed), 3 * 1024);
    const body = bodyOf(bytes, seededRandom(seed));
    await encodeToSinks(body, encodeOptions(sinks, encoder.declared(bytes.length)));
    assert.ok(reusedForBlock3, "block 1's frame holds block 3's bytes while block 3 is written");
    // Plain buffers are freed after the last write; a workspace's wasm memory is left to the GC.
    const freed = encoder.name === "plain buffers";
    for (const sink of sinks) {
      assert.equal(sink.lent.length, 3);
      assert.ok(sink.lent.every((frame) => (frame.byteLength === 0) === freed), encoder.name);
    }
  });
}

Deno.test("after a failed write the frames are left to the GC, not freed", async () => {
  const sinks = [new KeepingSink(), new KeepingSink(1), new KeepingSink(), new KeepingSink()];
  const bytes = seededBytes(seededRandom(seed), 3 * 1024);
  const result = await encodeToSinks(bodyOf(bytes, seededRandom(seed)), encodeOptions(sinks));
  assert.ok(result.failures[1] instanceof Error, "the failing sink is retired");
  assert.ok(sinks[0].lent.every((frame) => frame.byteLength === 32 + 512), "not freed");
});

Deno.test("encodeToSinks() encodes the next block while one is written, and no further", async () => {
  const blockBytes = 1024;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === 4) return controller.close();
      pulled += 1;
      controller.enqueue(new Uint8Array(blockBytes).fill(pulled));
    },
  }, { highWaterMark: 0 });
  const gates: (() => void)[] = [];
  const sink = {
    write: () => new Promise<void>((resolve) => gates.push(resolve)),
  };
  const done = encodeToSinks(body, { ...encodeOptions([]), sinks: [sink, sink, sink, sink] });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  await settle();
  assert.equal(gates.length, 4, "block 1 is being written to the four sinks");
  assert.equal(pulled, 2, "block 2 is read and encoded meanwhile, block 3 is not");
  gates.splice(0).forEach((open) => open());
  await settle();
  assert.equal(gates.length, 4, "block 2 is being written");
  assert.equal(pulled, 3, "block 3 is read and encoded meanwhile");
  while (gates.length > 0) {
    gates.splice(0).forEach((open) => open());
    await settle();
  }
  assert.equal((await done).sizeBytes, 4 * blockBytes);
});
