/**
 * HighwayHash-256 against independent oracles: the 65 upstream test vectors of
 * github.com/minio/highwayhash (fixtures/minio/derived) and the npm `highwayhasher` (its wasm
 * build under Deno, Rust `highway` crate underneath).
 */
import { WasmHighwayHash } from "highwayhasher";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { HighwayHash256, highwayHash256, highwayHash256Batch } from "./mod.ts";
import { randomSource } from "../testing/seeded_random.ts";

const fixtures = new URL("../../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = await Deno.stat(fixtures).then(() => true, () => false);
if (!haveFixtures) console.log(`fixtures absent at ${fixtures.pathname}: fixture tests skipped`);

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`highway_hash_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

const oracle = await WasmHighwayHash.loadModule();
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test(
  "the 65 upstream HighwayHash-256 test vectors are reproduced",
  { ignore: !haveFixtures },
  async () => {
    const url = new URL("derived/highwayhash-test-vectors.json", fixtures);
    const vectors = JSON.parse(await Deno.readTextFile(url));
    const key = Uint8Array.from(vectors.key.match(/../g), (h: string) => parseInt(h, 16));
    const expected = vectors.vectors256 as string[];
    assertEquals(expected.length, 65);
    expected.forEach((digest, length) => {
      const input = Uint8Array.from({ length }, (_, i) => i);
      assertEquals(hex(highwayHash256(key, input)), digest, `input of ${length} bytes`);
    });
  },
);

Deno.test("highwayHash256() equals highwayhasher for random inputs of every length 0..1024", () => {
  const random = randomSource(seed);
  const key = random.bytes(32);
  for (let length = 0; length <= 1024; length++) {
    const data = random.bytes(length);
    assertEquals(highwayHash256(key, data), oracle.hash256(key, data), `length ${length}`);
  }
});

Deno.test("highwayHash256() equals highwayhasher on large inputs, across the 1 MiB chunking", () => {
  const random = randomSource(seed + 1);
  const key = random.bytes(32);
  for (const length of [65536 + 5, 1024 * 1024, 1024 * 1024 + 31, 3 * 1024 * 1024 + 7]) {
    const data = random.bytes(length);
    assertEquals(highwayHash256(key, data), oracle.hash256(key, data), `length ${length}`);
  }
});

Deno.test("streaming with random split points equals the one-shot hash", () => {
  const random = randomSource(seed + 2);
  const key = random.bytes(32);
  for (let trial = 0; trial < 200; trial++) {
    const data = random.bytes(random.int(trial < 190 ? 600 : 2_500_000));
    const hash = new HighwayHash256(key);
    for (let offset = 0; offset < data.length;) {
      const step = random.int(4) === 0 ? random.int(40) : random.int(data.length - offset + 1);
      hash.update(data.subarray(offset, offset + step));
      offset += step;
    }
    assertEquals(hash.digest(), oracle.hash256(key, data), `trial ${trial}, ${data.length} bytes`);
  }
});

Deno.test("digest() does not end the stream: update() may continue after it", () => {
  const key = new Uint8Array(32).fill(3);
  const data = randomSource(seed + 3).bytes(100);
  const hash = new HighwayHash256(key).update(data.subarray(0, 45));
  assertEquals(hash.digest(), oracle.hash256(key, data.subarray(0, 45)));
  assertEquals(hash.digest(), oracle.hash256(key, data.subarray(0, 45)));
  hash.update(data.subarray(45));
  assertEquals(hash.digest(), oracle.hash256(key, data));
});

Deno.test("highwayHash256Batch() returns hash i at i*32 for every slice", () => {
  const random = randomSource(seed + 4);
  const key = random.bytes(32);
  const shapes = [[0, 5], [1, 0], [16, 0], [16, 87382], [5, 33], [3, 700_000], [2, 2_000_000]];
  for (const [count, length] of shapes) {
    const slices = Array.from({ length: count }, () => random.bytes(length));
    const hashes = highwayHash256Batch(key, slices);
    assertEquals(hashes.length, 32 * count);
    slices.forEach((slice, i) =>
      assertEquals(hashes.subarray(32 * i, 32 * i + 32), oracle.hash256(key, slice))
    );
  }
});

Deno.test("bad keys and uneven batches get a clear RangeError", () => {
  assertThrows(() => highwayHash256(new Uint8Array(31), new Uint8Array(1)), RangeError, "31 bytes");
  assertThrows(() => new HighwayHash256(new Uint8Array(33)), RangeError, "must be 32 bytes");
  const key = new Uint8Array(32);
  assertThrows(
    () => highwayHash256Batch(key, [new Uint8Array(3), new Uint8Array(4)]),
    RangeError,
    "different lengths",
  );
});
