import { assertEquals, assertRejects } from "../testing/assert.ts";
import { boundaryOf, indexOfBytes, readFormUpload } from "./form_data.ts";
import { S3Error } from "./s3_errors.ts";

const limits = { partHeaderMaxBytes: 8192, fieldMaxBytes: 65536, fieldCountMax: 100 };

/** The runtime's own multipart encoder (Request + FormData) is the oracle for the wire format. */
async function encodeForm(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
  const request = new Request("http://x/", { method: "POST", body: form });
  return {
    bytes: new Uint8Array(await request.arrayBuffer()),
    contentType: request.headers.get("content-type")!,
  };
}

/** Re-chunk bytes at seeded random sizes (1..chunkMax), so boundaries straddle reads. */
function chunked(bytes: Uint8Array, seed: number, chunkMax: number): ReadableStream<Uint8Array> {
  let x = seed || 1;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const size = 1 + ((x >>> 0) % chunkMax);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("readFormUpload reads the fields and streams the file of a runtime-encoded form, any chunking", async () => {
  const seed = Date.now() % 100_000;
  console.log(`form_data seed ${seed}`);
  const fileBytes = new Uint8Array(70_000).map((_, i) => (i * 31 + 7) % 256);
  // a file containing something boundary-like must survive
  fileBytes.set(new TextEncoder().encode("\r\n--not-the-boundary\r\n"), 100);
  for (const chunkMax of [1, 7, 100, 65536]) {
    const form = new FormData();
    form.append("key", "uploads/${filename}");
    form.append("X-Amz-Meta-Color", "blue");
    form.append("Policy", "eyJ4Ijoy}");
    form.append("file", new Blob([fileBytes], { type: "image/png" }), "cat.png");
    form.append("after", "ignored");
    const { bytes, contentType } = await encodeForm(form);
    const upload = await readFormUpload(
      chunked(bytes, seed + chunkMax, chunkMax),
      boundaryOf(contentType),
      limits,
    );
    assertEquals(upload.fields, [
      ["key", "uploads/${filename}"],
      ["X-Amz-Meta-Color", "blue"],
      ["Policy", "eyJ4Ijoy}"],
    ]);
    assertEquals([upload.file.filename, upload.file.contentType], ["cat.png", "image/png"]);
    assertEquals(await collect(upload.file.stream), fileBytes, `chunkMax ${chunkMax}`);
  }
});

Deno.test("readFormUpload rejects a form without a file and one cut short with MalformedPOSTRequest", async () => {
  const form = new FormData();
  form.append("key", "k");
  const { bytes, contentType } = await encodeForm(form);
  await assertRejects(
    () => readFormUpload(chunked(bytes, 1, 50), boundaryOf(contentType), limits),
    S3Error,
  );
  const withFile = new FormData();
  withFile.append("file", new Blob(["abcdef"]), "f");
  const encoded = await encodeForm(withFile);
  const cut = encoded.bytes.slice(0, encoded.bytes.length - 20);
  const upload = await readFormUpload(chunked(cut, 2, 50), boundaryOf(encoded.contentType), limits);
  await assertRejects(() => collect(upload.file.stream), S3Error);
});

Deno.test("indexOfBytes finds a needle across positions", () => {
  const hay = new TextEncoder().encode("aab--b--bo--boundary");
  assertEquals(indexOfBytes(hay, new TextEncoder().encode("--boundary")), 10);
  assertEquals(indexOfBytes(hay, new TextEncoder().encode("zz")), -1);
});
