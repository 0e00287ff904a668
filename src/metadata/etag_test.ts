import { createHash } from "node:crypto";
import { assertEquals } from "../testing/assert.ts";
import { etagMd5Bytes, multipartEtag } from "./etag.ts";
import { md5 } from "./md5.ts";

function nodeMd5(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("md5").update(bytes).digest());
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("md5 agrees with node:crypto for every length 0..300 and the RFC 1321 examples", () => {
  assertEquals(hex(md5(new Uint8Array(0))), "d41d8cd98f00b204e9800998ecf8427e");
  assertEquals(hex(md5(new TextEncoder().encode("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 300; length++) {
    assertEquals(hex(md5(data.subarray(0, length))), hex(nodeMd5(data.subarray(0, length))));
  }
});

Deno.test("multipartEtag is md5 of the concatenated part MD5s, then -count", () => {
  const parts = [new Uint8Array(5 << 20).fill(1), new Uint8Array(1000).fill(2)];
  const partMd5s = parts.map(nodeMd5);
  const joined = new Uint8Array(32);
  joined.set(partMd5s[0]);
  joined.set(partMd5s[1], 16);
  assertEquals(multipartEtag(partMd5s), `${hex(nodeMd5(joined))}-2`);
});

Deno.test("etagMd5Bytes parses quoted or bare hex ETags and refuses multipart-style ones", () => {
  const bytes = etagMd5Bytes('"5EB63BBBE01EEED093CB22BB8F5ACDC3"');
  assertEquals(hex(bytes!), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  assertEquals(etagMd5Bytes("51fe09d68bacc8c5a68ad24e4c037777-1"), undefined);
  assertEquals(etagMd5Bytes("xyz"), undefined);
});
