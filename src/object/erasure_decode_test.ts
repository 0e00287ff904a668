import assert from "node:assert/strict";
import { ReedSolomon } from "../kernels/mod.ts";
import { BlockDecoder, inlineSource, type ShardSource, streamRange } from "./erasure_decode.ts";
import { encodeToSinks, InlineSink } from "./erasure_encode.ts";
import { bodyOf, readBody, sameBytes, seededBytes, seededRandom } from "./_support_test.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`erasure_decode_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

const blockSizeBytes = 4096;

/** Encode `bytes` as D+P framed shard streams in memory (identity distribution). */
async function encode(bytes: Uint8Array, dataShards: number, parityShards: number) {
  const sinks = Array.from({ length: dataShards + parityShards }, () => new InlineSink());
  await encodeToSinks(bodyOf(bytes), {
    rs: new ReedSolomon(dataShards, parityShards),
    blockSizeBytes,
    sinks,
    distribution: sinks.map((_, i) => i + 1),
    writeQuorum: dataShards,
    declaredSizeBytes: bytes.length,
    maxSizeBytes: 1 << 30,
  });
  return sinks.map((sink) => sink.bytes());
}

function countingSources(streams: Uint8Array[], reads: number[]): ShardSource[] {
  return streams.map((stream, i) => ({
    readFrame(offset: number, length: number) {
      reads[i] += 1;
      return inlineSource(stream).readFrame(offset, length);
    },
  }));
}

Deno.test("with every shard intact only the D data shards are read", async () => {
  const bytes = seededBytes(seededRandom(seed), 3 * blockSizeBytes + 100);
  const streams = await encode(bytes, 4, 2);
  const reads = [0, 0, 0, 0, 0, 0];
  const decoder = new BlockDecoder(
    new ReedSolomon(4, 2),
    { dataShards: 4, parityShards: 2, blockSizeBytes },
    countingSources(streams, reads),
    () => {},
  );
  const body = await readBody(
    streamRange(
      [{ sizeBytes: bytes.length, decoder }],
      { start: 0, end: bytes.length - 1 },
      blockSizeBytes,
    ),
  );
  assert.ok(sameBytes(body, bytes));
  assert.deepEqual(reads, [4, 4, 4, 4, 0, 0]);
});

Deno.test("a corrupt or missing data shard is replaced by parity, reported once, and not read again", async () => {
  const random = seededRandom(seed + 1);
  const bytes = seededBytes(random, 5 * blockSizeBytes + 1);
  const streams = await encode(bytes, 4, 2);
  streams[1] = streams[1].slice();
  streams[1][40] ^= 0x10; // inside the first frame's shard bytes
  const reads = [0, 0, 0, 0, 0, 0];
  const sources: (ShardSource | null)[] = countingSources(streams, reads);
  sources[3] = null; // missing drive
  const reported: number[] = [];
  const decoder = new BlockDecoder(
    new ReedSolomon(4, 2),
    { dataShards: 4, parityShards: 2, blockSizeBytes },
    sources,
    (index) => reported.push(index),
  );
  const body = await readBody(
    streamRange(
      [{ sizeBytes: bytes.length, decoder }],
      { start: 0, end: bytes.length - 1 },
      blockSizeBytes,
    ),
  );
  assert.ok(sameBytes(body, bytes));
  assert.deepEqual(reported, [1]);
  assert.equal(reads[1], 1, "the corrupt shard is skipped after its first failure");
  assert.equal(reads[4], 6);
  assert.equal(reads[5], 6);
});

Deno.test("fewer than D good shards error the stream with ReadQuorum", async () => {
  const bytes = seededBytes(seededRandom(seed + 2), 2 * blockSizeBytes);
  const streams = await encode(bytes, 2, 2);
  const sources = [null, null, inlineSource(streams[2]), inlineSource(streams[3].subarray(0, 10))];
  const decoder = new BlockDecoder(
    new ReedSolomon(2, 2),
    { dataShards: 2, parityShards: 2, blockSizeBytes },
    sources,
    () => {},
  );
  await assert.rejects(
    readBody(
      streamRange(
        [{ sizeBytes: bytes.length, decoder }],
        { start: 0, end: bytes.length - 1 },
        blockSizeBytes,
      ),
    ),
    /ReadQuorum|shards readable/,
  );
});

Deno.test("while a block is being consumed the next block's data shards are read, not more", async () => {
  const bytes = seededBytes(seededRandom(seed), 4 * blockSizeBytes);
  const streams = await encode(bytes, 4, 2);
  const reads = [0, 0, 0, 0, 0, 0];
  const decoder = new BlockDecoder(
    new ReedSolomon(4, 2),
    { dataShards: 4, parityShards: 2, blockSizeBytes },
    countingSources(streams, reads),
    () => {},
  );
  const reader = streamRange(
    [{ sizeBytes: bytes.length, decoder }],
    { start: 0, end: bytes.length - 1 },
    blockSizeBytes,
  ).getReader();
  const first = await reader.read();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(first.value?.length, blockSizeBytes / 4, "the first piece of block 1");
  assert.deepEqual(reads, [2, 2, 2, 2, 0, 0], "blocks 1 and 2 read, block 3 not yet");
  await reader.cancel();
});
