/**
 * MinIO's object-or-prefix rule through the AWS SDK against the compiled binary: a key under
 * an object is XMinioParentIsObject (400), a key over objects is XMinioObjectExistsAsDirectory
 * (409), for PutObject and CompleteMultipartUpload, with MinIO's messages.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { assertEquals } from "../../src/testing/assert.ts";
import { s3Client, skipWithoutBinary, startBinary } from "./harness.ts";

const ignore = skipWithoutBinary();

async function s3Failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

Deno.test({
  name:
    "PUT under an object is XMinioParentIsObject (400); PUT over objects is XMinioObjectExistsAsDirectory (409)",
  ignore,
  async fn() {
    const server = await startBinary();
    const client = s3Client(server.endpoint);
    try {
      await client.send(new CreateBucketCommand({ Bucket: "names" }));
      const put = (key: string) =>
        client.send(new PutObjectCommand({ Bucket: "names", Key: key, Body: "x" }));
      await put("a");
      await put("dir/inner");
      const under = await s3Failure(put("a/x"));
      assertEquals(under.name, "XMinioParentIsObject");
      assertEquals(under.$metadata.httpStatusCode, 400);
      assertEquals(
        under.message,
        "Object-prefix is already an object, please choose a different object-prefix name.",
      );
      const over = await s3Failure(put("dir"));
      assertEquals(over.name, "XMinioObjectExistsAsDirectory");
      assertEquals(over.$metadata.httpStatusCode, 409);
      assertEquals(over.message, "Object name already exists as a directory.");

      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: "names", Key: "a/big" }),
      );
      const part = await client.send(
        new UploadPartCommand({
          Bucket: "names",
          Key: "a/big",
          UploadId,
          PartNumber: 1,
          Body: "part",
        }),
      );
      const complete = await s3Failure(client.send(
        new CompleteMultipartUploadCommand({
          Bucket: "names",
          Key: "a/big",
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ));
      assertEquals(complete.name, "XMinioParentIsObject");
    } finally {
      client.destroy();
      await server.stop();
    }
  },
});
