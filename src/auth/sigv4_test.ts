import assert from "node:assert/strict";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AuthError, type AuthErrorCode } from "./auth_error.ts";
import {
  type CredentialStore,
  type SignedRequestParts,
  type VerifyOptions,
  verifyRequest,
} from "./sigv4.ts";
import {
  partsFromUrl,
  presignWithSdk,
  sdkSigner,
  signWithSdk,
  testAccessKey,
  testSecretKey,
  wireKey,
} from "./_test_signer.ts";

const userAccessKey = "user-key";
const credentials: CredentialStore = {
  rootAccessKey: testAccessKey,
  lookupSecret: (key) =>
    key === testAccessKey ? testSecretKey : key === userAccessKey ? "user-secret-key" : undefined,
};
const signingDate = new Date("2026-03-01T12:00:00Z");
const at = (ms: number): VerifyOptions => ({ credentials, nowMs: ms });
const now = at(signingDate.getTime());
const emptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function assertFailsWith(code: AuthErrorCode, run: () => unknown, messagePart?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (messagePart !== undefined) assert.match(error.message, new RegExp(messagePart));
    return true;
  });
}

function withHeader(parts: SignedRequestParts, name: string, value: string | null) {
  const headers = new Headers(parts.headers);
  if (value === null) headers.delete(name);
  else headers.set(name, value);
  return { ...parts, headers };
}

Deno.test("verifyRequest() accepts AWS's documented GET example (sig-v4-header-based-auth)", () => {
  const parts: SignedRequestParts = {
    method: "GET",
    rawPath: "/test.txt",
    rawQuery: "",
    headers: new Headers({
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-9",
      "x-amz-content-sha256": emptySha256,
      "x-amz-date": "20130524T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    }),
  };
  const verified = verifyRequest(parts, at(Date.UTC(2013, 4, 24, 0, 5)));
  assert.deepEqual(verified.identity, { kind: "root", accessKey: testAccessKey });
  assert.deepEqual(verified.payload, { kind: "sha256", hex: emptySha256 });
  assert.equal(verified.region, "us-east-1");
});

Deno.test("verifyRequest() accepts AWS's documented presigned GET example (sigv4-query-string-auth)", () => {
  const parts: SignedRequestParts = {
    method: "GET",
    rawPath: "/test.txt",
    rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256" +
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    headers: new Headers({ host: "examplebucket.s3.amazonaws.com" }),
  };
  const verified = verifyRequest(parts, at(Date.UTC(2013, 4, 24, 12)));
  assert.equal(verified.presigned, true);
  assert.deepEqual(verified.payload, { kind: "unsigned" });
  assertFailsWith(
    "AccessDenied",
    () => verifyRequest(parts, at(Date.UTC(2013, 4, 25, 0, 0, 1))),
    "expired",
  );
});

const specialKeys = [
  "plain.txt",
  "with space.txt",
  "plus+sign",
  "tilde~and_underscore-dash.dot",
  "percent%25literal%",
  "unicode/ünïcödé/日本語/emoji-😀",
  "sub!quote'paren(star)*",
  "a//double/slash/./dot/../dotdot",
  "equals=and&amp;?question#hash",
  "trailing/",
];

for (const key of specialKeys) {
  Deno.test(`verifyRequest() accepts an SDK-signed PUT of key ${JSON.stringify(key)}`, async () => {
    const parts = await signWithSdk(
      {
        method: "PUT",
        path: `/bucket/${wireKey(key)}`,
        headers: { "content-type": "text/plain", "x-amz-meta-note": "  folded   spaces  " },
        body: "hello",
      },
      signingDate,
    );
    const verified = verifyRequest(parts, now);
    assert.equal(verified.payload.kind, "sha256");
  });
}

Deno.test("verifyRequest() accepts a path whose optional characters the client left unescaped", async () => {
  const parts = await signWithSdk(
    { method: "GET", path: `/bucket/${wireKey("a(b)!c*'")}` },
    signingDate,
  );
  assert.doesNotThrow(() => verifyRequest({ ...parts, rawPath: "/bucket/a(b)!c*'" }, now));
});

Deno.test("verifyRequest() canonicalises query parameters: order, escaping, empty values, repeats", async () => {
  const query = {
    "list-type": "2",
    prefix: "photos/2026 ü+x~",
    delimiter: "/",
    "continuation-token": "a=b&c",
    uploads: "",
    "x-id": ["b", "a"],
  };
  const parts = await signWithSdk({ method: "GET", path: "/bucket", query }, signingDate);
  assert.doesNotThrow(() => verifyRequest(parts, now));
  // Same parameters in another order, with spaces sent as '+' as HTML forms do.
  const reordered = parts.rawQuery.split("&").reverse().join("&").replace("%20", "+");
  assert.doesNotThrow(() => verifyRequest({ ...parts, rawQuery: reordered }, now));
});

Deno.test("verifyRequest() fails with SignatureDoesNotMatch when any signed part changes by one byte", async () => {
  const parts = await signWithSdk(
    {
      method: "PUT",
      path: "/bucket/key.txt",
      query: { tagging: "", versionId: "v1" },
      headers: { "content-type": "text/plain", "x-amz-meta-a": "b" },
      body: "body",
    },
    signingDate,
  );
  assert.doesNotThrow(() => verifyRequest(parts, now));
  const authorization = parts.headers.get("authorization")!;
  const lastHex = authorization.at(-1) === "0" ? "1" : "0";
  const changes: Array<[string, SignedRequestParts]> = [
    ["method", { ...parts, method: "POST" }],
    ["path", { ...parts, rawPath: "/bucket/key.txu" }],
    ["path case", { ...parts, rawPath: "/bucket/Key.txt" }],
    ["query value", { ...parts, rawQuery: parts.rawQuery.replace("v1", "v2") }],
    ["query added", { ...parts, rawQuery: parts.rawQuery + "&acl" }],
    ["signed header", withHeader(parts, "x-amz-meta-a", "c")],
    ["content-type", withHeader(parts, "content-type", "text/plaim")],
    ["payload hash", withHeader(parts, "x-amz-content-sha256", emptySha256)],
    ["seconds of x-amz-date", withHeader(parts, "x-amz-date", "20260301T120001Z")],
    ["signature", withHeader(parts, "authorization", authorization.slice(0, -1) + lastHex)],
  ];
  for (const [what, changed] of changes) {
    assertFailsWith("SignatureDoesNotMatch", () => verifyRequest(changed, now), undefined);
    void what;
  }
});

Deno.test("verifyRequest() ignores headers that were not signed", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket/k" }, signingDate);
  assert.doesNotThrow(() => verifyRequest(withHeader(parts, "user-agent", "curl/8"), now));
});

Deno.test("verifyRequest() names the identity: root for the root key, user otherwise", async () => {
  const signer = sdkSigner({
    accessKey: userAccessKey,
    secretKey: "user-secret-key",
    region: "eu-west-3",
  });
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate, signer);
  const verified = verifyRequest(parts, now);
  assert.deepEqual(verified.identity, { kind: "user", accessKey: userAccessKey });
  assert.equal(verified.region, "eu-west-3");
});

