import { assertEquals, assertThrows } from "../testing/assert.ts";
import { contentRange, resolveRange } from "./ranges.ts";
import { S3Error } from "./s3_errors.ts";

Deno.test("resolveRange reads bytes=a-b, a- and -n against the object size as RFC 7233 says", () => {
  assertEquals(resolveRange("bytes=0-0", 10), { start: 0, end: 0 });
  assertEquals(resolveRange("bytes=2-5", 10), { start: 2, end: 5 });
  assertEquals(resolveRange("bytes=2-500", 10), { start: 2, end: 9 });
  assertEquals(resolveRange("bytes=7-", 10), { start: 7, end: 9 });
  assertEquals(resolveRange("bytes=-3", 10), { start: 7, end: 9 });
  assertEquals(resolveRange("bytes=-30", 10), { start: 0, end: 9 });
  assertEquals(contentRange({ start: 7, end: 9 }, 10), "bytes 7-9/10");
});

Deno.test("resolveRange serves the whole object for no header, several ranges, other units or start > end", () => {
  assertEquals(resolveRange(null, 10), undefined);
  assertEquals(resolveRange("bytes=0-1,4-5", 10), undefined);
  assertEquals(resolveRange("items=0-1", 10), undefined);
  assertEquals(resolveRange("bytes=5-2", 10), undefined);
  assertEquals(resolveRange("bytes=-", 10), undefined);
});

Deno.test("resolveRange fails with InvalidRange and Content-Range bytes */size when unsatisfiable", () => {
  for (const header of ["bytes=10-", "bytes=10-20", "bytes=-0", "bytes=0-"]) {
    const size = header === "bytes=0-" ? 0 : 10;
    const error = assertThrows(() => resolveRange(header, size), S3Error) as S3Error;
    assertEquals([error.code, error.status], ["InvalidRange", 416], header);
    assertEquals(error.headers["Content-Range"], `bytes */${size}`);
  }
});
