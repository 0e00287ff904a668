/**
 * Operations under failure, against the compiled binary:
 * - SIGTERM while uploads are in flight: the server exits 0 and every object is either absent
 *   or complete with the right bytes (never torn);
 * - a drive's directory renamed away and put back under load: no request fails, the drive is
 *   taken back and healed;
 * - a drive wiped while the server is stopped comes back complete by the background heal that
 *   start-up begins (and `aistor admin heal` then finds nothing left to heal): proven by
 *   serving every object from that drive and one other only.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { assert, assertEquals } from "../../src/testing/assert.ts";
import {
  accessKey,
  binaryPath,
  md5Hex,
  type RunningBinary,
  s3Client,
  secretKey,
  seededBytes,
  skipWithoutBinary,
  startBinary,
} from "../e2e/harness.ts";

const ignore = skipWithoutBinary();
const adminEnv = { AISTOR_ROOT_USER: accessKey, AISTOR_ROOT_PASSWORD: secretKey };

/** Four drives under `root`, kept across restarts (the harness's own temp dir is not used). */
function startOn(root: string, extraArgs: string[] = []): Promise<RunningBinary> {
  return startBinary({
    driveArgs: () => [`${root}/drive{1...4}`],
    extraArgs,
    env: { MINIO_PROMETHEUS_AUTH_TYPE: "public" },
  });
}

async function clusterHealth(endpoint: string): Promise<number> {
  const response = await fetch(`${endpoint}/minio/health/cluster`);
  await response.body?.cancel();
  return response.status;
}

async function metricValue(endpoint: string, name: string): Promise<string | undefined> {
  const text = await (await fetch(`${endpoint}/minio/v2/metrics/cluster`)).text();
  return new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
}

async function getBytes(client: S3Client, key: string): Promise<Uint8Array | undefined> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: "data", Key: key }));
    return await response.Body!.transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

function seedOf(name: string): number {
  const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 100_000);
  console.log(`${name}: seed ${seed} (AISTOR_SEED to repeat)`);
  return seed;
}

/**
 * Uploads `bodies` concurrently, sends SIGTERM once the server is writing shards, restarts, and
 * checks every object: acknowledged ones whole, the others absent or whole. Returns the counts.
 */
