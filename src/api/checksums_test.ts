import { AwsCrc32 } from "@aws-crypto/crc32";
import { assertEquals, assertRejects, assertThrows } from "../testing/assert.ts";
import { checksumStream, requestedChecksum } from "./checksums.ts";

async function crc32Base64(text: string): Promise<string> {
  const crc = new AwsCrc32();
  crc.update(new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...await crc.digest()));
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("requestedChecksum reads a header value, a declared trailer, or only the SDK's algorithm", () => {
  assertEquals(requestedChecksum(new Headers({ "x-amz-checksum-crc32": "AAAAAA==" })), {
    algorithm: "CRC32",
    expected: "AAAAAA==",
  });
  assertEquals(requestedChecksum(new Headers({ "x-amz-trailer": "x-amz-checksum-crc32c" })), {
    algorithm: "CRC32C",
    trailerName: "x-amz-checksum-crc32c",
  });
  assertEquals(requestedChecksum(new Headers({ "x-amz-sdk-checksum-algorithm": "sha256" })), {
    algorithm: "SHA256",
  });
  assertEquals(requestedChecksum(new Headers()), undefined);
  assertThrows(() => requestedChecksum(new Headers({ "x-amz-checksum-crc32": "not base64!" })));
  assertThrows(() =>
    requestedChecksum(
      new Headers({ "x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-sha1": "x" }),
    )
  );
});

Deno.test("checksumStream passes bytes on, reports the CRC32 the reference library computes, fails on a mismatch", async () => {
  const body = "the quick brown fox";
  const expected = await crc32Base64(body);
  const digests: string[] = [];
  const ok = new Response(body).body!.pipeThrough(
    checksumStream({ algorithm: "CRC32", expected }, {
      onDigest: (_, value) => digests.push(value),
    }),
  );
  assertEquals(await drain(ok), body);
  assertEquals(digests, [expected]);
  const bad = new Response(body).body!.pipeThrough(
    checksumStream({ algorithm: "CRC32", expected: "AAAAAA==" }, {
      onDigest: () => digests.push("no"),
    }),
  );
  await assertRejects(() => drain(bad));
  assertEquals(digests, [expected]);
});

Deno.test("checksumStream takes the value from the trailers when it was declared as a trailer", async () => {
  const body = "trailing";
  const trailers = Promise.resolve(
    new Headers({ "x-amz-checksum-crc32": await crc32Base64(body) }),
  );
  const stream = new Response(body).body!.pipeThrough(
    checksumStream({ algorithm: "CRC32", trailerName: "x-amz-checksum-crc32" }, {
      trailers,
      onDigest: () => {},
    }),
  );
  assertEquals(await drain(stream), body);
  const missing = new Response(body).body!.pipeThrough(
    checksumStream({ algorithm: "CRC32", trailerName: "x-amz-checksum-crc32" }, {
      trailers: Promise.resolve(new Headers()),
      onDigest: () => {},
    }),
  );
  await assertRejects(() => drain(missing));
});
