/**
 * @aws-sdk/client-s3 v3 (default checksums on: aws-chunked bodies with CRC32 trailers) against
 * the compiled binary: round trips, a 64 MiB multipart upload, listing 2,000 keys with a
 * delimiter, presigned GET and PUT through curl, versioning, and policy-based anonymous read.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assert, assertEquals, assertRejects } from "../../src/testing/assert.ts";
import {
  md5Hex,
  run,
  type RunningBinary,
  s3Client,
  seededBytes,
  skipWithoutBinary,
  startBinary,
} from "./harness.ts";

const ignore = skipWithoutBinary();

async function withServer(fn: (client: S3Client, server: RunningBinary) => Promise<void>) {
  const server = await startBinary();
  const client = s3Client(server.endpoint);
  try {
    await fn(client, server);
  } finally {
    client.destroy();
    await server.stop();
  }
}

Deno.test({
  name: "sdk: objects round trip with metadata, content type and ranges",
  ignore,
  fn: () =>
    withServer(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: "round" }));
      const body = seededBytes(3 * 1024 * 1024 + 17, 7);
      const put = await client.send(
        new PutObjectCommand({
          Bucket: "round",
          Key: "dir/obj.bin",
          Body: body,
          ContentType: "application/x-test",
          Metadata: { colour: "blue" },
        }),
      );
      assertEquals(put.ETag, `"${await md5Hex(body)}"`);
      const head = await client.send(
        new HeadObjectCommand({ Bucket: "round", Key: "dir/obj.bin" }),
      );
      assertEquals([head.ContentLength, head.ContentType, head.Metadata?.colour], [
        body.length,
        "application/x-test",
        "blue",
      ]);
      const got = await client.send(new GetObjectCommand({ Bucket: "round", Key: "dir/obj.bin" }));
      assertEquals(await got.Body!.transformToByteArray(), body);
      const range = await client.send(
        new GetObjectCommand({
          Bucket: "round",
          Key: "dir/obj.bin",
          Range: "bytes=1048570-1048585",
        }),
      );
      assertEquals(await range.Body!.transformToByteArray(), body.slice(1048570, 1048586));
      const missing = await assertRejects(() =>
        client.send(new GetObjectCommand({ Bucket: "round", Key: "nope" }))
      );
      assertEquals((missing as S3ServiceException).name, "NoSuchKey");
    }),
});

Deno.test({
  name: "sdk: a 64 MiB multipart upload reads back whole with a multipart ETag",
  ignore,
  fn: () =>
    withServer(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: "multi" }));
      const partBytes = 8 * 1024 * 1024;
      const parts = Array.from({ length: 8 }, (_, i) => seededBytes(partBytes, 100 + i));
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: "multi", Key: "big" }),
      );
      const etags: string[] = [];
      for (const [i, part] of parts.entries()) {
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket: "multi",
            Key: "big",
            UploadId,
            PartNumber: i + 1,
            Body: part,
          }),
        );
        etags.push(ETag!);
      }
      const done = await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: "multi",
          Key: "big",
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      assert(/^"[0-9a-f]{32}-8"$/.test(done.ETag ?? ""), done.ETag);
      const got = await client.send(new GetObjectCommand({ Bucket: "multi", Key: "big" }));
      const bytes = await got.Body!.transformToByteArray();
      assertEquals(bytes.length, 64 * 1024 * 1024);
      const whole = new Uint8Array(64 * 1024 * 1024);
      parts.forEach((part, i) => whole.set(part, i * partBytes));
      assertEquals(await md5Hex(bytes), await md5Hex(whole));
    }),
});

Deno.test({
  name: "sdk: listing 2,000 keys with a delimiter and pagination",
  ignore,
  fn: () =>
    withServer(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: "many" }));
      const keys = Array.from({ length: 2000 }, (_, i) => `dir${i % 20}/file${i}`);
      for (let i = 0; i < keys.length; i += 32) {
        await Promise.all(
          keys.slice(i, i + 32).map((Key) =>
            client.send(new PutObjectCommand({ Bucket: "many", Key, Body: Key }))
          ),
        );
      }
      const top = await client.send(new ListObjectsV2Command({ Bucket: "many", Delimiter: "/" }));
      assertEquals(
        top.CommonPrefixes?.map((p) => p.Prefix),
        Array.from({ length: 20 }, (_, i) => `dir${i}/`).sort(),
      );
      const listed: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: "many", MaxKeys: 333, ContinuationToken }),
        );
        listed.push(...(page.Contents ?? []).map((o) => o.Key!));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      assertEquals(listed, [...keys].sort());
    }),
});

Deno.test({
  name: "sdk: presigned GET and PUT work through curl",
  ignore,
  fn: () =>
    withServer(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: "signed" }));
      const putUrl = await getSignedUrl(
        client,
        new PutObjectCommand({ Bucket: "signed", Key: "via curl.txt" }),
        { expiresIn: 300 },
      );
      await run("curl", ["-sf", "-X", "PUT", "--data-binary", "presigned body", putUrl]);
      const getUrl = await getSignedUrl(
        client,
        new GetObjectCommand({ Bucket: "signed", Key: "via curl.txt" }),
        { expiresIn: 300 },
      );
      assertEquals(await run("curl", ["-sf", getUrl]), "presigned body");
      const tampered = getUrl.replace("via%20curl.txt", "other.txt");
      const response = await fetch(tampered);
      assertEquals(response.status, 403);
      assert((await response.text()).includes("SignatureDoesNotMatch"));
    }),
});

Deno.test({
  name: "sdk: versioning keeps every version and delete markers hide the latest",
  ignore,
  fn: () =>
    withServer(async (client) => {
      await client.send(new CreateBucketCommand({ Bucket: "versions" }));
      await client.send(
        new PutBucketVersioningCommand({
          Bucket: "versions",
          VersioningConfiguration: { Status: "Enabled" },
        }),
      );
      const v1 = await client.send(
        new PutObjectCommand({ Bucket: "versions", Key: "k", Body: "one" }),
      );
      const v2 = await client.send(
        new PutObjectCommand({ Bucket: "versions", Key: "k", Body: "two" }),
      );
      assert(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
      const old = await client.send(
        new GetObjectCommand({ Bucket: "versions", Key: "k", VersionId: v1.VersionId }),
      );
      assertEquals(await old.Body!.transformToString(), "one");
      const deleted = await client.send(new DeleteObjectCommand({ Bucket: "versions", Key: "k" }));
      assertEquals(deleted.DeleteMarker, true);
      await assertRejects(() =>
        client.send(new GetObjectCommand({ Bucket: "versions", Key: "k" }))
      );
      const listing = await client.send(new ListObjectVersionsCommand({ Bucket: "versions" }));
      assertEquals(listing.Versions?.map((v) => v.VersionId), [v2.VersionId, v1.VersionId]);
      assertEquals(listing.DeleteMarkers?.length, 1);
      await client.send(
        new DeleteObjectCommand({
          Bucket: "versions",
          Key: "k",
          VersionId: listing.DeleteMarkers![0].VersionId,
        }),
      );
      const back = await client.send(new GetObjectCommand({ Bucket: "versions", Key: "k" }));
      assertEquals(await back.Body!.transformToString(), "two");
    }),
});

Deno.test({
  name: "sdk: a bucket policy opens anonymous reads and nothing else",
  ignore,
  fn: () =>
    withServer(async (client, server) => {
      await client.send(new CreateBucketCommand({ Bucket: "public" }));
      await client.send(new PutObjectCommand({ Bucket: "public", Key: "a.txt", Body: "open" }));
      const before = await fetch(`${server.endpoint}/public/a.txt`);
      assertEquals(before.status, 403);
      await before.body?.cancel();
      await client.send(
        new PutBucketPolicyCommand({
          Bucket: "public",
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
              Effect: "Allow",
              Principal: { AWS: ["*"] },
              Action: ["s3:GetObject"],
              Resource: ["arn:aws:s3:::public/*"],
            }],
          }),
        }),
      );
      const after = await fetch(`${server.endpoint}/public/a.txt`);
      assertEquals([after.status, await after.text()], [200, "open"]);
      const list = await fetch(`${server.endpoint}/public?list-type=2`);
      assertEquals(list.status, 403);
      await list.body?.cancel();
      const put = await fetch(`${server.endpoint}/public/b.txt`, { method: "PUT", body: "x" });
      assertEquals(put.status, 403);
      await put.body?.cancel();
    }),
});