async function uploadThenSigterm(
  bodies: Uint8Array[],
  shutdownTimeoutMs: number,
): Promise<{ acknowledged: number; present: number }> {
  const root = await Deno.makeTempDir({ prefix: "aistor-sigterm-" });
  let server = await startOn(root, ["--shutdown-timeout-ms", String(shutdownTimeoutMs)]);
  try {
    const client = s3Client(server.endpoint);
    await client.send(new CreateBucketCommand({ Bucket: "data" }));
    const uploads = bodies.map((body, i) =>
      client.send(new PutObjectCommand({ Bucket: "data", Key: `obj-${i}`, Body: body })).then(
        () => "done",
        () => "failed",
      )
    );
    // SIGTERM once shards are being staged: uploads are in flight inside the server.
    await waitFor(() => hasEntries(`${root}/drive1/.minio.sys/tmp`), 20_000);
    const exitCode = await server.stop("SIGTERM");
    const outcomes = await Promise.all(uploads);
    assertEquals(exitCode, 0, server.output());

    server = await startOn(root);
    const reader = s3Client(server.endpoint);
    let present = 0;
    for (let i = 0; i < bodies.length; i++) {
      const bytes = await getBytes(reader, `obj-${i}`);
      if (outcomes[i] === "done") {
        assert(bytes !== undefined, `obj-${i} was acknowledged but is missing`);
      }
      if (bytes === undefined) continue;
      present++;
      assertEquals(bytes.length, bodies[i].length, `obj-${i} is torn`);
      assertEquals(await md5Hex(bytes), await md5Hex(bodies[i]), `obj-${i} has wrong bytes`);
    }
    const acknowledged = outcomes.filter((o) => o === "done").length;
    console.log(
      `shutdown timeout ${shutdownTimeoutMs} ms: ${acknowledged} of ${bodies.length} acknowledged, ${present} present after restart`,
    );
    return { acknowledged, present };
  } finally {
    await server.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

function hasEntries(dir: string): boolean {
  try {
    for (const entry of Deno.readDirSync(dir)) if (entry.name !== ".trash") return true;
  } catch {
    // not there yet
  }
  return false;
}

Deno.test({
  name:
    "SIGTERM during uploads lets the uploads in flight finish, exits 0, and every object is whole",
  ignore,
  async fn() {
    const seed = seedOf("sigterm-graceful");
    const bodies = Array.from(
      { length: 16 },
      (_, i) => seededBytes((i % 4 + 1) * 1_000_000 + i, seed + i),
    );
    const { acknowledged, present } = await uploadThenSigterm(bodies, 20_000);
    assert(acknowledged >= 1, "no upload was in flight at SIGTERM");
    assertEquals(present, acknowledged);
  },
});

Deno.test({
  name:
    "SIGTERM with a 1 ms shutdown timeout cuts uploads short, yet every object is absent or whole",
  ignore,
  async fn() {
    const seed = seedOf("sigterm-cut");
    const bodies = Array.from(
      { length: 16 },
      (_, i) => seededBytes((i % 4 + 1) * 1_000_000 + i, seed + i),
    );
    await uploadThenSigterm(bodies, 1);
  },
});

Deno.test({
  name:
    "a drive renamed away and put back under load fails no request and is taken back and healed",
  ignore,
  async fn() {
    const seed = seedOf("drive-away");
    const root = await Deno.makeTempDir({ prefix: "aistor-away-" });
    const server = await startOn(root);
    const failures: string[] = [];
    const written = new Map<string, Uint8Array>();
    try {
      const client = s3Client(server.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: "data" }));
      let phase = "before";
      let stop = false;
      let n = 0;
      const worker = async (w: number) => {
        while (!stop) {
          const key = `${phase}/w${w}-${n++}`;
          const body = seededBytes(n % 3 === 0 ? 300_000 : 20_000, seed + n);
          try {
            await client.send(new PutObjectCommand({ Bucket: "data", Key: key, Body: body }));
            written.set(key, body);
            const back = await getBytes(client, key);
            if (back === undefined || back.length !== body.length) {
              failures.push(`GET ${key}: wrong bytes`);
            }
          } catch (error) {
            failures.push(`${key}: ${(error as Error).name} ${(error as Error).message}`);
          }
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(worker));
      await sleep(500);
      await Deno.rename(`${root}/drive2`, `${root}/drive2.away`);
      phase = "away";
      await waitFor(() => server.output().includes("drive2 is offline"), 10_000);
      // One drive of four away: the set keeps write quorum (3), and says so.
      assertEquals(await clusterHealth(server.endpoint), 200);
      assertEquals(await metricValue(server.endpoint, "minio_cluster_drive_offline_total"), "1");
      await sleep(1_500);
      // LocalDrive may have re-created an empty-ish drive2 before the drive was marked offline
      // (see the report: it should never create the drive root); move that aside.
      const ghost = await Deno.rename(`${root}/drive2`, `${root}/drive2.ghost`).then(
        () => true,
        () => false,
      );
      if (ghost) {
        console.log("drive2 had been re-created while away (moved aside before putting it back)");
      }
      await Deno.rename(`${root}/drive2.away`, `${root}/drive2`);
      phase = "back";
      await waitFor(() => server.output().includes("drive2 is online"), 15_000);
      await sleep(500);
      stop = true;
      await load;
      assertEquals(failures, []);
      assert(server.output().includes("drive2 is offline"), server.output());
      // The background heal after the drive came back writes what it missed.
      const awayKeys = [...written.keys()].filter((key) => key.startsWith("away/"));
      assert(awayKeys.length > 0, "no object was written while the drive was away");
      await waitFor(() => server.output().includes("heal after"), 30_000);
      for (const key of awayKeys) {
        const meta = await Deno.stat(`${root}/drive2/data/${key}/xl.meta`).catch(() => undefined);
        assert(meta?.isFile, `${key} was not healed onto drive2\n${server.output()}`);
      }
    } finally {
      await server.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "cluster health turns 503 when two of four drives are away, and 200 when they are back",
  ignore,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "aistor-quorum-" });
    const server = await startOn(root);
    try {
      assertEquals(await clusterHealth(server.endpoint), 200);
      for (const n of [1, 2]) await Deno.rename(`${root}/drive${n}`, `${root}/away${n}`);
      // Any request touching the drives notices; a bucket listing touches them all.
      const client = s3Client(server.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: "probe" })).catch(() => {});
      await waitFor(
        () =>
          /drive1 is offline[\s\S]*drive2 is offline|drive2 is offline[\s\S]*drive1 is offline/
            .test(server.output()),
        10_000,
      );
      assertEquals(await clusterHealth(server.endpoint), 503);
      assertEquals(await metricValue(server.endpoint, "minio_cluster_drive_offline_total"), "2");
      for (const n of [1, 2]) {
        await Deno.remove(`${root}/drive${n}`, { recursive: true }).catch(() => {});
        await Deno.rename(`${root}/away${n}`, `${root}/drive${n}`);
      }
      await waitFor(
        () => (server.output().match(/is online: answers again/g) ?? []).length >= 2,
        15_000,
      );
      assertEquals(await clusterHealth(server.endpoint), 200);
    } finally {
      await server.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "a wiped drive comes back complete by the heal start-up begins: format, bucket, every object's shards and metadata",
  ignore,
  async fn() {
    const seed = seedOf("wiped");
    const root = await Deno.makeTempDir({ prefix: "aistor-wiped-" });
    // Sizes around the inline threshold and over one block, so both inline and part files heal.
    const bodies = [100, 70_000, 300_000, 1_200_000, 3_000_000].map((size, i) =>
      seededBytes(size, seed + i)
    );
    let server = await startOn(root);
    try {
      let client = s3Client(server.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: "data" }));
      for (const [i, body] of bodies.entries()) {
        await client.send(
          new PutObjectCommand({ Bucket: "data", Key: `dir/obj-${i}`, Body: body }),
        );
      }
      await server.stop();
      await wipe(`${root}/drive3`);

      server = await startOn(root);
      // The banner says a background heal started; its line on stderr says what it healed
      // ("healed" counts bucket metadata objects too: at least every object).
      assert(server.output().includes("healing 1 formatted drive(s) in the background"));
      await waitFor(() => server.output().includes("heal after"), 30_000);
      const background =
        /heal after \S+ \(back online or formatted\): (\d+) objects checked, (\d+) healed, 0 unrecoverable, formatted \S+/
          .exec(server.output());
      assert(background !== null, server.output());
      assertEquals(Number(background[1]), bodies.length, server.output());
      assert(Number(background[2]) >= bodies.length, server.output());
      // An admin heal afterwards checks every object and finds nothing left to heal.
      const heal = await runAdmin(["heal", "--endpoint", server.endpoint]);
      assertEquals(heal.code, 0, heal.text);
      const counts = /heal done: (\d+) objects checked, (\d+) healed, 0 unrecoverable/.exec(
        heal.text,
      );
      assert(counts !== null, heal.text);
      assertEquals(Number(counts[1]), bodies.length, heal.text);
      assertEquals(Number(counts[2]), 0, heal.text);
      const format = JSON.parse(await Deno.readTextFile(`${root}/drive3/.minio.sys/format.json`));
      assertEquals(format.format, "xl");
      assert((await Deno.stat(`${root}/drive3/data`)).isDirectory);
      for (let i = 0; i < bodies.length; i++) {
        assert((await Deno.stat(`${root}/drive3/data/dir/obj-${i}/xl.meta`)).isFile);
      }
      await server.stop();

      // Drives 1 and 4 gone: every object must be served from drive 3 (healed) and drive 2.
      await Deno.rename(`${root}/drive1`, `${root}/gone1`);
      await Deno.rename(`${root}/drive4`, `${root}/gone4`);
      await Deno.mkdir(`${root}/drive1`);
      await Deno.mkdir(`${root}/drive4`);
      server = await startOn(root);
      client = s3Client(server.endpoint);
      for (const [i, body] of bodies.entries()) {
        const bytes = await getBytes(client, `dir/obj-${i}`);
        assertEquals(bytes?.length, body.length, `dir/obj-${i}`);
        assertEquals(await md5Hex(bytes!), await md5Hex(body), `dir/obj-${i}`);
      }
    } finally {
      await server.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

async function wipe(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
  }
}

async function runAdmin(args: string[]): Promise<{ code: number; text: string }> {
  const output = await new Deno.Command(binaryPath, { args: ["admin", ...args], env: adminEnv })
    .output();
  const decoder = new TextDecoder();
  return { code: output.code, text: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}