Deno.test("verifyRequest() fails with InvalidAccessKeyId for an unknown key and SignatureDoesNotMatch for a wrong secret", async () => {
  const unknown = sdkSigner({ accessKey: "nobody", secretKey: "x" });
  const wrongSecret = sdkSigner({ secretKey: "not-the-secret" });
  const request = { method: "GET", path: "/bucket" };
  const unknownParts = await signWithSdk(request, signingDate, unknown);
  assertFailsWith("InvalidAccessKeyId", () => verifyRequest(unknownParts, now));
  const wrongParts = await signWithSdk(request, signingDate, wrongSecret);
  assertFailsWith("SignatureDoesNotMatch", () => verifyRequest(wrongParts, now));
});

Deno.test("verifyRequest() allows 15 minutes of clock skew and fails with RequestTimeTooSkewed beyond", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate);
  const t = signingDate.getTime();
  const minute = 60_000;
  assert.doesNotThrow(() => verifyRequest(parts, at(t + 15 * minute)));
  assert.doesNotThrow(() => verifyRequest(parts, at(t - 15 * minute)));
  assertFailsWith("RequestTimeTooSkewed", () => verifyRequest(parts, at(t + 15 * minute + 1000)));
  assertFailsWith("RequestTimeTooSkewed", () => verifyRequest(parts, at(t - 16 * minute)));
});

Deno.test("verifyRequest() requires x-amz-content-sha256 for header auth", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate);
  assertFailsWith(
    "InvalidRequest",
    () => verifyRequest(withHeader(parts, "x-amz-content-sha256", null), now),
    "x-amz-content-sha256",
  );
  assertFailsWith(
    "InvalidArgument",
    () => verifyRequest(withHeader(parts, "x-amz-content-sha256", "bogus"), now),
  );
});

