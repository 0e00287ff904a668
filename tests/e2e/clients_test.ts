/**
 * Real clients against the compiled binary: AWS CLI v2, boto3, rclone, s3cmd and minio-js,
 * each making a bucket, uploading (large enough to go multipart where the client does),
 * listing, downloading and comparing bytes.
 */
import * as Minio from "minio";
import { assert, assertEquals } from "../../src/testing/assert.ts";
import {
  accessKey,
  md5Hex,
  run,
  type RunningBinary,
  secretKey,
  seededBytes,
  skipWithoutBinary,
  skipWithoutCommand,
  startBinary,
} from "./harness.ts";

async function withServerAndFolder(fn: (server: RunningBinary, folder: string) => Promise<void>) {
  const server = await startBinary();
  const folder = await Deno.makeTempDir({ prefix: "aistor-client-" });
  try {
    await fn(server, folder);
  } finally {
    await server.stop();
    await Deno.remove(folder, { recursive: true });
  }
}

async function writeSample(path: string, sizeBytes: number, seed: number): Promise<string> {
  const bytes = seededBytes(sizeBytes, seed);
  await Deno.writeFile(path, bytes);
  return md5Hex(bytes);
}

async function fileMd5(path: string): Promise<string> {
  return md5Hex(await Deno.readFile(path));
}

const awsEnv = (folder: string) => ({
  AWS_ACCESS_KEY_ID: accessKey,
  AWS_SECRET_ACCESS_KEY: secretKey,
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_CONFIG_FILE: `${folder}/aws-config`,
  AWS_SHARED_CREDENTIALS_FILE: `${folder}/aws-credentials`,
  HOME: folder,
  PATH: "/usr/bin:/bin",
});

