import { createXXHash3, createXXHash64 } from "hash-wasm";
import { assertEquals } from "../testing/assert.ts";
import { xxh3, xxh64 } from "./xxhash.ts";

const utf8 = new TextEncoder();

function hex64(value: bigint): string {
  return value.toString(16).padStart(16, "0");
}

/** Bytes i % 251, the input pattern of published XXH3 test tables. */
function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251);
}

Deno.test("xxh64 matches the published vectors for '', 'a', 'abc'", () => {
  assertEquals(hex64(xxh64(new Uint8Array(0))), "ef46db3751d8e999");
  assertEquals(hex64(xxh64(utf8.encode("a"))), "d24ec4f1a98c6e5b");
  assertEquals(hex64(xxh64(utf8.encode("abc"))), "44bc2cf5ad770999");
});

Deno.test("xxh3 matches published vectors at each length class boundary", () => {
  const vectors: [number, string][] = [
    [0, "2d06800538d394c2"],
    [1, "c44bdff4074eecdb"],
    [3, "5f4299fc161c9cbb"],
    [4, "60dab036a58211f2"],
    [8, "3a1c2d7c85af88f8"],
    [9, "e9612598145bb9dc"],
    [16, "8355e3a6f61770db"],
    [17, "9ef341a99de37328"],
    [128, "85c6174c7ff4c46b"],
    [129, "ec7642b431ba3e5a"],
    [240, "375a384d957fe865"],
  ];
  for (const [length, expected] of vectors) {
    assertEquals(hex64(xxh3(pattern(length))), expected, `length ${length}`);
  }
});

Deno.test("xxh64 and xxh3 agree with hash-wasm for every length 0..2100", async () => {
  const oracle3 = await createXXHash3(0, 0);
  const oracle64 = await createXXHash64(0, 0);
  const seed = Date.now() >>> 0;
  console.log(`xxhash oracle seed ${seed}`);
  let state = seed;
  const data = Uint8Array.from({ length: 2100 }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  });
  for (let length = 0; length <= 2100; length++) {
    const bytes = data.subarray(0, length);
    assertEquals(hex64(xxh3(bytes)), oracle3.init().update(bytes).digest(), `xxh3 ${length}`);
    assertEquals(hex64(xxh64(bytes)), oracle64.init().update(bytes).digest(), `xxh64 ${length}`);
  }
});

Deno.test("xxh64 hashes a view at a non-zero offset like a copy", () => {
  const buffer = pattern(100);
  assertEquals(xxh64(buffer.subarray(3, 90)), xxh64(buffer.slice(3, 90)));
  assertEquals(xxh3(buffer.subarray(3, 90)), xxh3(buffer.slice(3, 90)));
});
