import assert from "node:assert/strict";
import { ReedSolomon } from "../kernels/mod.ts";
import {
  BlockDecoder,
  inlineSource,
  readerSource,
  type ReadPart,
  type ShardSource,
  streamRange,
} from "./erasure_decode.ts";
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

/** Shard files behind readers that count opens, closes and reads; `failAtRead` breaks a read. */
function trackedFiles(streams: Uint8Array[], options: { failAtRead?: number } = {}) {
  const stats = { opens: [] as number[], open: 0, reads: 0, maxOpen: 0 };
  const sources = streams.map((stream, i) =>
    readerSource(() => {
      stats.opens[i] = (stats.opens[i] ?? 0) + 1;
      stats.open += 1;
      stats.maxOpen = Math.max(stats.maxOpen, stats.open);
      let closed = false;
      return Promise.resolve({
        read(offset: number, length: number) {
          assert.equal(closed, false, "no read after close");
          stats.reads += 1;
          if (stats.reads === options.failAtRead) {
            return Promise.reject(new Error(`injected failure of read ${stats.reads}`));
          }
          return Promise.resolve(stream.slice(offset, offset + length));
        },
        close() {
          if (!closed) stats.open -= 1;
          closed = true;
          return Promise.resolve();
        },
      });
    })
  );
  return { stats, sources };
}

async function trackedParts(sizes: number[], dataShards: number, parityShards: number) {
  const random = seededRandom(seed + 50 + sizes.length);
  const all = sizes.map((size) => seededBytes(random, size));
  const parts: ReadPart[] = [];
  const trackers: ReturnType<typeof trackedFiles>["stats"][] = [];
  for (const bytes of all) {
    const tracked = trackedFiles(await encode(bytes, dataShards, parityShards));
    trackers.push(tracked.stats);
    parts.push({
      sizeBytes: bytes.length,
      decoder: new BlockDecoder(
        new ReedSolomon(dataShards, parityShards),
        { dataShards, parityShards, blockSizeBytes },
        tracked.sources,
        () => {},
      ),
    });
  }
  const openNow = () => trackers.reduce((sum, t) => sum + t.open, 0);
  return { all, parts, trackers, openNow };
}

Deno.test("a GET opens each data shard file once, never a parity file of intact shards, and closes all at the end", async () => {
  const bytes = seededBytes(seededRandom(seed + 60), 5 * blockSizeBytes + 77);
  const { stats, sources } = trackedFiles(await encode(bytes, 3, 2));
  const decoder = new BlockDecoder(
    new ReedSolomon(3, 2),
    { dataShards: 3, parityShards: 2, blockSizeBytes },
    sources,
    () => {},
  );
  const body = streamRange(
    [{ sizeBytes: bytes.length, decoder }],
    { start: 0, end: bytes.length - 1 },
    blockSizeBytes,
  );
  assert.ok(sameBytes(await readBody(body), bytes));
  assert.deepEqual(stats.opens, [1, 1, 1], "one open per data shard, none for parity");
  assert.equal(stats.reads, 3 * 6, "six blocks of three frames");
  assert.equal(stats.open, 0, "every reader closed");
});

Deno.test("cancelling a GET body mid-way closes every shard reader", async () => {
  const { all, parts, openNow, trackers } = await trackedParts([6 * blockSizeBytes], 2, 2);
  const reader = streamRange(parts, { start: 0, end: all[0].length - 1 }, blockSizeBytes)
    .getReader();
  await reader.read();
  assert.ok(openNow() > 0, "readers are open while the body is read");
  await reader.cancel();
  assert.equal(openNow(), 0, "no reader left open after cancel");
  assert.deepEqual(trackers[0].opens, [1, 1]);
});

Deno.test("a GET that fails mid-way (read quorum lost) closes every shard reader", async () => {
  const bytes = seededBytes(seededRandom(seed + 61), 4 * blockSizeBytes);
  const streams = await encode(bytes, 2, 1);
  // Shard 3 (parity) is short: once a data shard read fails, no second good shard is left.
  streams[2] = streams[2].subarray(0, 10);
  const { stats, sources } = trackedFiles(streams, { failAtRead: 5 });
  const decoder = new BlockDecoder(
    new ReedSolomon(2, 1),
    { dataShards: 2, parityShards: 1, blockSizeBytes },
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
  assert.equal(stats.open, 0, "no reader left open after the error");
  assert.deepEqual(stats.opens, [1, 1, 1]);
});

Deno.test("a multipart GET closes each part's readers once its last block is read", async () => {
  const sizes = [3 * blockSizeBytes, 2 * blockSizeBytes + 5, blockSizeBytes, 4 * blockSizeBytes];
  const { all, parts, openNow, trackers } = await trackedParts(sizes, 2, 2);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const reader = streamRange(parts, { start: 0, end: total - 1 }, blockSizeBytes).getReader();
  const chunks: Uint8Array[] = [];
  let maxOpen = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    maxOpen = Math.max(maxOpen, openNow());
  }
  const back = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    back.set(chunk, at);
    at += chunk.length;
  }
  const whole = new Uint8Array(total);
  at = 0;
  for (const part of all) {
    whole.set(part, at);
    at += part.length;
  }
  assert.ok(sameBytes(back, whole));
  assert.ok(maxOpen <= 4, `at most two parts' data readers open at once, saw ${maxOpen}`);
  assert.equal(openNow(), 0);
  for (const tracker of trackers) assert.deepEqual(tracker.opens, [1, 1]);
});

Deno.test("closing a shard source waits for an open in progress and closes what it opened", async () => {
  let closes = 0;
  let finishOpen: () => void = () => {};
  const source = readerSource(() =>
    new Promise((resolve) => {
      finishOpen = () =>
        resolve({
          read: () => Promise.resolve(new Uint8Array(1)),
          close: () => {
            closes += 1;
            return Promise.resolve();
          },
        });
    })
  );
  const read = source.readFrame(0, 1);
  const closed = source.close!();
  finishOpen();
  await read;
  await closed;
  assert.equal(closes, 1);
  await assert.rejects(source.readFrame(0, 1), "no read after close");
});
