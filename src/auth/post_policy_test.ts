import assert from "node:assert/strict";
import { Client as MinioClient } from "minio";
import { AuthError, type AuthErrorCode } from "./auth_error.ts";
import { checkPostContentLength, type PostPolicyRequest, verifyPostPolicy } from "./post_policy.ts";
import { deriveSigningKey, signatureHex } from "./sigv4_signing.ts";
import { testAccessKey, testSecretKey } from "./_test_signer.ts";

const credentials = {
  rootAccessKey: testAccessKey,
  lookupSecret: (key: string) => (key === testAccessKey ? testSecretKey : undefined),
};

/** AWS's "Example: Browser-based upload using HTTP POST (using AWS Signature Version 4)". */
const awsPolicyBase64 =
  "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
const awsRedirect = "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html";
const awsFields: Array<[string, string]> = [
  ["key", "user/user1/${filename}"],
  ["acl", "public-read"],
  ["success_action_redirect", awsRedirect],
  ["Content-Type", "image/jpeg"],
  ["x-amz-meta-uuid", "14365123651274"],
  ["x-amz-server-side-encryption", "AES256"],
  ["X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"],
  ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
  ["X-Amz-Date", "20151229T000000Z"],
  ["x-amz-meta-tag", ""],
  ["Policy", awsPolicyBase64],
  ["X-Amz-Signature", "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"],
];
const awsRequest: PostPolicyRequest = {
  bucket: "sigv4examplebucket",
  fields: awsFields,
  filename: "photo.jpg",
};
const awsNow = { credentials, nowMs: Date.UTC(2015, 11, 29, 12) };

function replaced(name: string, value: string): PostPolicyRequest {
  return { ...awsRequest, fields: awsFields.map(([n, v]) => [n, n === name ? value : v]) };
}

