import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AuthError } from "./auth_error.ts";
import { createPayloadHashVerifier } from "./payload_hash.ts";

const body = new TextEncoder().encode("Welcome to Amazon S3.");
const oracleHex = createHash("sha256").update(body).digest("hex");

async function pass(hex: string, pieces: Uint8Array[]): Promise<Uint8Array> {
  const out = ReadableStream.from(pieces).pipeThrough(createPayloadHashVerifier(hex));
  return new Uint8Array(await new Response(out).arrayBuffer());
}

Deno.test("createPayloadHashVerifier() passes a body whose SHA-256 matches, in any split", async () => {
  assert.deepEqual(await pass(oracleHex, [body]), body);
  assert.deepEqual(
    await pass(oracleHex.toUpperCase(), [body.subarray(0, 3), body.subarray(3)]),
    body,
  );
  assert.equal(
    oracleHex,
    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
    "AWS's documented hash of 'Welcome to Amazon S3.'",
  );
});

Deno.test("createPayloadHashVerifier() fails with XAmzContentSHA256Mismatch when one byte differs", async () => {
  const changed = body.slice();
  changed[0] ^= 1;
  await assert.rejects(
    pass(oracleHex, [changed]),
    (error: unknown) => error instanceof AuthError && error.code === "XAmzContentSHA256Mismatch",
  );
});
