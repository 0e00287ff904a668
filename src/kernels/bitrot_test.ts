/**
 * MinIO's bitrot framing: the key derivation and self test (fixtures/minio/derived/vectors.json),
 * frames checked with the npm `highwayhasher`, and the real MinIO part files of the 3+2
 * `cicd-corpus` fixture reproduced byte for byte.
 */
import { createHash } from "node:crypto";
import { WasmHighwayHash } from "highwayhasher";
import { assertEquals } from "../testing/assert.ts";
import { bitrotKey, encodeFramedBlock, highwayHash256, ReedSolomon } from "./mod.ts";

const fixtures = new URL("../../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = await Deno.stat(fixtures).then(() => true, () => false);
if (!haveFixtures) console.log(`fixtures absent at ${fixtures.pathname}: fixture tests skipped`);

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`bitrot_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

const oracle = await WasmHighwayHash.loadModule();
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const loadVectors = async () =>
  JSON.parse(await Deno.readTextFile(new URL("derived/vectors.json", fixtures)));

Deno.test("bitrotKey is HighwayHash-256 with the zero key of the first 100 decimals of π", {
  ignore: !haveFixtures,
}, async () => {
  const { bitrot } = await loadVectors();
  assertEquals(hex(bitrotKey), bitrot.key);
  const pi = new TextEncoder().encode(
    "1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679",
  );
  assertEquals(highwayHash256(new Uint8Array(32), pi), bitrotKey);
  assertEquals(oracle.hash256(new Uint8Array(32), pi), bitrotKey);
});

Deno.test("MinIO's bitrot self test (32 chained rounds) gives the expected sum", {
  ignore: !haveFixtures,
}, async () => {
  const { bitrot } = await loadVectors();
  let message: Uint8Array = new Uint8Array(0);
  let sum: Uint8Array = new Uint8Array(0);
  for (let round = 0; round < 32; round++) {
    sum = highwayHash256(bitrotKey, message);
    const next = new Uint8Array(message.length + sum.length);
    next.set(message);
    next.set(sum, message.length);
    message = next;
  }
  assertEquals(hex(sum), bitrot.selfTest.expected);
  assertEquals(hex(highwayHash256(bitrotKey, new Uint8Array(0))), bitrot.emptyInput.slice(0, 64));
});

Deno.test("encodeFramedBlock() returns HighwayHash256(bitrotKey, shard) ‖ shard for each RS shard", () => {
  let state = seed >>> 0;
  const nextByte = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  for (
    const [d, p, blockBytes] of [[12, 4, 1048576], [2, 2, 11], [4, 2, 1001], [1, 0, 5], [5, 3, 64]]
  ) {
    const rs = new ReedSolomon(d, p);
    const block = Uint8Array.from({ length: blockBytes }, nextByte);
    const frames = encodeFramedBlock(rs, block);
    const shards = rs.encodeBlock(block);
    assertEquals(frames.length, d + p);
    frames.forEach((frame, i) => {
      assertEquals(frame.subarray(32), shards[i], `${d}+${p} shard ${i}`);
      assertEquals(frame.subarray(0, 32), oracle.hash256(bitrotKey, shards[i]));
    });
  }
});

Deno.test("encodeFramedBlock() of an empty block writes nothing, like MinIO's bitrot writer", () => {
  const frames = encodeFramedBlock(new ReedSolomon(2, 2), new Uint8Array(0));
  assertEquals(frames, Array.from({ length: 4 }, () => new Uint8Array(0)));
});

Deno.test("MinIO's cicd-corpus part files (3+2, 644520 bytes) are reproduced byte for byte", {
  ignore: !haveFixtures,
}, async () => {
  // disk n holds shard EcDist[n-1] of EcDist [3,4,5,1,2]; each part.1 is one frame.
  const partOf = (disk: number) =>
    new URL(
      `buildscripts/cicd-corpus/disk${disk}/bucket/testobj/2b4f7e41-df82-4a5e-a3c1-8df87f83332f/part.1`,
      fixtures,
    );
  const diskOfShard = [4, 5, 1, 2, 3];
  const parts = await Promise.all(diskOfShard.map((disk) => Deno.readFile(partOf(disk))));
  const object = new Uint8Array(644520);
  parts.slice(0, 3).forEach((part, i) => object.set(part.subarray(32), i * 214840));
  assertEquals(createHash("md5").update(object).digest("hex"), "9587ddd31fead633830366f45d221d56");
  const rs = new ReedSolomon(3, 2);
  assertEquals(encodeFramedBlock(rs, object), parts);
  const damaged: (Uint8Array | null)[] = parts.map((part) => part.subarray(32));
  damaged[0] = damaged[2] = null;
  const rebuilt = rs.reconstruct(damaged, { dataOnly: false });
  rebuilt.forEach((shard, i) => assertEquals(shard, parts[i].subarray(32)));
});
