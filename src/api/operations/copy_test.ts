import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { S3Error } from "../s3_errors.ts";
import { parseCopySource, parseCopySourceRange } from "./copy.ts";

Deno.test("parseCopySource reads bucket/key with or without a leading slash, URL-decoded, with versionId", () => {
  assertEquals(parseCopySource("src/doc.txt"), { bucket: "src", key: "doc.txt" });
  assertEquals(parseCopySource("/src/a%20b/c%2Bd%E2%82%AC"), { bucket: "src", key: "a b/c+d€" });
  assertEquals(parseCopySource("src/k%3Fq?versionId=abc"), {
    bucket: "src",
    key: "k?q",
    versionId: "abc",
  });
  for (const bad of ["", "src", "/src/", "src/%E0%A4"]) {
    assertEquals(
      (assertThrows(() => parseCopySource(bad), S3Error) as S3Error).code,
      "InvalidArgument",
      bad,
    );
  }
});

Deno.test("parseCopySourceRange needs bytes=first-last inside the source", () => {
  assertEquals(parseCopySourceRange(null, 10), undefined);
  assertEquals(parseCopySourceRange("bytes=0-9", 10), { start: 0, end: 9 });
  assertEquals(
    (assertThrows(() => parseCopySourceRange("bytes=0-10", 10), S3Error) as S3Error).code,
    "InvalidRange",
  );
  assertEquals(
    (assertThrows(() => parseCopySourceRange("bytes=5-", 10), S3Error) as S3Error).code,
    "InvalidArgument",
  );
});
