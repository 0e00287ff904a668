import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { crc32 as zlibCrc32 } from "node:zlib";
import siphash from "siphash";
import {
  crc32,
  decodeDirObject,
  encodeDirObject,
  hashOrder,
  hashOrderBytes,
  setIndexForKey,
  setIndexForKeyBytes,
  setIndexForKeyCrcMod,
  sipHash24,
  uuidBytes,
} from "./placement.ts";
import { seededRandom } from "../testing/seeded_random.ts";

const vectorsUrl = new URL("../../../shared/fixtures/minio/derived/vectors.json", import.meta.url);
const haveFixtures = existsSync(vectorsUrl);
if (!haveFixtures) console.log(`skipping MinIO vector tests: ${vectorsUrl.pathname} is absent`);

interface PlacementCase {
  name: string;
  sipMod200: number;
  crcMod200: number;
  hashOrder16: number[];
}

function loadVectors() {
  return JSON.parse(readFileSync(vectorsUrl, "utf8"));
}

/** A case name is UTF-8 text, or `hex:...` for raw bytes that are not valid UTF-8. */
function caseBytes(name: string): Uint8Array {
  if (!name.startsWith("hex:")) return new TextEncoder().encode(name);
  const hex = name.slice(4);
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

Deno.test({
  name: "sipHash24() reproduces the SipHash paper vector from vectors.json",
  ignore: !haveFixtures,
  fn() {
    const { key, msg, out64 } = loadVectors().siphashReference;
    assert.equal(sipHash24(hexBytes(key), hexBytes(msg)).toString(16).padStart(16, "0"), out64);
  },
});

Deno.test("sipHash24() agrees with the npm siphash library on seeded random keys and messages", () => {
  const seed = Date.now() % 1_000_000;
  console.log(`seed ${seed}`);
  const random = seededRandom(seed);
  for (let round = 0; round < 200; round++) {
    const key = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
    const message = Uint8Array.from({ length: round % 40 }, () => Math.floor(random() * 256));
    const view = new DataView(key.buffer);
    const words = [0, 4, 8, 12].map((offset) => view.getUint32(offset, true));
    const { h, l } = siphash.hash(words, message);
    const expected = (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
    assert.equal(sipHash24(key, message), expected, `seed ${seed} round ${round}`);
  }
});

Deno.test("setIndexForKey() equals the npm siphash value mod the set count for seeded random keys", () => {
  const seed = Date.now() % 1_000_000;
  console.log(`seed ${seed}`);
  const random = seededRandom(seed);
  const id = "f5c58c61-7175-4018-ab5e-a94fe9c2de4e";
  const view = new DataView(uuidBytes(id).buffer);
  const words = [0, 4, 8, 12].map((offset) => view.getUint32(offset, true));
  for (let round = 0; round < 300; round++) {
    const key = Array.from(
      { length: 1 + (round % 50) },
      () => String.fromCharCode(32 + Math.floor(random() * 95)),
    )
      .join("");
    const setCount = 1 + Math.floor(random() * (round % 3 === 0 ? 5000 : 40));
    const { h, l } = siphash.hash(words, new TextEncoder().encode(key));
    const expected = Number(((BigInt(h >>> 0) << 32n) | BigInt(l >>> 0)) % BigInt(setCount));
    assert.equal(
      setIndexForKey(key, id, setCount),
      expected,
      `seed ${seed} key ${key} sets ${setCount}`,
    );
  }
  assert.equal(
    setIndexForKey("object", id, 2 ** 22 + 3),
    Number(sipHash24(uuidBytes(id), new TextEncoder().encode("object")) % BigInt(2 ** 22 + 3)),
  );
});

Deno.test("crc32() agrees with node:zlib on seeded random inputs", () => {
  const seed = Date.now() % 1_000_000;
  console.log(`seed ${seed}`);
  const random = seededRandom(seed);
  for (let round = 0; round < 200; round++) {
    const bytes = Uint8Array.from({ length: round * 3 }, () => Math.floor(random() * 256));
    assert.equal(crc32(bytes), zlibCrc32(bytes), `seed ${seed} round ${round}`);
  }
});

Deno.test({
  name: "setIndexForKey() puts every MinIO test key in the set MinIO chooses (SIPMOD, 200 sets)",
  ignore: !haveFixtures,
  fn() {
    const { deploymentIdUUID, cardinality, cases } = loadVectors().placement;
    for (const c of cases as PlacementCase[]) {
      const bytes = caseBytes(c.name);
      assert.equal(setIndexForKeyBytes(bytes, deploymentIdUUID, cardinality), c.sipMod200, c.name);
      if (!c.name.startsWith("hex:")) {
        assert.equal(setIndexForKey(c.name, deploymentIdUUID, cardinality), c.sipMod200, c.name);
      }
    }
  },
});

Deno.test({
  name: "setIndexForKeyCrcMod() matches MinIO's legacy CRCMOD vectors",
  ignore: !haveFixtures,
  fn() {
    const { cardinality, cases } = loadVectors().placement;
    for (const c of cases as PlacementCase[]) {
      assert.equal(setIndexForKeyCrcMod(caseBytes(c.name), cardinality), c.crcMod200, c.name);
    }
  },
});

Deno.test({
  name: "hashOrder() gives MinIO's shard distribution for every test key over 16 drives",
  ignore: !haveFixtures,
  fn() {
    for (const c of loadVectors().placement.cases as PlacementCase[]) {
      assert.deepEqual(hashOrderBytes(caseBytes(c.name), 16), c.hashOrder16, c.name);
      if (!c.name.startsWith("hex:")) assert.deepEqual(hashOrder(c.name, 16), c.hashOrder16);
    }
  },
});

Deno.test("hashOrder() matches the EcDist MinIO stored for testbucket/hosts and testbucket/file", () => {
  assert.deepEqual(hashOrder("testbucket/hosts", 4), [1, 2, 3, 4]);
  assert.deepEqual(hashOrder("testbucket/file", 4), [2, 3, 4, 1]);
  assert.deepEqual(hashOrder("bucket/testobj", 5), [2, 3, 4, 5, 1]);
});

Deno.test("hashOrder() of zero or fewer drives is empty", () => {
  assert.deepEqual(hashOrder("a", 0), []);
  assert.deepEqual(hashOrder("a", -3), []);
});

Deno.test("setIndexForKey() refuses zero sets and malformed deployment ids", () => {
  assert.throws(() => setIndexForKey("a", "f5c58c61-7175-4018-ab5e-a94fe9c2de4e", 0), RangeError);
  assert.throws(() => setIndexForKey("a", "not-a-uuid", 4), RangeError);
  assert.deepEqual(
    Array.from(uuidBytes("f5c58c61-7175-4018-ab5e-a94fe9c2de4e").slice(0, 4)),
    [0xf5, 0xc5, 0x8c, 0x61],
  );
});

Deno.test("encodeDirObject() stores photos/ as photos__XLDIR__ and decodeDirObject() reverses it", () => {
  assert.equal(encodeDirObject("photos/"), "photos__XLDIR__");
  assert.equal(encodeDirObject("a/b/"), "a/b__XLDIR__");
  assert.equal(encodeDirObject("a/b"), "a/b");
  assert.equal(decodeDirObject("photos__XLDIR__"), "photos/");
  assert.equal(decodeDirObject("a/b__XLDIR__"), "a/b/");
  assert.equal(decodeDirObject("a/b"), "a/b");
  for (const key of ["x/", "x", "a/b/c/", "dir//"]) {
    assert.equal(decodeDirObject(encodeDirObject(key)), key);
  }
});
