import assert from "node:assert/strict";
import { readBlocks } from "./erasure_encode.ts";
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
