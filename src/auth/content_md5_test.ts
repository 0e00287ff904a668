import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AuthError } from "./auth_error.ts";
import { createContentMd5Verifier, parseContentMd5 } from "./content_md5.ts";

const body = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
const oracle = createHash("md5").update(body).digest("base64");

async function run(header: string, bytes: Uint8Array): Promise<Uint8Array> {
  const out = ReadableStream.from([bytes.subarray(0, 10), bytes.subarray(10)]).pipeThrough(
    createContentMd5Verifier(header),
  );
  return new Uint8Array(await new Response(out).arrayBuffer());
}

Deno.test("createContentMd5Verifier() passes a body whose MD5 matches node:crypto's", async () => {
  assert.equal(oracle, "nhB9nTcrtoJr2B01QqQZ1g==");
  assert.deepEqual(await run(oracle, body), body);
});

Deno.test("createContentMd5Verifier() fails with BadDigest on a changed body and InvalidDigest on a bad header", async () => {
  const changed = body.slice();
  changed[5] ^= 1;
  await assert.rejects(
    run(oracle, changed),
    (e: unknown) => e instanceof AuthError && e.code === "BadDigest",
  );
  for (const bad of ["", "abc", btoa("fifteen bytes!!"), "not base64"]) {
    assert.throws(
      () => parseContentMd5(bad),
      (e: unknown) => e instanceof AuthError && e.code === "InvalidDigest",
    );
  }
});
