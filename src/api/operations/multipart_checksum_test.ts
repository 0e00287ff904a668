/**
 * Multipart checksums through the official AWS SDK against the app on memory drives: the
 * expected COMPOSITE and FULL_OBJECT values are computed here from @aws-crypto/crc32,
 * @aws-sdk/crc64-nvme and node:crypto over the bytes sent, never from the code under test.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { crc32 } from "@aws-crypto/crc32";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { assertEquals } from "../../testing/assert.ts";
import { seededBytes, seededRandom } from "../../testing/seeded_random.ts";
import { failure, startAppServer } from "../_support_test.ts";

const accessKey = "AKIAAISTORMPCHECKSUM";
const secretKey = "aistor-mp-checksum-secret-0123456789abc";
const MiB = 1024 * 1024;
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`multipart_checksum_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

async function startServer() {
  /** x-amz-trailer of every request, to show which bodies carried their checksum in a trailer. */
  const trailers: string[] = [];
  const server = await startAppServer({
    credentials: { accessKey, secretKey },
    onRequest: (request) => {
      const trailer = request.headers.get("x-amz-trailer");
      if (trailer !== null) trailers.push(trailer);
    },
  });
  return {
    s3: server.client(),
    // A client that sends no checksum unless an operation requires one.
    bare: server.client({ requestChecksumCalculation: "WHEN_REQUIRED" }),
    trailers,
    close: server.close,
  };
}

function be32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const crc32Raw = (bytes: Uint8Array) => be32(crc32(bytes));

async function crc64NvmeRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const crc = new Crc64Nvme();
  crc.update(bytes);
  return await crc.digest();
}

async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> } | undefined) {
  if (body === undefined) throw new Error("no body");
  return await body.transformToByteArray();
}

/** Create an upload with the algorithm (and type), then upload `parts` with that algorithm. */
async function uploadParts(
  s3: S3Client,
  parts: Uint8Array[],
  key: string,
  algorithm: "CRC32" | "CRC64NVME" | "SHA256",
  checksumType?: "COMPOSITE" | "FULL_OBJECT",
) {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: "sums",
      Key: key,
      ChecksumAlgorithm: algorithm,
      ...(checksumType === undefined ? {} : { ChecksumType: checksumType }),
    }),
  );
  const uploaded = [];
  for (const [i, bytes] of parts.entries()) {
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: "sums",
        Key: key,
        UploadId: created.UploadId,
        PartNumber: i + 1,
        Body: bytes,
        ChecksumAlgorithm: algorithm,
      }),
    );
    uploaded.push(part);
  }
  return { created, uploaded };
}

