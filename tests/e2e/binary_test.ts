/**
 * The single executable, copied alone into an empty folder, starts on its default data
 * folder, answers health checks and serves SDK-signed requests; bad arguments fail with one
 * clear line and a non-zero exit.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { assert, assertEquals } from "../../src/testing/assert.ts";
import { binaryPath, run, s3Client, skipWithoutBinary, startBinary } from "./harness.ts";

const ignore = skipWithoutBinary();

Deno.test({
  name: "the binary alone in an empty folder serves on its default data folder",
  ignore,
  async fn() {
    const folder = await Deno.makeTempDir({ prefix: "aistor-alone-" });
    const copy = `${folder}/aistor`;
    await Deno.copyFile(binaryPath, copy);
    await Deno.chmod(copy, 0o755);
    // No PATH: nothing of Deno, Bun or Node can be found by the binary.
    const server = await startBinary({
      binary: copy,
      cwd: folder,
      driveArgs: () => [],
      env: { PATH: "" },
    });
    try {
      const live = await fetch(`${server.endpoint}/minio/health/live`);
      await live.body?.cancel();
      assertEquals(live.status, 200);
      const client = s3Client(server.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: "alone" }));
      await client.send(
        new PutObjectCommand({ Bucket: "alone", Key: "hello.txt", Body: "hello from one file" }),
      );
      const got = await client.send(new GetObjectCommand({ Bucket: "alone", Key: "hello.txt" }));
      assertEquals(await got.Body?.transformToString(), "hello from one file");
      const buckets = await client.send(new ListBucketsCommand({}));
      assertEquals(buckets.Buckets?.map((b) => b.Name), ["alone"]);
      const drives = [...Deno.readDirSync(`${folder}/aistor-data`)].map((e) => e.name).sort();
      assertEquals(drives, ["drive1", "drive2", "drive3", "drive4"]);
      client.destroy();
    } finally {
      await server.stop();
      await Deno.remove(folder, { recursive: true });
    }
  },
});

async function failingStart(args: string[]): Promise<{ code: number; stderr: string }> {
  const result = await new Deno.Command(binaryPath, {
    args,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000), // a server that started by mistake is stopped
  }).output();
  return { code: result.code, stderr: new TextDecoder().decode(result.stderr) };
}

Deno.test({
  name: "bad drive arguments fail with one clear line and exit non-zero",
  ignore,
  async fn() {
    const folder = await Deno.makeTempDir({ prefix: "aistor-bad-" });
    try {
      await Deno.writeTextFile(`${folder}/file`, "not a directory");
      const cases: [string[], RegExp][] = [
        [["serve", `${folder}/d{1...17}`], /17 drives|erasure set/],
        [["serve", `${folder}/d{1...4`], /brace|Cannot/],
        [["serve", `${folder}/file`, `${folder}/b`, `${folder}/c`, `${folder}/d`], /is a file/],
        [["serve", "--address", "nonsense", `${folder}/d{1...4}`], /HOST:PORT/],
        [["serve", "--bogus"], /Unknown option/],
      ];
      for (const [args, expected] of cases) {
        const { code, stderr } = await failingStart(args);
        assert(code !== 0, `${args.join(" ")} should fail`);
        assert(expected.test(stderr), `${args.join(" ")}: ${stderr}`);
        assertEquals(
          stderr.trim().split("\n").length,
          1,
          `one line for ${args.join(" ")}: ${stderr}`,
        );
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "a port in use is refused with a clear line",
  ignore,
  async fn() {
    const server = await startBinary();
    try {
      const folder = await Deno.makeTempDir({ prefix: "aistor-port-" });
      const { code, stderr } = await failingStart([
        "serve",
        "--address",
        `127.0.0.1:${server.port}`,
        `${folder}/d{1...4}`,
      ]);
      assert(code !== 0);
      assert(/in use/.test(stderr), stderr);
      await Deno.remove(folder, { recursive: true });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "version and help print and exit zero",
  ignore,
  async fn() {
    assert((await run(binaryPath, ["version"])).startsWith("aistor "));
    assert((await run(binaryPath, ["--help"])).includes("aistor serve"));
  },
});