Deno.test({
  name: "aws cli v2: mb, cp (multipart), ls, cp back, s3api head and delete",
  ignore: skipWithoutCommand("/usr/bin/aws", "--version"),
  fn: () =>
    withServerAndFolder(async (server, folder) => {
      const env = awsEnv(folder);
      const aws = (...args: string[]) =>
        run("/usr/bin/aws", ["--endpoint-url", server.endpoint, ...args], { env });
      const sum = await writeSample(`${folder}/upload.bin`, 20 * 1024 * 1024 + 5, 11);
      await aws("s3", "mb", "s3://cli");
      await aws("s3", "cp", `${folder}/upload.bin`, "s3://cli/nested/upload.bin");
      assert((await aws("s3", "ls", "s3://cli/nested/")).includes("upload.bin"));
      await aws("s3", "cp", "s3://cli/nested/upload.bin", `${folder}/download.bin`);
      assertEquals(await fileMd5(`${folder}/download.bin`), sum);
      const head = JSON.parse(
        await aws("s3api", "head-object", "--bucket", "cli", "--key", "nested/upload.bin"),
      );
      assertEquals(head.ContentLength, 20 * 1024 * 1024 + 5);
      assert(/-\d+"$/.test(head.ETag), `multipart ETag expected, got ${head.ETag}`);
      await aws("s3", "rm", "s3://cli/nested/upload.bin");
      await aws("s3", "rb", "s3://cli");
    }),
});

Deno.test({
  name: "boto3: put, get, list with delimiter, multipart upload_file, delete_objects",
  ignore: skipWithoutCommand("python3", "-c", "import boto3"),
  fn: () =>
    withServerAndFolder(async (server, folder) => {
      const sum = await writeSample(`${folder}/big.bin`, 12 * 1024 * 1024, 12);
      const script = `
import boto3, hashlib, sys
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="${accessKey}",
                  aws_secret_access_key="${secretKey}", region_name="us-east-1")
s3.create_bucket(Bucket="boto")
s3.put_object(Bucket="boto", Key="a/one.txt", Body=b"one")
s3.put_object(Bucket="boto", Key="a/two.txt", Body=b"two")
s3.put_object(Bucket="boto", Key="b.txt", Body=b"bee")
assert s3.get_object(Bucket="boto", Key="a/two.txt")["Body"].read() == b"two"
listing = s3.list_objects_v2(Bucket="boto", Delimiter="/")
assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["a/"], listing
assert [o["Key"] for o in listing["Contents"]] == ["b.txt"], listing
s3.upload_file(sys.argv[2], "boto", "big.bin", Config=TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024))
body = s3.get_object(Bucket="boto", Key="big.bin")["Body"].read()
print(hashlib.md5(body).hexdigest())
deleted = s3.delete_objects(Bucket="boto", Delete={"Objects": [{"Key": "a/one.txt"}, {"Key": "a/two.txt"}]})
assert len(deleted["Deleted"]) == 2, deleted
assert [o["Key"] for o in s3.list_objects_v2(Bucket="boto")["Contents"]] == ["b.txt", "big.bin"]
`;
      await Deno.writeTextFile(`${folder}/boto.py`, script);
      const out = await run("python3", [`${folder}/boto.py`, server.endpoint, `${folder}/big.bin`]);
      assertEquals(out.trim(), sum);
    }),
});

Deno.test({
  name: "rclone: copy a folder up, list it, check it, copy it back",
  ignore: skipWithoutCommand("rclone", "version"),
  fn: () =>
    withServerAndFolder(async (server, folder) => {
      await Deno.mkdir(`${folder}/src/sub`, { recursive: true });
      const sums = [
        await writeSample(`${folder}/src/small.txt`, 1234, 21),
        await writeSample(`${folder}/src/sub/large.bin`, 9 * 1024 * 1024, 22),
      ];
      const env = {
        RCLONE_CONFIG_AISTOR_TYPE: "s3",
        RCLONE_CONFIG_AISTOR_PROVIDER: "Minio",
        RCLONE_CONFIG_AISTOR_ENDPOINT: server.endpoint,
        RCLONE_CONFIG_AISTOR_ACCESS_KEY_ID: accessKey,
        RCLONE_CONFIG_AISTOR_SECRET_ACCESS_KEY: secretKey,
        RCLONE_CONFIG: `${folder}/rclone.conf`,
        AWS_CA_BUNDLE: "", // a CA bundle from the environment breaks rclone on plain HTTP
        HOME: folder,
      };
      const rclone = (...args: string[]) => run("rclone", args, { env });
      await rclone("mkdir", "aistor:rclone-bucket");
      await rclone(
        "copy",
        "--s3-upload-cutoff",
        "5M",
        "--s3-chunk-size",
        "5M",
        `${folder}/src`,
        "aistor:rclone-bucket/data",
      );
      const listing = (await rclone("lsf", "-R", "aistor:rclone-bucket/data")).trim().split("\n")
        .sort();
      assertEquals(listing, ["small.txt", "sub/", "sub/large.bin"]);
      await rclone("check", `${folder}/src`, "aistor:rclone-bucket/data");
      await rclone("copy", "aistor:rclone-bucket/data", `${folder}/back`);
      assertEquals([
        await fileMd5(`${folder}/back/small.txt`),
        await fileMd5(`${folder}/back/sub/large.bin`),
      ], sums);
    }),
});

Deno.test({
  name: "s3cmd: mb, put (multipart), ls, get, del",
  ignore: skipWithoutCommand("s3cmd", "--version"),
  fn: () =>
    withServerAndFolder(async (server, folder) => {
      const host = server.endpoint.replace("http://", "");
      await Deno.writeTextFile(
        `${folder}/s3cfg`,
        [
          "[default]",
          `access_key = ${accessKey}`,
          `secret_key = ${secretKey}`,
          `host_base = ${host}`,
          `host_bucket = ${host}`,
          "use_https = False",
          "signature_v2 = False",
          "multipart_chunk_size_mb = 5",
        ].join("\n") + "\n",
      );
      const s3cmd = (...args: string[]) => run("s3cmd", ["-c", `${folder}/s3cfg`, ...args]);
      const sum = await writeSample(`${folder}/file.bin`, 11 * 1024 * 1024, 31);
      await s3cmd("mb", "s3://s3cmd");
      await s3cmd("put", `${folder}/file.bin`, "s3://s3cmd/file.bin");
      assert((await s3cmd("ls", "s3://s3cmd")).includes("s3://s3cmd/file.bin"));
      await s3cmd("get", "s3://s3cmd/file.bin", `${folder}/back.bin`);
      assertEquals(await fileMd5(`${folder}/back.bin`), sum);
      await s3cmd("del", "s3://s3cmd/file.bin");
      assertEquals((await s3cmd("ls", "s3://s3cmd")).trim(), "");
    }),
});

Deno.test({
  name: "minio-js: putObject (multipart), statObject, listObjectsV2, presignedGetObject",
  ignore: skipWithoutBinary(),
  fn: () =>
    withServerAndFolder(async (server) => {
      const client = new Minio.Client({
        endPoint: "127.0.0.1",
        port: server.port,
        useSSL: false,
        accessKey,
        secretKey,
        partSize: 5 * 1024 * 1024,
      });
      await client.makeBucket("minio-js");
      const body = seededBytes(11 * 1024 * 1024, 41);
      const { Buffer } = await import("node:buffer");
      await client.putObject("minio-js", "file.bin", Buffer.from(body), body.length);
      const stat = await client.statObject("minio-js", "file.bin");
      assertEquals(stat.size, body.length);
      const names: string[] = [];
      for await (const item of client.listObjectsV2("minio-js", "", true)) {
        names.push((item as { name: string }).name);
      }
      assertEquals(names, ["file.bin"]);
      const url = await client.presignedGetObject("minio-js", "file.bin", 60);
      const fetched = new Uint8Array(await (await fetch(url)).arrayBuffer());
      assertEquals(await md5Hex(fetched), await md5Hex(body));
    }),
});
