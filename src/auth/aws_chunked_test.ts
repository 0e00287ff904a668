import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AuthError, type AuthErrorCode } from "./auth_error.ts";
import { type AwsChunkedMode, createAwsChunkedDecoder } from "./aws_chunked.ts";
import { type SignedRequestParts, verifyRequest } from "./sigv4.ts";
import { testAccessKey, testSecretKey } from "./_test_signer.ts";

const utf8 = new TextEncoder();
const exampleTimeMs = Date.UTC(2013, 4, 24, 0, 1);
const credentials = {
  rootAccessKey: testAccessKey,
  lookupSecret: (key: string) => (key === testAccessKey ? testSecretKey : undefined),
};

/** AWS's "Example: PUT Object" (sigv4-streaming.html) and its trailer variant (sigv4-streaming-trailers.html). */
const awsExample = {
  plain: {
    mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    signedHeaders:
      "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
    seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    chunkSignatures: [
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ],
    trailer: "",
    trailerSignature: "",
  },
  trailer: {
    mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    signedHeaders:
      "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
    seed: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    chunkSignatures: [
      "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
      "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
      "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ],
    trailer: "x-amz-checksum-crc32c:sOO8/Q==",
    trailerSignature: "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
  },
};
type Example = typeof awsExample.plain;

function exampleRequest(example: Example): SignedRequestParts {
  const headers = new Headers({
    host: "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": example.mode,
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "content-length": "66824",
    authorization:
      `AWS4-HMAC-SHA256 Credential=${testAccessKey}/20130524/us-east-1/s3/aws4_request, SignedHeaders=${example.signedHeaders}, Signature=${example.seed}`,
  });
  if (example.trailer !== "") headers.set("x-amz-trailer", "x-amz-checksum-crc32c");
  return { method: "PUT", rawPath: "/examplebucket/chunkObject.txt", rawQuery: "", headers };
}

function exampleBody(example: Example, signatures = example.chunkSignatures): string {
  const [first, second, last] = signatures;
  let body = `10000;chunk-signature=${first}\r\n${"a".repeat(65536)}\r\n` +
    `400;chunk-signature=${second}\r\n${"a".repeat(1024)}\r\n` +
    `0;chunk-signature=${last}\r\n`;
  if (example.trailer !== "") {
    body += `${example.trailer}\r\nx-amz-trailer-signature:${example.trailerSignature}\r\n`;
  }
  return body + "\r\n";
}

function exampleMode(example: Example): AwsChunkedMode {
  const payload =
    verifyRequest(exampleRequest(example), { credentials, nowMs: exampleTimeMs }).payload;
  assert.ok(
    payload.kind === "aws-chunked-signed" || payload.kind === "aws-chunked-unsigned-trailer",
  );
  return payload;
}

/** Feeds `pieces` through a decoder; returns the decoded bytes and trailers. */
async function decode(mode: AwsChunkedMode, pieces: Uint8Array[]) {
  const decoder = createAwsChunkedDecoder(mode);
  const output = ReadableStream.from(pieces).pipeThrough(decoder);
  const data = new Uint8Array(await new Response(output).arrayBuffer());
  return { data, trailers: await decoder.trailers };
}

async function assertDecodeFails(
  code: AuthErrorCode,
  mode: AwsChunkedMode,
  body: string | Uint8Array,
) {
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  await assert.rejects(decode(mode, [bytes]), (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Splits bytes at seeded random points (the seed is printed). */
function split(bytes: Uint8Array, seed: number): Uint8Array[] {
  let state = seed >>> 0 || 1;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + Math.floor(next() * (next() < 0.5 ? 3 : 5000));
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

Deno.test("AWS's documented streaming PUT verifies: seed signature, three chunk signatures, 66560 bytes of 'a'", async () => {
  const mode = exampleMode(awsExample.plain);
  const { data, trailers } = await decode(mode, [utf8.encode(exampleBody(awsExample.plain))]);
  assert.equal(data.length, 66560);
  assert.ok(data.every((b) => b === 0x61));
  assert.equal([...trailers.keys()].length, 0);
});

Deno.test("AWS's documented streaming PUT with a signed trailer verifies and exposes x-amz-checksum-crc32c", async () => {
  const mode = exampleMode(awsExample.trailer);
  const { data, trailers } = await decode(mode, [utf8.encode(exampleBody(awsExample.trailer))]);
  assert.equal(data.length, 66560);
  assert.equal(trailers.get("x-amz-checksum-crc32c"), "sOO8/Q==");
});

Deno.test("aws-chunked decoding gives the same result however the body is split", async () => {
  for (const example of [awsExample.plain, awsExample.trailer]) {
    const seed = Date.now() % 100_000;
    console.log(`split seed ${seed}`);
    const body = utf8.encode(exampleBody(example));
    const { data } = await decode(exampleMode(example), split(body, seed));
    assert.equal(data.length, 66560, `seed ${seed}`);
    const bytewise = await decode(
      exampleMode(example),
      split(body.subarray(0, 200), 7).concat([body.subarray(200)]),
    );
    assert.equal(bytewise.data.length, 66560);
  }
});

Deno.test("aws-chunked fails with SignatureDoesNotMatch when the signed body is tampered with", async () => {
  const example = awsExample.plain;
  const mode = exampleMode(example);
  const [s1, s2, s3] = example.chunkSignatures;
  const good = exampleBody(example);
  const chunk = (data: string, sig: string) =>
    `${data.length.toString(16)};chunk-signature=${sig}\r\n${data}\r\n`;
  const final = `0;chunk-signature=${s3}\r\n\r\n`;
  const a1 = "a".repeat(65536);
  const a2 = "a".repeat(1024);
  const tampered = {
    "a data byte changed": good.replace("a\r\n400;", "b\r\n400;"),
    "a chunk signature changed": good.replace(s2, "0".repeat(64)),
    "a chunk signature missing": good.replace(`400;chunk-signature=${s2}`, "400"),
    "the final chunk's signature changed": good.replace(s3, s2),
    "chunks reordered": chunk(a2, s2) + chunk(a1, s1) + final,
    "a chunk dropped": chunk(a1, s1) + final,
  };
  for (const [what, body] of Object.entries(tampered)) {
    console.log(`tampered: ${what}`);
    await assertDecodeFails("SignatureDoesNotMatch", mode, body);
  }
});

Deno.test("aws-chunked fails the signed trailer when the trailer or its signature changes", async () => {
  const example = awsExample.trailer;
  const mode = exampleMode(example);
  const good = exampleBody(example);
  await assertDecodeFails("SignatureDoesNotMatch", mode, good.replace("sOO8/Q==", "AAAAAA=="));
  await assertDecodeFails(
    "SignatureDoesNotMatch",
    mode,
    good.replace(example.trailerSignature, example.seed),
  );
  await assertDecodeFails(
    "SignatureDoesNotMatch",
    mode,
    good.replace(`x-amz-trailer-signature:${example.trailerSignature}\r\n`, ""),
  );
  await assertDecodeFails(
    "MalformedTrailerError",
    mode,
    good.replace(`${example.trailer}\r\n`, ""),
  );
  await assertDecodeFails(
    "MalformedTrailerError",
    mode,
    good.replace(`${example.trailer}\r\n`, `${example.trailer}\r\nx-amz-meta-extra:1\r\n`),
  );
});

Deno.test("aws-chunked refuses a trailer on a body signed without trailers", async () => {
  const body = exampleBody(awsExample.plain).slice(0, -2) + "x-amz-checksum-crc32:NSRBwg==\r\n\r\n";
  await assertDecodeFails("MalformedTrailerError", exampleMode(awsExample.plain), body);
});

// ---- unsigned trailer, framing and lengths ----

function unsignedMode(
  decodedLengthBytes: number,
  trailerNames = ["x-amz-checksum-crc32"],
): AwsChunkedMode {
  return { kind: "aws-chunked-unsigned-trailer", trailerNames, decodedLengthBytes };
}

Deno.test("aws-chunked enforces x-amz-decoded-content-length with IncompleteBody", async () => {
  const body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  const { data, trailers } = await decode(unsignedMode(5), [utf8.encode(body)]);
  assert.equal(new TextDecoder().decode(data), "hello");
  assert.equal(trailers.get("x-amz-checksum-crc32"), "NhCmhg==");
  await assertDecodeFails("IncompleteBody", unsignedMode(6), body);
  await assertDecodeFails("IncompleteBody", unsignedMode(4), body);
});

Deno.test("aws-chunked fails with IncompleteBody when the body stops early", async () => {
  const body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  for (const cut of [1, 4, 9, 12, body.length - 1]) {
    await assertDecodeFails("IncompleteBody", unsignedMode(5), body.slice(0, cut));
  }
});

Deno.test("aws-chunked refuses malformed framing and oversized chunks with typed errors", async () => {
  await assertDecodeFails("InvalidRequest", unsignedMode(5), "zz\r\nhello\r\n0\r\n\r\n");
  await assertDecodeFails("InvalidRequest", unsignedMode(5), "5\r\nhelloXX0\r\n\r\n");
  await assertDecodeFails("InvalidRequest", unsignedMode(5), "5\nhello\r\n0\r\n\r\n");
  await assertDecodeFails("InvalidRequest", unsignedMode(2 ** 30), "40000000\r\n");
  await assertDecodeFails("InvalidRequest", unsignedMode(5), "5" + ";x".repeat(5000) + "\r\n");
  await assertDecodeFails(
    "InvalidRequest",
    unsignedMode(5, []),
    "5\r\nhello\r\n0\r\n\r\nextra",
  );
  await assertDecodeFails(
    "MalformedTrailerError",
    unsignedMode(5),
    "5\r\nhello\r\n0\r\nnocolon\r\n\r\n",
  );
});

Deno.test("aws-chunked decodes the body @aws-sdk/client-s3 sends for PutObject with a CRC32 trailer", async () => {
  let captured: { headers: Record<string, string>; body: unknown } | undefined;
  const client = new S3Client({
    endpoint: "http://localhost:9000",
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: testAccessKey, secretAccessKey: testSecretKey },
    requestHandler: {
      handle: (request: { headers: Record<string, string>; body: unknown }) => {
        captured = { headers: request.headers, body: request.body };
        return Promise.resolve({
          response: { statusCode: 200, headers: { etag: '"0"' }, body: new Uint8Array() },
        });
      },
    },
  });
  const content = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
  await client.send(
    new PutObjectCommand({
      Bucket: "bucket",
      Key: "k",
      Body: Readable.from([content.subarray(0, 70_000), content.subarray(70_000)]),
      ContentLength: content.length,
    }),
  );
  assert.ok(captured !== undefined);
  const headers = new Headers(captured.headers);
  console.log(
    `SDK sent x-amz-content-sha256: ${headers.get("x-amz-content-sha256")}, trailer: ${
      headers.get("x-amz-trailer")
    }`,
  );
  const chunks: Uint8Array[] = [];
  for await (const piece of captured.body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof piece === "string" ? utf8.encode(piece) : new Uint8Array(piece));
  }
  const bodyBytes = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
  const parts: SignedRequestParts = {
    method: "PUT",
    rawPath: "/bucket/k",
    rawQuery: "x-id=PutObject",
    headers,
  };
  const verified = verifyRequest(parts, { credentials, nowMs: Date.now() });
  assert.equal(verified.payload.kind, "aws-chunked-unsigned-trailer");
  if (verified.payload.kind !== "aws-chunked-unsigned-trailer") return;
  const { data, trailers } = await decode(verified.payload, split(bodyBytes, 42));
  assert.deepEqual(data, content);
  assert.ok(trailers.get("x-amz-checksum-crc32"), "the SDK sent a CRC32 trailer");
});
