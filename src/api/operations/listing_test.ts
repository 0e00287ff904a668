import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { S3Error } from "../s3_errors.ts";
import {
  decodeContinuationToken,
  encodeContinuationToken,
  keyEncoder,
  maxFromQuery,
} from "./listing.ts";

Deno.test("continuation tokens round-trip any key, and a forged one is InvalidArgument", () => {
  for (const key of ["", "a", "dir/€ key+%", "x".repeat(1024)]) {
    assertEquals(decodeContinuationToken(encodeContinuationToken(key)), key);
  }
  assertEquals(
    (assertThrows(() => decodeContinuationToken("%%%"), S3Error) as S3Error).code,
    "InvalidArgument",
  );
});

Deno.test("encoding-type=url percent-encodes like AWS (slashes kept); other types are InvalidArgument", () => {
  const encode = keyEncoder(new URLSearchParams("encoding-type=url"));
  assertEquals(encode("a b/c&d+e€"), "a%20b/c%26d%2Be%E2%82%AC");
  assertEquals(keyEncoder(new URLSearchParams(""))("a b"), "a b");
  assertThrows(() => keyEncoder(new URLSearchParams("encoding-type=base64")), S3Error);
});

Deno.test("max-keys defaults to 1000, is capped at 1000, and must be a non-negative integer", () => {
  assertEquals(maxFromQuery(new URLSearchParams(""), "max-keys"), 1000);
  assertEquals(maxFromQuery(new URLSearchParams("max-keys=5000"), "max-keys"), 1000);
  assertEquals(maxFromQuery(new URLSearchParams("max-keys=0"), "max-keys"), 0);
  assertThrows(() => maxFromQuery(new URLSearchParams("max-keys=-1"), "max-keys"), S3Error);
});