Deno.test("multipart checksums through the AWS SDK", async (t) => {
  const random = seededRandom(seed);
  const parts = [seededBytes(random, 5 * MiB), seededBytes(random, 1 * MiB + 17)];
  const { s3, bare, trailers, close } = await startServer();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "sums" }));

    await t.step(
      "CRC32 COMPOSITE: crc32 of the raw part CRCs, -2, on Complete and HEAD",
      async () => {
        const { created, uploaded } = await uploadParts(s3, parts, "composite", "CRC32");
        assertEquals(created.ChecksumAlgorithm, "CRC32");
        assertEquals(created.ChecksumType, "COMPOSITE");
        const partCrcs = parts.map(crc32Raw);
        assertEquals(uploaded.map((p) => p.ChecksumCRC32), partCrcs.map(base64));
        const listed = await s3.send(
          new ListPartsCommand({ Bucket: "sums", Key: "composite", UploadId: created.UploadId }),
        );
        assertEquals(listed.Parts?.map((p) => p.ChecksumCRC32), partCrcs.map(base64));
        assertEquals(listed.ChecksumAlgorithm, "CRC32");

        const expected = `${base64(crc32Raw(concat(partCrcs)))}-2`;
        const done = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "sums",
            Key: "composite",
            UploadId: created.UploadId,
            MultipartUpload: {
              Parts: uploaded.map((p, i) => ({
                ETag: p.ETag,
                PartNumber: i + 1,
                ChecksumCRC32: p.ChecksumCRC32,
              })),
            },
          }),
        );
        assertEquals(done.ChecksumCRC32, expected);
        assertEquals(done.ChecksumType, "COMPOSITE");

        const head = await s3.send(
          new HeadObjectCommand({ Bucket: "sums", Key: "composite", ChecksumMode: "ENABLED" }),
        );
        assertEquals(head.ChecksumCRC32, expected);
        assertEquals(head.ChecksumType, "COMPOSITE");
        const plainHead = await s3.send(
          new HeadObjectCommand({ Bucket: "sums", Key: "composite" }),
        );
        assertEquals(plainHead.ChecksumCRC32, undefined);

        // A part read in checksum mode carries that part's CRC (the SDK validates the body too).
        const part2 = await s3.send(
          new GetObjectCommand({
            Bucket: "sums",
            Key: "composite",
            PartNumber: 2,
            ChecksumMode: "ENABLED",
          }),
        );
        assertEquals(part2.ChecksumCRC32, base64(partCrcs[1]));
        assertEquals(await bodyBytes(part2.Body), parts[1]);
      },
    );

    await t.step("CRC64NVME defaults to FULL_OBJECT: the CRC64 of the whole object", async () => {
      const { created, uploaded } = await uploadParts(s3, parts, "full", "CRC64NVME");
      assertEquals(created.ChecksumType, "FULL_OBJECT");
      const expected = base64(await crc64NvmeRaw(concat(parts)));
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "full",
          UploadId: created.UploadId,
          MultipartUpload: {
            Parts: uploaded.map((p, i) => ({
              ETag: p.ETag,
              PartNumber: i + 1,
              ChecksumCRC64NVME: p.ChecksumCRC64NVME,
            })),
          },
        }),
      );
      assertEquals(done.ChecksumCRC64NVME, expected);
      assertEquals(done.ChecksumType, "FULL_OBJECT");
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: "sums", Key: "full", ChecksumMode: "ENABLED" }),
      );
      assertEquals(head.ChecksumCRC64NVME, expected);
      assertEquals(head.ChecksumType, "FULL_OBJECT");
      // GetObject in checksum mode: the SDK checks the whole body against the full-object CRC.
      const got = await s3.send(
        new GetObjectCommand({ Bucket: "sums", Key: "full", ChecksumMode: "ENABLED" }),
      );
      assertEquals(got.ChecksumCRC64NVME, expected);
      assertEquals(await bodyBytes(got.Body), concat(parts));
    });

    await t.step("SHA256 COMPOSITE: sha256 of the raw part digests, -2", async () => {
      const { created, uploaded } = await uploadParts(s3, parts, "sha", "SHA256");
      const partDigests = parts.map((p) => new Uint8Array(createHash("sha256").update(p).digest()));
      const expected = `${createHash("sha256").update(concat(partDigests)).digest("base64")}-2`;
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "sha",
          UploadId: created.UploadId,
          MultipartUpload: {
            Parts: uploaded.map((p, i) => ({ ETag: p.ETag, PartNumber: i + 1 })),
          },
        }),
      );
      assertEquals(done.ChecksumSHA256, expected);
    });

    await t.step("a part whose CRC32 comes only in a trailer has it stored", async () => {
      const created = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: "sums",
          Key: "trail",
          ChecksumAlgorithm: "CRC32",
        }),
      );
      // A stream body makes the SDK send aws-chunked with the checksum as a trailer.
      trailers.length = 0;
      const sent = await s3.send(
        new UploadPartCommand({
          Bucket: "sums",
          Key: "trail",
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: Readable.from([parts[1]]),
          ContentLength: parts[1].length,
          ChecksumAlgorithm: "CRC32",
        }),
      );
      assertEquals(trailers, ["x-amz-checksum-crc32"]);
      const listed = await s3.send(
        new ListPartsCommand({ Bucket: "sums", Key: "trail", UploadId: created.UploadId }),
      );
      assertEquals(listed.Parts?.map((p) => p.ChecksumCRC32), [base64(crc32Raw(parts[1]))]);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "trail",
          UploadId: created.UploadId,
          MultipartUpload: { Parts: [{ ETag: sent.ETag, PartNumber: 1 }] },
        }),
      );
      assertEquals(done.ChecksumCRC32, `${base64(crc32Raw(crc32Raw(parts[1])))}-1`);
    });

    await t.step("FULL_OBJECT with SHA256 is refused at create", async () => {
      const refused = await failure(s3.send(
        new CreateMultipartUploadCommand({
          Bucket: "sums",
          Key: "nope",
          ChecksumAlgorithm: "SHA256",
          ChecksumType: "FULL_OBJECT",
        }),
      ));
      assertEquals(refused, { code: "InvalidRequest", status: 400 });
    });

    await t.step("a part without the upload's checksum is refused", async () => {
      const created = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: "sums",
          Key: "bare",
          ChecksumAlgorithm: "CRC32",
        }),
      );
      const refused = await failure(s3.send(
        new UploadPartCommand({
          Bucket: "sums",
          Key: "bare",
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: parts[1],
          ChecksumAlgorithm: "SHA256",
        }),
      ));
      assertEquals(refused, { code: "InvalidRequest", status: 400 });
    });

    await t.step(
      "a part with no checksum at all is refused: x-amz-checksum-crc32 required",
      async () => {
        const created = await s3.send(
          new CreateMultipartUploadCommand({
            Bucket: "sums",
            Key: "none",
            ChecksumAlgorithm: "CRC32",
          }),
        );
        const refused = await failure(bare.send(
          new UploadPartCommand({
            Bucket: "sums",
            Key: "none",
            UploadId: created.UploadId,
            PartNumber: 1,
            Body: parts[1],
          }),
        ));
        assertEquals(refused, { code: "InvalidRequest", status: 400 });
      },
    );

    await t.step(
      "the whole object's CRC64NVME declared at Complete is checked: BadDigest when wrong",
      async () => {
        const { uploaded, created } = await uploadParts(s3, parts, "declared", "CRC64NVME");
        const complete = (objectChecksum: string) =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: "sums",
              Key: "declared",
              UploadId: created.UploadId,
              ChecksumCRC64NVME: objectChecksum,
              ChecksumType: "FULL_OBJECT",
              MultipartUpload: {
                Parts: uploaded.map((p, i) => ({
                  ETag: p.ETag,
                  PartNumber: i + 1,
                  ChecksumCRC64NVME: p.ChecksumCRC64NVME,
                })),
              },
            }),
          );
        const refused = await failure(complete(base64(await crc64NvmeRaw(parts[0]))));
        assertEquals(refused.code, "BadDigest");
        const listed = await s3.send(
          new ListPartsCommand({ Bucket: "sums", Key: "declared", UploadId: created.UploadId }),
        );
        assertEquals(listed.Parts?.length, 2, "nothing was committed");
        const expected = base64(await crc64NvmeRaw(concat(parts)));
        const done = await complete(expected);
        assertEquals(done.ChecksumCRC64NVME, expected);
      },
    );

    await t.step("a wrong part checksum at Complete is InvalidPart; the upload stays", async () => {
      const { created, uploaded } = await uploadParts(s3, parts, "wrong", "CRC32");
      const complete = (checksums: (string | undefined)[]) =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "sums",
            Key: "wrong",
            UploadId: created.UploadId,
            MultipartUpload: {
              Parts: uploaded.map((p, i) => ({
                ETag: p.ETag,
                PartNumber: i + 1,
                ChecksumCRC32: checksums[i],
              })),
            },
          }),
        );
      const refused = await failure(complete([uploaded[0].ChecksumCRC32, "AAAAAA=="]));
      assertEquals(refused, { code: "InvalidPart", status: 400 });
      const listed = await s3.send(
        new ListPartsCommand({ Bucket: "sums", Key: "wrong", UploadId: created.UploadId }),
      );
      assertEquals(listed.Parts?.length, 2);
      const done = await complete(uploaded.map((p) => p.ChecksumCRC32));
      assertEquals(done.ChecksumCRC32, `${base64(crc32Raw(concat(parts.map(crc32Raw))))}-2`);
    });
  } finally {
    await close();
  }
});
