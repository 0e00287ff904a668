/**
 * Reed-Solomon against independent oracles: the npm `@subspace/reed-solomon-erasure.wasm` (same
 * matrix construction as klauspost/reedsolomon), MinIO's 60 erasure self-test digests and the
 * encoding matrices transcribed from MinIO (fixtures/minio/derived/vectors.json).
 */
import { ReedSolomonErasure } from "@subspace/reed-solomon-erasure.wasm";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { ReedSolomon, TooFewShardsError } from "./mod.ts";
import { encodingMatrix } from "./reed_solomon.ts";
import { kernels } from "./_wasm.ts";
import { kernelCallMaxBytes } from "../limits.ts";
import { randomSource } from "../testing/seeded_random.ts";

const fixtures = new URL("../../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = await Deno.stat(fixtures).then(() => true, () => false);
if (!haveFixtures) console.log(`fixtures absent at ${fixtures.pathname}: fixture tests skipped`);

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`reed_solomon_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

const oracle = await ReedSolomonErasure.fromCurrentDirectory();

/** Parity from the reference library for equal-length data shards (length > 0). */
function oracleParity(data: Uint8Array[], parityShards: number): Uint8Array[] {
  const shardBytes = data[0].length;
  const all = new Uint8Array(shardBytes * (data.length + parityShards));
  data.forEach((shard, i) => all.set(shard, i * shardBytes));
  assertEquals(oracle.encode(all, data.length, parityShards), ReedSolomonErasure.RESULT_OK);
  return Array.from(
    { length: parityShards },
    (_, i) => all.slice((data.length + i) * shardBytes, (data.length + i + 1) * shardBytes),
  );
}

Deno.test("encodeParity() equals @subspace/reed-solomon-erasure.wasm for every split up to 16+16 on odd lengths", () => {
  const random = randomSource(seed);
  for (let d = 1; d <= 16; d++) {
    for (let p = 1; p <= 16; p++) {
      const shardBytes = 1 + 2 * random.int(200);
      const data = Array.from({ length: d }, () => random.bytes(shardBytes));
      const parity = new ReedSolomon(d, p).encodeParity(data);
      assertEquals(parity, oracleParity(data, p), `${d}+${p}, ${shardBytes}-byte shards`);
    }
  }
});

Deno.test("encodeBlock() equals the reference on lengths around the SIMD widths and the 4 KiB slice", () => {
  const random = randomSource(seed + 1);
  const splits = [[12, 4], [8, 4], [4, 2], [2, 2], [5, 11], [16, 16], [1, 1], [3, 9]];
  const lengths = [1, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 4095, 4096, 4097, 8191, 12345];
  for (const [d, p] of splits) {
    const rs = new ReedSolomon(d, p);
    for (const shardBytes of lengths) {
      const blockBytes = shardBytes * d - random.int(Math.min(d, shardBytes));
      const block = random.bytes(blockBytes);
      const shards = rs.encodeBlock(block);
      assertEquals(shards.length, d + p);
      const padded = new Uint8Array(shardBytes * d);
      padded.set(block);
      const data = shards.slice(0, d);
      data.forEach((shard, i) =>
        assertEquals(shard, padded.subarray(i * shardBytes, (i + 1) * shardBytes))
      );
      assertEquals(shards.slice(d), oracleParity(data, p), `${d}+${p}, block ${blockBytes}`);
    }
  }
});

Deno.test("encodeBlock() splits into ceil(n/D)-byte shards, zero padded, and an empty block into empty shards", () => {
  const rs = new ReedSolomon(2, 2);
  const shards = rs.encodeBlock(new TextEncoder().encode("hello world"));
  const hex = shards.map((s) => Array.from(s, (b) => b.toString(16).padStart(2, "0")).join(""));
  // Spec §6.5 worked example.
  assertEquals(hex, ["68656c6c6f20", "776f726c6400", "5671506c7960", "497b4e6c7240"]);
  assertEquals(
    rs.encodeBlock(new Uint8Array(0)),
    Array.from({ length: 4 }, () => new Uint8Array()),
  );
  assertEquals(new ReedSolomon(12, 4).shardLengthBytes(1048576), 87382);
  assertEquals(new ReedSolomon(12, 4).shardLengthBytes(0), 0);
});

Deno.test("results are fresh arrays, outside wasm memory, that later calls do not overwrite", () => {
  const rs = new ReedSolomon(4, 2);
  const first = rs.encodeBlock(new Uint8Array(64).fill(7));
  const copy = first.map((s) => s.slice());
  const second = rs.encodeBlock(new Uint8Array(64).fill(9));
  assertEquals(first, copy);
  first.forEach((shard) => assert(shard.buffer !== kernels.exports.memory.buffer));
  assert(first[0].buffer !== second[0].buffer);
});

Deno.test(
  "the encoding matrices equal MinIO's for 2+2 and 4+2",
  { ignore: !haveFixtures },
  async () => {
    const vectors = JSON.parse(await Deno.readTextFile(new URL("derived/vectors.json", fixtures)));
    for (
      const [split, rows] of Object.entries(vectors.encodingMatrices as Record<string, number[][]>)
    ) {
      const [d, p] = split.split("+").map(Number);
      assertEquals(Array.from(encodingMatrix(d, p)), rows.flat(), split);
    }
  },
);

/** XXH64 with seed 0 (the oracle of MinIO's erasureSelfTest), written from the published spec. */
function xxh64(input: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const p1 = 0x9e3779b185ebca87n, p2 = 0xc2b2ae3d27d4eb4fn, p3 = 0x165667b19e3779f9n;
  const p4 = 0x85ebca77c2b2ae63n, p5 = 0x27d4eb2f165667c5n;
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & mask;
  const round = (acc: bigint, lane: bigint) => (rotl((acc + lane * p2) & mask, 31n) * p1) & mask;
  const merge = (acc: bigint, v: bigint) => (((acc ^ round(0n, v)) * p1) & mask) + p4 & mask;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let offset = 0;
  let hash: bigint;
  if (input.length >= 32) {
    const v = [(p1 + p2) & mask, p2, 0n, (-p1) & mask];
    for (; offset + 32 <= input.length; offset += 32) {
      for (let i = 0; i < 4; i++) v[i] = round(v[i], view.getBigUint64(offset + 8 * i, true));
    }
    hash = (rotl(v[0], 1n) + rotl(v[1], 7n) + rotl(v[2], 12n) + rotl(v[3], 18n)) & mask;
    for (const lane of v) hash = merge(hash, lane);
  } else {
    hash = p5;
  }
  hash = (hash + BigInt(input.length)) & mask;
  for (; offset + 8 <= input.length; offset += 8) {
    hash ^= round(0n, view.getBigUint64(offset, true));
    hash = (rotl(hash, 27n) * p1 + p4) & mask;
  }
  for (; offset + 4 <= input.length; offset += 4) {
    hash ^= (BigInt(view.getUint32(offset, true)) * p1) & mask;
    hash = (rotl(hash, 23n) * p2 + p3) & mask;
  }
  for (; offset < input.length; offset++) {
    hash ^= (BigInt(input[offset]) * p5) & mask;
    hash = (rotl(hash, 11n) * p1) & mask;
  }
  hash ^= hash >> 33n;
  hash = (hash * p2) & mask;
  hash ^= hash >> 29n;
  hash = (hash * p3) & mask;
  return hash ^ (hash >> 32n);
}

Deno.test("xxh64 (the self-test oracle) matches the published test values", () => {
  assertEquals(xxh64(new Uint8Array(0)), 0xef46db3751d8e999n);
  assertEquals(xxh64(new TextEncoder().encode("a")), 0xd24ec4f1a98c6e5bn);
  assertEquals(xxh64(new TextEncoder().encode("abc")), 0x44bc2cf5ad770999n);
});

Deno.test(
  "all 60 of MinIO's erasure self-test digests are reproduced",
  { ignore: !haveFixtures },
  async () => {
    const vectors = JSON.parse(await Deno.readTextFile(new URL("derived/vectors.json", fixtures)));
    const expected = vectors.erasureSelfTest.vectors as Record<string, string>;
    assertEquals(Object.keys(expected).length, 60);
    const block = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const [split, digest] of Object.entries(expected)) {
      const [d, p] = split.split(",").map(Number);
      const shards = new ReedSolomon(d, p).encodeBlock(block);
      const framed = shards.flatMap((shard, i) => [i, ...shard]);
      assertEquals(xxh64(Uint8Array.from(framed)).toString(16), digest, `${d},${p}`);
    }
  },
);

/** Every subset of {0..n-1} with at most `maxSize` members. */
function subsets(n: number, maxSize: number): number[][] {
  const out: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    for (const s of out.slice()) if (s.length < maxSize) out.push([...s, i]);
  }
  return out;
}

function checkReconstruct(rs: ReedSolomon, shards: Uint8Array[], lost: number[]): void {
  for (const dataOnly of [false, true]) {
    const damaged: (Uint8Array | null)[] = shards.slice();
    for (const i of lost) damaged[i] = null;
    const result = rs.reconstruct(damaged, { dataOnly });
    const pattern = `${rs.dataShards}+${rs.parityShards} lost [${lost}] dataOnly ${dataOnly}`;
    for (let i = 0; i < shards.length; i++) {
      const expectNull = dataOnly && i >= rs.dataShards && lost.includes(i);
      assertEquals(result[i], expectNull ? null : shards[i], `${pattern}, shard ${i}`);
    }
  }
}

Deno.test("every erasure pattern of up to P lost shards reconstructs, for all splits with D+P ≤ 8", () => {
  const random = randomSource(seed + 2);
  for (let total = 2; total <= 8; total++) {
    for (let p = 1; p < total; p++) {
      const rs = new ReedSolomon(total - p, p);
      const shards = rs.encodeBlock(random.bytes(1 + random.int(100) * (total - p)));
      for (const lost of subsets(total, p)) checkReconstruct(rs, shards, lost);
    }
  }
});

Deno.test("sampled erasure patterns reconstruct for large splits up to 16+16", () => {
  const random = randomSource(seed + 3);
  const splits = [[12, 4], [8, 8], [16, 16], [10, 6], [14, 2], [9, 7], [1, 15], [100, 20]];
  for (const [d, p] of splits) {
    const rs = new ReedSolomon(d, p);
    const shards = rs.encodeBlock(random.bytes(d * (1 + random.int(300)) - random.int(d)));
    for (let sample = 0; sample < 25; sample++) {
      const order = Array.from({ length: d + p }, (_, i) => i).sort(() => random.int(3) - 1);
      checkReconstruct(rs, shards, order.slice(0, random.int(p + 1)).sort((a, b) => a - b));
    }
  }
});

Deno.test("reconstruct() with all shards present returns the same arrays untouched", () => {
  const rs = new ReedSolomon(3, 2);
  const shards = rs.encodeBlock(new Uint8Array(30).fill(1));
  const result = rs.reconstruct(shards.slice(), { dataOnly: false });
  result.forEach((shard, i) => assert(shard === shards[i]));
});

Deno.test("bad arguments get a clear RangeError, never a wasm trap", () => {
  assertThrows(() => new ReedSolomon(0, 4), RangeError, "Cannot create ReedSolomon(0, 4)");
  assertThrows(() => new ReedSolomon(200, 57), RangeError, "≤ 256");
  assertThrows(() => new ReedSolomon(2.5, 1), RangeError, "integer");
  assertThrows(() => new ReedSolomon(4, -1), RangeError, "parity");
  const rs = new ReedSolomon(4, 2);
  assertThrows(
    () => rs.encodeParity([new Uint8Array(3)]),
    RangeError,
    "Cannot encode 1 data shards",
  );
  const uneven = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(5), new Uint8Array(4)];
  assertThrows(() => rs.encodeParity(uneven), RangeError, "different lengths");
  const shards: (Uint8Array | null)[] = rs.encodeBlock(new Uint8Array(40));
  assertThrows(() => rs.reconstruct(shards.slice(1), { dataOnly: false }), RangeError, "5 shards");
  shards[0] = new Uint8Array(9);
  assertThrows(() => rs.reconstruct(shards, { dataOnly: false }), RangeError, "different lengths");
  assertThrows(() => rs.shardLengthBytes(-1), RangeError);
  new ReedSolomon(255, 1);
  new ReedSolomon(1, 255);
});

Deno.test("a block needing more wasm memory than kernelCallMaxBytes gets a RangeError", () => {
  const rs = new ReedSolomon(1, 1);
  const block = new Uint8Array(kernelCallMaxBytes / 2 + 1);
  assertThrows(() => rs.encodeBlock(block), RangeError, "Cannot run a kernel call needing");
  assertEquals(rs.encodeBlock(block.subarray(0, 1000))[1], block.subarray(0, 1000));
});

Deno.test("reconstruct() with fewer than D shards throws TooFewShardsError", () => {
  const rs = new ReedSolomon(4, 2);
  const shards: (Uint8Array | null)[] = rs.encodeBlock(new Uint8Array(40));
  shards[0] = shards[2] = shards[5] = null;
  const error = assertThrows(() => rs.reconstruct(shards, { dataOnly: true }), TooFewShardsError);
  assert(error.message.includes("3 shards"), error.message);
});

Deno.test("parity 0 (a single drive) gives just the split data", () => {
  const rs = new ReedSolomon(1, 0);
  const block = Uint8Array.of(1, 2, 3);
  assertEquals(rs.encodeBlock(block), [block]);
  assertEquals(rs.encodeParity([block]), []);
});