function assertFailsWith(code: AuthErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

Deno.test("verifyPostPolicy() accepts AWS's documented browser upload and substitutes ${filename}", () => {
  const verified = verifyPostPolicy(awsRequest, awsNow);
  assert.deepEqual(verified.identity, { kind: "root", accessKey: testAccessKey });
  assert.equal(verified.key, "user/user1/photo.jpg");
  assert.equal(verified.successActionRedirect, awsRedirect);
  assert.equal(verified.successActionStatus, 204);
  assert.equal(verified.headers.get("content-type"), "image/jpeg");
  assert.equal(verified.headers.get("x-amz-meta-uuid"), "14365123651274");
  assert.equal(verified.headers.get("x-amz-acl"), "public-read");
  assert.equal(verified.headers.get("x-amz-server-side-encryption"), "AES256");
  assert.equal(verified.headers.has("x-amz-signature"), false);
  assert.equal(verified.headers.has("x-amz-credential"), false);
});

Deno.test("verifyPostPolicy() fails with AccessDenied after the policy's expiration", () => {
  assertFailsWith(
    "AccessDenied",
    () => verifyPostPolicy(awsRequest, { credentials, nowMs: Date.UTC(2015, 11, 30, 12, 0, 1) }),
  );
});

Deno.test("verifyPostPolicy() fails with AccessDenied when a form field breaks a condition", () => {
  assertFailsWith(
    "AccessDenied",
    () => verifyPostPolicy(replaced("Content-Type", "text/html"), awsNow),
  );
  assertFailsWith(
    "AccessDenied",
    () => verifyPostPolicy(replaced("key", "user/user2/${filename}"), awsNow),
  );
  assertFailsWith(
    "AccessDenied",
    () => verifyPostPolicy(replaced("acl", "public-read-write"), awsNow),
  );
  assertFailsWith(
    "AccessDenied",
    () => verifyPostPolicy({ ...awsRequest, bucket: "otherbucket" }, awsNow),
  );
});

Deno.test("verifyPostPolicy() fails with AccessDenied for a field the policy does not mention", () => {
  const extra: PostPolicyRequest = {
    ...awsRequest,
    fields: [...awsFields, ["x-amz-meta-extra", "1"]],
  };
  assertFailsWith("AccessDenied", () => verifyPostPolicy(extra, awsNow));
  const ignored: PostPolicyRequest = {
    ...awsRequest,
    fields: [...awsFields, ["x-ignore-me", "1"]],
  };
  assert.doesNotThrow(() => verifyPostPolicy(ignored, awsNow));
});

Deno.test("verifyPostPolicy() fails with SignatureDoesNotMatch when the policy or signature changes", () => {
  const last = awsPolicyBase64.at(-2) === "p" ? "q" : "p";
  assertFailsWith(
    "SignatureDoesNotMatch",
    () => verifyPostPolicy(replaced("Policy", awsPolicyBase64.slice(0, -2) + last + "9"), awsNow),
  );
  assertFailsWith(
    "SignatureDoesNotMatch",
    () => verifyPostPolicy(replaced("X-Amz-Signature", "0".repeat(64)), awsNow),
  );
  assertFailsWith(
    "InvalidAccessKeyId",
    () =>
      verifyPostPolicy(
        replaced("X-Amz-Credential", "NOBODY/20151229/us-east-1/s3/aws4_request"),
        awsNow,
      ),
  );
});

Deno.test("verifyPostPolicy() requires a key and the SigV4 fields", () => {
  const without = (name: string) => ({
    ...awsRequest,
    fields: awsFields.filter(([n]) => n !== name),
  });
  for (
    const name of ["key", "X-Amz-Credential", "X-Amz-Algorithm", "X-Amz-Date", "X-Amz-Signature"]
  ) {
    assertFailsWith("InvalidArgument", () => verifyPostPolicy(without(name), awsNow));
  }
});

Deno.test("verifyPostPolicy() treats a form without a policy as an anonymous upload", () => {
  const verified = verifyPostPolicy(
    {
      bucket: "b",
      fields: [["key", "uploads/${filename}"], ["success_action_status", "201"]],
      filename: "a.txt",
    },
    awsNow,
  );
  assert.deepEqual(verified.identity, { kind: "anonymous" });
  assert.equal(verified.key, "uploads/a.txt");
  assert.equal(verified.successActionStatus, 201);
});

Deno.test("verifyPostPolicy() accepts a form from minio-js presignedPostPolicy() and returns its content-length-range", async () => {
  const client = new MinioClient({
    endPoint: "localhost",
    port: 9000,
    useSSL: false,
    accessKey: testAccessKey,
    secretKey: testSecretKey,
    region: "us-east-1",
  });
  const policy = client.newPostPolicy();
  policy.setBucket("bucket");
  policy.setKeyStartsWith("uploads/");
  policy.setContentType("text/plain");
  policy.setContentLengthRange(1, 1024);
  policy.setExpires(new Date(Date.now() + 600_000));
  policy.setUserMetaData({ owner: "alice" });
  const { formData } = await client.presignedPostPolicy(policy);
  const fields: Array<[string, string]> = Object.entries(formData).map(([n, v]) => [n, String(v)]);
  assert.equal(formData.key, "uploads/", "minio-js fills the key field with the prefix");
  fields.forEach((field) => field[0] === "key" && (field[1] = "uploads/${filename}"));
  const verified = verifyPostPolicy({ bucket: "bucket", fields, filename: "notes.txt" }, {
    credentials,
    nowMs: Date.now(),
  });
  assert.equal(verified.key, "uploads/notes.txt");
  assert.deepEqual(verified.contentLengthRange, { minBytes: 1, maxBytes: 1024 });
  assert.equal(verified.headers.get("x-amz-meta-owner"), "alice");
  checkPostContentLength(verified.contentLengthRange, 1024);
  assertFailsWith(
    "EntityTooLarge",
    () => checkPostContentLength(verified.contentLengthRange, 1025),
  );
  assertFailsWith("EntityTooSmall", () => checkPostContentLength(verified.contentLengthRange, 0));
});

Deno.test("verifyPostPolicy() reports a correctly signed policy that is not JSON as InvalidPolicyDocument", () => {
  // The signing key derivation is checked against AWS's example above; reuse it to sign junk.
  const scope = { accessKey: testAccessKey, date: "20151229", region: "us-east-1", service: "s3" };
  for (
    const junk of [
      "bm90IGpzb24=",
      btoa('{"conditions": []}'),
      btoa('{"expiration": "2015-12-30T12:00:00Z"}'),
    ]
  ) {
    const signature = signatureHex(deriveSigningKey(testSecretKey, scope), junk);
    const request = { ...replaced("Policy", junk) };
    request.fields = request.fields.map(([n, v]) => [n, n === "X-Amz-Signature" ? signature : v]);
    assertFailsWith("InvalidPolicyDocument", () => verifyPostPolicy(request, awsNow));
  }
});
