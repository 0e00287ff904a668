import { assertEquals, assertThrows } from "../testing/assert.ts";
import { routeRequest } from "./router.ts";
import { S3Error } from "./s3_errors.ts";

const domains = ["s3.example.com"];

function route(method: string, target: string, headers: Record<string, string> = {}) {
  const url = new URL(target, "http://127.0.0.1:9000");
  const op = routeRequest(method, url, new Headers(headers), { domains });
  return { name: op.name, bucket: op.bucket, key: op.key };
}

function routeError(method: string, target: string, headers: Record<string, string> = {}): string {
  const error = assertThrows(() => route(method, target, headers), S3Error) as S3Error;
  return error.code;
}

Deno.test("router names service, bucket and object operations in AWS's words (path style)", () => {
  const table: [string, string, Record<string, string>, string][] = [
    ["GET", "/", {}, "ListBuckets"],
    ["PUT", "/b1", {}, "CreateBucket"],
    ["HEAD", "/b1", {}, "HeadBucket"],
    ["DELETE", "/b1", {}, "DeleteBucket"],
    ["GET", "/b1?location", {}, "GetBucketLocation"],
    ["GET", "/b1?versioning", {}, "GetBucketVersioning"],
    ["PUT", "/b1?versioning", {}, "PutBucketVersioning"],
    ["GET", "/b1?versions", {}, "ListObjectVersions"],
    ["GET", "/b1?tagging", {}, "GetBucketTagging"],
    ["PUT", "/b1?tagging", {}, "PutBucketTagging"],
    ["DELETE", "/b1?tagging", {}, "DeleteBucketTagging"],
    ["GET", "/b1?policy", {}, "GetBucketPolicy"],
    ["PUT", "/b1?policy", {}, "PutBucketPolicy"],
    ["DELETE", "/b1?policy", {}, "DeleteBucketPolicy"],
    ["GET", "/b1?cors", {}, "GetBucketCors"],
    ["PUT", "/b1?cors", {}, "PutBucketCors"],
    ["DELETE", "/b1?cors", {}, "DeleteBucketCors"],
    ["GET", "/b1?lifecycle", {}, "GetBucketLifecycleConfiguration"],
    ["PUT", "/b1?lifecycle", {}, "PutBucketLifecycleConfiguration"],
    ["DELETE", "/b1?lifecycle", {}, "DeleteBucketLifecycle"],
    ["GET", "/b1?object-lock", {}, "GetObjectLockConfiguration"],
    ["PUT", "/b1?object-lock", {}, "PutObjectLockConfiguration"],
    ["GET", "/b1", {}, "ListObjects"],
    ["GET", "/b1?list-type=2&prefix=a", {}, "ListObjectsV2"],
    ["GET", "/b1?uploads", {}, "ListMultipartUploads"],
    ["POST", "/b1?delete", {}, "DeleteObjects"],
    ["POST", "/b1", { "content-type": "multipart/form-data; boundary=x" }, "PostObject"],
    ["OPTIONS", "/b1", {}, "PreflightCors"],
    ["PUT", "/b1/k", {}, "PutObject"],
    ["PUT", "/b1/k", { "x-amz-copy-source": "/b2/k2" }, "CopyObject"],
    ["GET", "/b1/k", {}, "GetObject"],
    ["HEAD", "/b1/k", {}, "HeadObject"],
    ["DELETE", "/b1/k", {}, "DeleteObject"],
    ["GET", "/b1/k?tagging", {}, "GetObjectTagging"],
    ["PUT", "/b1/k?tagging", {}, "PutObjectTagging"],
    ["DELETE", "/b1/k?tagging", {}, "DeleteObjectTagging"],
    ["POST", "/b1/k?uploads", {}, "CreateMultipartUpload"],
    ["PUT", "/b1/k?partNumber=1&uploadId=u", {}, "UploadPart"],
    ["PUT", "/b1/k?partNumber=1&uploadId=u", { "x-amz-copy-source": "b2/k" }, "UploadPartCopy"],
    ["POST", "/b1/k?uploadId=u", {}, "CompleteMultipartUpload"],
    ["DELETE", "/b1/k?uploadId=u", {}, "AbortMultipartUpload"],
    ["GET", "/b1/k?retention", {}, "GetObjectRetention"],
    ["PUT", "/b1/k?retention", {}, "PutObjectRetention"],
    ["GET", "/b1/k?legal-hold", {}, "GetObjectLegalHold"],
    ["PUT", "/b1/k?legal-hold", {}, "PutObjectLegalHold"],
    ["GET", "/b1/k?uploadId=u", {}, "ListParts"],
    ["OPTIONS", "/b1/k", {}, "PreflightCors"],
    ["GET", "/b1?acl", {}, "GetBucketAcl"],
    ["PUT", "/b1?acl", {}, "PutBucketAcl"],
    ["GET", "/b1/k?acl", {}, "GetObjectAcl"],
    ["PUT", "/b1/k?acl", {}, "PutObjectAcl"],
  ];
  for (const [method, target, headers, expected] of table) {
    assertEquals(route(method, target, headers).name, expected, `${method} ${target}`);
  }
});

Deno.test("router decodes keys once and keeps slashes, spaces, plus signs and unicode", () => {
  assertEquals(route("GET", "/b1/a/b%20c/d%2Be%E2%82%AC"), {
    name: "GetObject",
    bucket: "b1",
    key: "a/b c/d+e€",
  });
  assertEquals(route("GET", "/b1/dir/").key, "dir/");
  assertEquals(route("GET", "/b1/a%2Fb").key, "a/b");
});

Deno.test("router reads the bucket from the Host header for configured domains (virtual-host style)", () => {
  assertEquals(route("GET", "/photos/cat.jpg", { host: "b1.s3.example.com:9000" }), {
    name: "GetObject",
    bucket: "b1",
    key: "photos/cat.jpg",
  });
  assertEquals(route("GET", "/", { host: "b1.s3.example.com" }).name, "ListObjects");
  assertEquals(route("GET", "/", { host: "s3.example.com" }).name, "ListBuckets");
  assertEquals(route("GET", "/b1/k", { host: "other.example.org" }).bucket, "b1");
});

Deno.test("router refuses unsupported sub-resources with NotImplemented and bad methods with MethodNotAllowed", () => {
  assertEquals(routeError("GET", "/b1?website"), "NotImplemented");
  assertEquals(routeError("PUT", "/b1/k?restore"), "NotImplemented");
  assertEquals(routeError("POST", "/b1/k?select&select-type=2"), "NotImplemented");
  assertEquals(routeError("PATCH", "/b1/k"), "MethodNotAllowed");
  assertEquals(routeError("POST", "/b1/k"), "MethodNotAllowed");
  assertEquals(routeError("DELETE", "/"), "MethodNotAllowed");
  assertEquals(routeError("GET", "/b1/%E0%A4%A"), "InvalidURI");
  assertEquals(routeError("PUT", "/b1/" + "€".repeat(342)), "KeyTooLongError");
  assertEquals(route("PUT", "/b1/" + "€".repeat(341)).name, "PutObject");
});
