import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "@aws-crypto/crc32";
import { crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { AuthError } from "./auth_error.ts";
import {
  type ChecksumAlgorithm,
  checksumAlgorithmOfHeader,
  checksumAlgorithms,
  checksumOf,
  compositeChecksum,
  createChecksum,
  createChecksumStream,
  decodeChecksum,
  fullObjectChecksum,
  toBase64,
  verifyChecksum,
} from "./checksum.ts";

/** Seeded bytes (xorshift32); the seed is printed by the tests that use it. */
function randomBytes(length: number, seed: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

function be32(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** The reference packages' answers, base64 as S3 sends them. */
async function oracle(algorithm: ChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  switch (algorithm) {
    case "CRC32":
      return toBase64(be32(crc32(bytes)));
    case "CRC32C":
      return toBase64(be32(crc32c(bytes)));
    case "CRC64NVME": {
      const crc = new Crc64Nvme();
      crc.update(bytes);
      return toBase64(await crc.digest());
    }
    case "SHA1":
      return createHash("sha1").update(bytes).digest("base64");
    case "SHA256":
      return createHash("sha256").update(bytes).digest("base64");
  }
}

Deno.test("checksums of the standard check string '123456789' match the CRC catalogue", () => {
  const check = new TextEncoder().encode("123456789");
  const hex = (b64: string) =>
    [...atob(b64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  assert.equal(hex(checksumOf("CRC32", check)), "cbf43926");
  assert.equal(hex(checksumOf("CRC32C", check)), "e3069283");
  assert.equal(hex(checksumOf("CRC64NVME", check)), "ae8b14860a799888");
});

Deno.test("every algorithm agrees with its reference package on random data of many lengths", async () => {
  const seed = Date.now() % 1_000_000;
  console.log(`random data seed ${seed}`);
  const lengths = [0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1000, 4099, 65_536 + 5];
  for (const algorithm of checksumAlgorithms) {
    for (const length of lengths) {
      const bytes = randomBytes(length, seed + length);
      assert.equal(
        checksumOf(algorithm, bytes),
        await oracle(algorithm, bytes),
        `${algorithm} len ${length} seed ${seed}`,
      );
    }
  }
});

Deno.test("incremental updates in uneven pieces give the one-shot checksum", async () => {
  const seed = 1234;
  const bytes = randomBytes(10_007, seed);
  for (const algorithm of checksumAlgorithms) {
    const checksum = createChecksum(algorithm);
    for (
      let offset = 0, size = 1;
      offset < bytes.length;
      offset += size, size = (size * 3 + 1) % 997
    ) {
      checksum.update(bytes.subarray(offset, offset + size));
    }
    assert.equal(toBase64(checksum.digest()), await oracle(algorithm, bytes), algorithm);
  }
});

Deno.test("CRC32C of AWS's 66560-byte streaming example is the documented trailer sOO8/Q==", () => {
  assert.equal(checksumOf("CRC32C", new Uint8Array(66560).fill(0x61)), "sOO8/Q==");
});

Deno.test("createChecksumStream() passes bytes through and reports every requested checksum", async () => {
  const bytes = randomBytes(300_000, 99);
  const checksums = createChecksumStream(["CRC32", "SHA256", "CRC64NVME", "CRC32"]);
  const out = ReadableStream.from([bytes.subarray(0, 12345), bytes.subarray(12345)]).pipeThrough(
    checksums,
  );
  assert.deepEqual(new Uint8Array(await new Response(out).arrayBuffer()), bytes);
  const digests = await checksums.digests;
  assert.deepEqual(Object.keys(digests).sort(), ["CRC32", "CRC64NVME", "SHA256"]);
  assert.equal(digests.CRC32, await oracle("CRC32", bytes));
  assert.equal(digests.SHA256, await oracle("SHA256", bytes));
  assert.equal(digests.CRC64NVME, await oracle("CRC64NVME", bytes));
});

Deno.test("fullObjectChecksum() of parts equals the reference CRC of the whole object", async () => {
  const seed = Date.now() % 1_000_000;
  console.log(`multipart seed ${seed}`);
  const whole = randomBytes(50_000, seed);
  const cuts = [0, 1, 17, 4096, 33_333, 49_999, 50_000];
  const parts = cuts.slice(1).map((end, i) => whole.subarray(cuts[i], end));
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
    const partChecksums = parts.map((p) => ({
      checksum: checksumOf(algorithm, p),
      sizeBytes: p.length,
    }));
    assert.equal(
      fullObjectChecksum(algorithm, partChecksums),
      await oracle(algorithm, whole),
      `${algorithm} seed ${seed}`,
    );
  }
  assert.throws(
    () => fullObjectChecksum("SHA256", [{ checksum: checksumOf("SHA256", whole), sizeBytes: 1 }]),
    AuthError,
  );
});

Deno.test("compositeChecksum() is the checksum of the concatenated raw part checksums with -N", async () => {
  const parts = [randomBytes(1000, 1), randomBytes(2000, 2), randomBytes(10, 3)];
  for (const algorithm of checksumAlgorithms) {
    const partChecksums = parts.map((p) => checksumOf(algorithm, p));
    const raw = partChecksums.map((c) => Uint8Array.from(atob(c), (ch) => ch.charCodeAt(0)));
    const concatenated = new Uint8Array(raw.reduce((n, r) => n + r.length, 0));
    raw.reduce((offset, r) => (concatenated.set(r, offset), offset + r.length), 0);
    assert.equal(
      compositeChecksum(algorithm, partChecksums),
      `${await oracle(algorithm, concatenated)}-3`,
    );
  }
});

Deno.test("decodeChecksum() and verifyChecksum() refuse malformed values and report BadDigest on mismatch", () => {
  assert.equal(decodeChecksum("CRC32", "sOO8/Q==").length, 4);
  for (const bad of ["", "sOO8/Q=", "sOO8", "AAAAAAAAAAA=", "not base64!"]) {
    assert.throws(
      () => decodeChecksum("CRC32", bad),
      (e: unknown) => e instanceof AuthError && e.code === "InvalidRequest",
    );
  }
  assert.doesNotThrow(() => verifyChecksum("CRC32C", "sOO8/Q==", "sOO8/Q=="));
  assert.throws(
    () => verifyChecksum("CRC32C", "AAAAAA==", "sOO8/Q=="),
    (e: unknown) => e instanceof AuthError && e.code === "BadDigest",
  );
  assert.equal(checksumAlgorithmOfHeader("X-Amz-Checksum-CRC64NVME"), "CRC64NVME");
  assert.equal(checksumAlgorithmOfHeader("x-amz-checksum-md5"), undefined);
});