Deno.test("verifyRequest() fails with AuthorizationHeaderMalformed for bad Authorization headers", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate);
  const good = parts.headers.get("authorization")!;
  const bad = [
    good.replace("SignedHeaders=host;", "SignedHeaders="),
    good.replace(/Signature=[0-9a-f]+/, "Signature=xyz"),
    good.replace("/s3/", "/ec2/"),
    good.replace("aws4_request", "aws5_request"),
    good.replace("20260301", "20260302"),
    good.replace(", Signature=", ", Other=1, Signature=").replace(/, Signature=.*/, ""),
    "AWS4-HMAC-SHA256 garbage",
  ];
  for (const value of bad) {
    assertFailsWith(
      "AuthorizationHeaderMalformed",
      () => verifyRequest(withHeader(parts, "authorization", value), now),
    );
  }
});

Deno.test("verifyRequest() refuses Signature Version 2 and session tokens", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate);
  assertFailsWith(
    "InvalidRequest",
    () => verifyRequest(withHeader(parts, "authorization", "AWS AKID:c2ln"), now),
  );
  assertFailsWith(
    "InvalidRequest",
    () =>
      verifyRequest({
        method: "GET",
        rawPath: "/b/k",
        rawQuery: "AWSAccessKeyId=a&Signature=s&Expires=1",
        headers: new Headers(),
      }, now),
  );
  const withToken = await signWithSdk(
    { method: "GET", path: "/bucket" },
    signingDate,
    sdkSigner({ sessionToken: "token" }),
  );
  assertFailsWith("InvalidToken", () => verifyRequest(withToken, now));
});

Deno.test("verifyRequest() treats a request without credentials as anonymous", () => {
  const verified = verifyRequest(
    { method: "GET", rawPath: "/bucket/key", rawQuery: "", headers: new Headers({ host: "h" }) },
    now,
  );
  assert.deepEqual(verified.identity, { kind: "anonymous" });
  assert.deepEqual(verified.payload, { kind: "unsigned" });
  assert.equal(verified.signingContext, undefined);
});

