import assert from "node:assert/strict";
import { ReedSolomon } from "../kernels/mod.ts";
import { encodeToSinks, InlineSink, readBlocks } from "./erasure_encode.ts";
import { bodyOf, sameBytes, seededBytes, seededRandom } from "./_support_test.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`erasure_encode_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

Deno.test("readBlocks() cuts any chunking into whole blocks and one short tail", async () => {
  const random = seededRandom(seed);
  for (
    const [length, chunkMax] of [[0, 10], [1, 1], [1000, 7], [4096, 5000], [10_000, 3000], [
      12_345,
      100_000,
    ]]
  ) {
    const bytes = seededBytes(random, length);
    const blocks: Uint8Array[] = [];
    for await (const block of readBlocks(bodyOf(bytes, random, chunkMax), 1024)) {
      blocks.push(block.slice());
    }
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

/** A sink that keeps the frames it was lent (not copies), and fails from block `failAt` on. */
class KeepingSink {
  readonly lent: Uint8Array[] = [];
  constructor(readonly failAt = Infinity) {}
  write(frame: Uint8Array): Promise<void> {
    if (this.lent.length >= this.failAt) return Promise.reject(new Error("drive failed"));
    this.lent.push(frame);
    return Promise.resolve();
  }
}

function encodeOptions(sinks: (KeepingSink | InlineSink)[]) {
  return {
    rs: new ReedSolomon(2, 2),
    blockSizeBytes: 1024,
    sinks,
    distribution: [1, 2, 3, 4],
    writeQuorum: 3,
    declaredSizeBytes: -1,
    maxSizeBytes: 1 << 20,
  };
}

Deno.test("encodeToSinks() frees a block's frames once every sink has written them", async () => {
  const bytes = seededBytes(seededRandom(seed), 3 * 1024 + 10);
  const keeping = [new KeepingSink(), new KeepingSink(), new KeepingSink(), new KeepingSink()];
  const copying = [new InlineSink(), new InlineSink(), new InlineSink(), new InlineSink()];
  await encodeToSinks(bodyOf(bytes, seededRandom(seed)), encodeOptions(keeping));
  await encodeToSinks(bodyOf(bytes, seededRandom(seed)), encodeOptions(copying));
  for (const sink of keeping) {
    assert.equal(sink.lent.length, 4, "four blocks reached every sink");
    assert.ok(sink.lent.every((frame) => frame.byteLength === 0), "lent frames are freed");
  }
  // A sink that copies keeps whole frames: 32-byte hash + ceil(1024 / 2) per full block.
  for (const sink of copying) assert.equal(sink.bytes().length, 3 * (32 + 512) + (32 + 5));
});

Deno.test("encodeToSinks() leaves a block's frames alone when a sink failed on it", async () => {
  const bytes = seededBytes(seededRandom(seed), 3 * 1024);
  const failing = new KeepingSink(1);
  const sinks = [new KeepingSink(), failing, new KeepingSink(), new KeepingSink()];
  const result = await encodeToSinks(bodyOf(bytes, seededRandom(seed)), encodeOptions(sinks));
  assert.ok(result.failures[1] instanceof Error, "the failing sink is retired");
  const [first, second, third] = sinks[0].lent;
  assert.equal(first.byteLength, 0, "block 1 reached every sink: freed");
  assert.equal(second.byteLength, 32 + 512, "block 2 failed on one sink: not freed");
  assert.equal(third.byteLength, 0, "block 3 reached every live sink: freed");
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
