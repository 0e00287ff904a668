import { decode as oracleDecode, ExtensionCodec } from "@msgpack/msgpack";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { decodePartInfo, encodePartInfo, type ObjectPartInfo } from "./part_meta.ts";
import { XlMetaError } from "./xl_meta_error.ts";

const part: ObjectPartInfo = {
  etag: "5eb63bbbe01eeed093cb22bb8f5acdc3",
  number: 3,
  sizeBytes: 5 * 1024 * 1024,
  actualSizeBytes: 5 * 1024 * 1024,
  modTimeNs: 1709666239902781262n,
};

function oracleKeys(bytes: Uint8Array): string[] {
  const extensionCodec = new ExtensionCodec();
  extensionCodec.register({ type: 5, encode: () => null, decode: (data) => data });
  return Object.keys(oracleDecode(bytes, { extensionCodec }) as object);
}

Deno.test("part.N.meta holds e, n, s, as, mt in that order; i and crc only when present", () => {
  const plain = encodePartInfo(part);
  assertEquals(plain[0], 0x85);
  assertEquals(oracleKeys(plain), ["e", "n", "s", "as", "mt"]);
  const withExtras = encodePartInfo({
    ...part,
    index: new Uint8Array([1, 2]),
    checksums: new Map([["CRC32", "AAAAAA=="]]),
  });
  assertEquals(oracleKeys(withExtras), ["e", "n", "s", "as", "mt", "i", "crc"]);
});

Deno.test("part.N.meta round-trips, nanoseconds included", () => {
  assertEquals(decodePartInfo(encodePartInfo(part)), part);
  const extras = { ...part, index: new Uint8Array([9]), checksums: new Map([["SHA256", "x"]]) };
  assertEquals(decodePartInfo(encodePartInfo(extras)), extras);
});

Deno.test("a truncated part.N.meta is an XlMetaError", () => {
  const bytes = encodePartInfo(part);
  for (let length = 0; length < bytes.length; length++) {
    assertThrows(() => decodePartInfo(bytes.subarray(0, length)), XlMetaError);
  }
});