Deno.test("verifyRequest() refuses both an Authorization header and query authentication", async () => {
  const parts = await signWithSdk({ method: "GET", path: "/bucket" }, signingDate);
  assertFailsWith(
    "InvalidArgument",
    () => verifyRequest({ ...parts, rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256" }, now),
  );
});

Deno.test("verifyRequest() classifies streaming payloads and requires x-amz-decoded-content-length", async () => {
  const request = (mode: string, extra: Record<string, string> = {}) => ({
    method: "PUT",
    path: "/bucket/key",
    headers: {
      "x-amz-content-sha256": mode,
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      ...extra,
    },
  });
  const signed = await signWithSdk(request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), signingDate);
  const payload = verifyRequest(signed, now).payload;
  assert.equal(payload.kind, "aws-chunked-signed");
  if (payload.kind === "aws-chunked-signed") {
    assert.equal(
      payload.seedSignature,
      /Signature=([0-9a-f]{64})/.exec(signed.headers.get("authorization")!)![1],
    );
    assert.equal(payload.trailer, false);
    assert.equal(payload.decodedLengthBytes, 66560);
  }
  const trailer = await signWithSdk(
    request("STREAMING-UNSIGNED-PAYLOAD-TRAILER", { "x-amz-trailer": "x-amz-checksum-crc32" }),
    signingDate,
  );
  assert.deepEqual(verifyRequest(trailer, now).payload, {
    kind: "aws-chunked-unsigned-trailer",
    trailerNames: ["x-amz-checksum-crc32"],
    decodedLengthBytes: 66560,
  });
  const noLength = await signWithSdk(
    request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
    signingDate,
  );
  assertFailsWith(
    "MissingContentLength",
    () => verifyRequest(withHeader(noLength, "x-amz-decoded-content-length", null), now),
  );
});

// ---- presigned ----

Deno.test("verifyRequest() accepts an SDK-presigned URL until it expires", async () => {
  const parts = await presignWithSdk(
    {
      method: "GET",
      path: `/bucket/${wireKey("dir/a b+c~ü.txt")}`,
      query: { "response-content-type": "text/html" },
    },
    signingDate,
    3600,
  );
  const t = signingDate.getTime();
  const verified = verifyRequest(parts, at(t + 3599_000));
  assert.equal(verified.presigned, true);
  assert.deepEqual(verified.identity, { kind: "root", accessKey: testAccessKey });
  assertFailsWith(
    "AccessDenied",
    () => verifyRequest(parts, at(t + 3601_000)),
    "Request has expired",
  );
  assertFailsWith("AccessDenied", () => verifyRequest(parts, at(t - 20 * 60_000)), "not valid yet");
});

Deno.test("verifyRequest() fails a presigned URL changed by one byte with SignatureDoesNotMatch", async () => {
  const parts = await presignWithSdk({ method: "PUT", path: "/bucket/key" }, signingDate, 600);
  const changes: SignedRequestParts[] = [
    { ...parts, method: "GET" },
    { ...parts, rawPath: "/bucket/kez" },
    { ...parts, rawQuery: parts.rawQuery + "&extra=1" },
    { ...parts, rawQuery: parts.rawQuery.replace("X-Amz-Expires=600", "X-Amz-Expires=601") },
    {
      ...parts,
      rawQuery: parts.rawQuery.replace(/X-Amz-Signature=[0-9a-f]/, "X-Amz-Signature=g").replace(
        "X-Amz-Signature=g",
        "X-Amz-Signature=" + (parts.rawQuery.includes("X-Amz-Signature=0") ? "1" : "0"),
      ),
    },
    withHeader(parts, "host", "localhost:9001"),
  ];
  for (const changed of changes) {
    assertFailsWith("SignatureDoesNotMatch", () => verifyRequest(changed, now));
  }
});

Deno.test("verifyRequest() fails presigned URLs with missing or out-of-range parameters", async () => {
  const parts = await presignWithSdk({ method: "GET", path: "/bucket/key" }, signingDate, 600);
  const drop = (name: string) =>
    parts.rawQuery.split("&").filter((p) => !p.startsWith(name + "=")).join("&");
  for (
    const name of [
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
      "X-Amz-Signature",
    ]
  ) {
    assertFailsWith(
      "AuthorizationQueryParametersError",
      () => verifyRequest({ ...parts, rawQuery: drop(name) }, now),
    );
  }
  const tooLong = parts.rawQuery.replace("X-Amz-Expires=600", "X-Amz-Expires=604801");
  assertFailsWith(
    "AuthorizationQueryParametersError",
    () => verifyRequest({ ...parts, rawQuery: tooLong }, now),
    "604800",
  );
  const badAlgorithm = parts.rawQuery.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
  assertFailsWith(
    "AuthorizationQueryParametersError",
    () => verifyRequest({ ...parts, rawQuery: badAlgorithm }, now),
  );
  const withToken = parts.rawQuery + "&X-Amz-Security-Token=abc";
  assertFailsWith("InvalidToken", () => verifyRequest({ ...parts, rawQuery: withToken }, now));
});

Deno.test("verifyRequest() accepts a 7-day presigned URL on its last second", async () => {
  const week = 604800;
  const parts = await presignWithSdk({ method: "GET", path: "/bucket/key" }, signingDate, week);
  assert.doesNotThrow(() => verifyRequest(parts, at(signingDate.getTime() + week * 1000)));
  assertFailsWith(
    "AccessDenied",
    () => verifyRequest(parts, at(signingDate.getTime() + week * 1000 + 1000)),
  );
});

Deno.test("verifyRequest() accepts a URL from @aws-sdk/s3-request-presigner for a key with special characters", async () => {
  const client = new S3Client({
    endpoint: "http://localhost:9000",
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: testAccessKey, secretAccessKey: testSecretKey },
  });
  const key = "photos/2026 03/ü+~%!(x).jpg";
  const url = await getSignedUrl(
    client,
    new GetObjectCommand({ Bucket: "bucket", Key: key, ResponseContentDisposition: "inline" }),
    { expiresIn: 900, signingDate },
  );
  const parts = partsFromUrl("GET", url, { host: "localhost:9000" });
  const verified = verifyRequest(parts, now);
  assert.equal(verified.presigned, true);
  assert.deepEqual(verified.payload, { kind: "unsigned" });
  assertFailsWith(
    "SignatureDoesNotMatch",
    () => verifyRequest({ ...parts, rawPath: parts.rawPath + "x" }, now),
  );
});
