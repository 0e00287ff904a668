import { assertEquals, assertThrows } from "../testing/assert.ts";
import { normalizeVersionId, uuidFromBytes, uuidToBytes, versionKey } from "./uuid_bytes.ts";
import { XlMetaError } from "./xl_meta_error.ts";

Deno.test("UUID text and its 16 bytes convert both ways; the null version is all zeros", () => {
  const text = "2b4f7e41-df82-4a5e-a3c1-8df87f83332f";
  const bytes = uuidToBytes(text);
  assertEquals(Array.from(bytes.subarray(0, 4)), [0x2b, 0x4f, 0x7e, 0x41]);
  assertEquals(uuidFromBytes(bytes), text);
  assertEquals(uuidFromBytes(uuidToBytes(text.toUpperCase())), text);
  assertEquals(uuidToBytes(""), new Uint8Array(16));
  assertEquals(uuidToBytes("null"), new Uint8Array(16));
  assertEquals(uuidFromBytes(new Uint8Array(16)), "");
});

Deno.test("malformed ids are XlMetaErrors", () => {
  for (
    const bad of [
      "xyz",
      "2b4f7e41-df82-4a5e-a3c1-8df87f83332",
      "2b4f7e41_df82-4a5e-a3c1-8df87f83332f",
      "2b4f7e41-df82-4a5e-a3c1-8df87f83332g",
    ]
  ) {
    assertThrows(() => uuidToBytes(bad), XlMetaError);
  }
});

Deno.test("API version ids: 'null' is the model's '' and the inline-data key 'null'", () => {
  assertEquals(normalizeVersionId("null"), "");
  assertEquals(normalizeVersionId("00000000-0000-0000-0000-000000000000"), "");
  assertEquals(versionKey(""), "null");
  assertEquals(
    versionKey("2B4F7E41-DF82-4A5E-A3C1-8DF87F83332F"),
    "2b4f7e41-df82-4a5e-a3c1-8df87f83332f",
  );
});
