import { assertEquals, assertThrows } from "../testing/assert.ts";
import { md5HexFromHeader, metadataFromHeaders, tagsFromHeader } from "./object_headers.ts";
import { S3Error } from "./s3_errors.ts";
import * as nodeCrypto from "node:crypto";
import { Buffer } from "node:buffer";

function code(fn: () => unknown): string {
  return (assertThrows(fn, S3Error) as S3Error).code;
}

Deno.test("metadataFromHeaders keeps x-amz-meta-* and stored HTTP headers, drops aws-chunked framing", () => {
  const headers = new Headers({
    "x-amz-meta-color": "blue",
    "cache-control": "no-cache",
    "content-encoding": "gzip, aws-chunked",
    "content-disposition": "inline",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    authorization: "AWS4-HMAC-SHA256 ...",
    "content-length": "10",
  });
  assertEquals(metadataFromHeaders(headers), {
    "x-amz-meta-color": "blue",
    "cache-control": "no-cache",
    "content-encoding": "gzip",
    "content-disposition": "inline",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
  });
  assertEquals(metadataFromHeaders(new Headers({ "content-encoding": "aws-chunked" })), {});
});

Deno.test("user metadata over 2 KiB is MetadataTooLarge; an unknown storage class is InvalidStorageClass", () => {
  assertEquals(
    code(() => metadataFromHeaders(new Headers({ "x-amz-meta-big": "x".repeat(2048) }))),
    "MetadataTooLarge",
  );
  assertEquals(
    code(() => metadataFromHeaders(new Headers({ "x-amz-storage-class": "CHEAP" }))),
    "InvalidStorageClass",
  );
});

Deno.test("x-amz-tagging is URL-query encoded; more than 10 tags or an aws: key is InvalidTag", () => {
  assertEquals(tagsFromHeader("a=1&b=two%20words&c="), { a: "1", b: "two words", c: "" });
  const eleven = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&");
  assertEquals(code(() => tagsFromHeader(eleven)), "InvalidTag");
  assertEquals(code(() => tagsFromHeader("aws:x=1")), "InvalidTag");
  assertEquals(code(() => tagsFromHeader("a=1&a=2")), "InvalidTag");
});

Deno.test("Content-MD5 is base64 of 16 bytes, else InvalidDigest", () => {
  const digest = nodeCrypto.createHash("md5").update("abc").digest();
  assertEquals(md5HexFromHeader(digest.toString("base64")), digest.toString("hex"));
  assertEquals(code(() => md5HexFromHeader("abc")), "InvalidDigest");
  assertEquals(
    code(() => md5HexFromHeader(Buffer.from("short").toString("base64"))),
    "InvalidDigest",
  );
});

Deno.test("requests for server-side encryption are NotImplemented, never silently stored in the clear", () => {
  for (
    const header of [
      "x-amz-server-side-encryption",
      "x-amz-server-side-encryption-customer-algorithm",
    ]
  ) {
    assertEquals(
      code(() => metadataFromHeaders(new Headers({ [header]: "AES256" }))),
      "NotImplemented",
    );
  }
});
