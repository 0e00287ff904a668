/**
 * Admin heal over LocalDrives in a temp dir: a wiped drive gets its format, its bucket
 * directories, the bucket metadata and every object back; listings over local drives match.
 */
import { LocalDrive } from "../drive/local_drive.ts";
import { decodeXlMeta } from "../metadata/xl_meta.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { parseTopology } from "../topology/mod.ts";
import { bucketMetadataPath } from "./buckets.ts";
import type { HealResult } from "./erasure_set.ts";
import { openObjectLayer } from "./mod.ts";

const encoder = new TextEncoder();

function body(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function payload(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return bytes;
}

async function withDrives(
  count: number,
  run: (root: string, endpoints: string[]) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "aistor-pools-heal-" });
  try {
    const endpoints = Array.from({ length: count }, (_, i) => `${root}/d${i + 1}`);
    for (const endpoint of endpoints) await Deno.mkdir(endpoint);
    await run(root, endpoints);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function openLocal(root: string) {
  return openObjectLayer({
    topology: parseTopology([`${root}/d{1...4}`], {}),
    makeDrive: (endpoint) => new LocalDrive(endpoint),
    clock: { nowNs: () => BigInt(Date.now()) * 1_000_000n },
    randomUuid: () => crypto.randomUUID(),
  });
}

Deno.test("healFormat() gives a wiped LocalDrive its format, bucket, bucket metadata and objects back", async () => {
  await withDrives(4, async (root, endpoints) => {
    const { layer } = await openLocal(root);
    await layer.makeBucket("photos", { versioning: true, objectLock: false });
    const sizes = [0, 100, 300_000, 1_500_000]; // empty, inline, one block, two blocks
    const keys = sizes.map((size, i) => `album/${i}-${size}.bin`).concat(["album/"]);
    for (const [i, key] of keys.entries()) {
      const bytes = payload(sizes[i] ?? 0, i);
      await layer.putObject("photos", key, body(bytes), { sizeBytes: bytes.length, metadata: {} });
    }
    await layer.close();

    // Drive 2 is replaced by an empty one.
    await Deno.remove(endpoints[1], { recursive: true });
    await Deno.mkdir(endpoints[1]);

    const reopened = await openLocal(root);
    assertEquals(reopened.report.drivesFormatted, [endpoints[1]]);
    const healedKeys: string[] = [];
    const before = await reopened.layer.storageInfo();
    assertEquals(before.pools[0].sets[0].drives.map((d) => d.state), [
      "online",
      "healing",
      "online",
      "online",
    ]);
    const result = await reopened.layer.healFormat();
    // Formatted at start-up, filled now.
    assertEquals(result.drivesFormatted, [endpoints[1]]);
    const after = await reopened.layer.storageInfo();
    assertEquals(after.pools[0].sets[0].drives.map((d) => d.state), [
      "online",
      "online",
      "online",
      "online",
    ]);
    assertEquals(result.bucketsHealed, 1);
    // Every object of the bucket was rebuilt onto drive 2 (the bucket's .metadata.bin too,
    // unless a read of it healed it first).
    assertEquals(result.objectsChecked, keys.length + 1, JSON.stringify(result));
    assert(result.objectsHealed >= keys.length, JSON.stringify(result));
    const progress: HealResult[] = [];
    await reopened.layer.healBucket("photos", "", (r) => progress.push(r));
    for (const r of progress) healedKeys.push(r.key);
    assertEquals(healedKeys.sort(), [...keys].sort());
    assert(progress.every((r) => r.state === "ok"), JSON.stringify(progress.map((r) => r.state)));

    const drive = new LocalDrive(endpoints[1]);
    assertEquals((await drive.statVolume("photos")).name, "photos");
    await drive.readMetadata(".minio.sys", bucketMetadataPath("photos"));
    for (const key of keys) {
      const stored = key.endsWith("/") ? key.slice(0, -1) + "__XLDIR__" : key;
      const meta = decodeXlMeta(await drive.readMetadata("photos", stored));
      assertEquals(meta.versions.length, 1, key);
    }
    // Drives 3 and 4 gone: data must come from drives 1 and 2 (2+2), so drive 2's shards are real.
    await reopened.layer.close();
    for (const gone of [endpoints[2], endpoints[3]]) await Deno.rename(gone, gone + "-away");
    const degraded = await openObjectLayer({
      topology: parseTopology([`${root}/d{1...4}`], {}),
      makeDrive: (endpoint) => new LocalDrive(endpoint),
      clock: { nowNs: () => BigInt(Date.now()) * 1_000_000n },
      randomUuid: () => crypto.randomUUID(),
    });
    assertEquals(degraded.report.drivesOffline.length, 2);
    for (const [i, key] of keys.entries()) {
      const reader = await degraded.layer.getObject("photos", key, {});
      assertEquals(await readAll(reader.body), payload(sizes[i] ?? 0, i), key);
    }
    await degraded.layer.close();
  });
});

Deno.test("listObjects() over LocalDrives in a temp dir: directory objects and delimiters in S3 order", async () => {
  await withDrives(4, async (root) => {
    const { layer } = await openLocal(root);
    await layer.makeBucket("docs", { versioning: false, objectLock: false });
    const keys = ["a-b", "a/", "a/x", "a/y/", "a/y/z", "a0", "a_b/c", "b"];
    for (const key of keys) {
      await layer.putObject("docs", key, body(encoder.encode(key)), {
        sizeBytes: key.length,
        metadata: {},
      });
    }
    const all = await layer.listObjects("docs", {
      prefix: "",
      delimiter: "",
      after: "",
      maxKeys: 100,
    });
    assertEquals(all.objects.map((o) => o.key), [...keys].sort());
    const top = await layer.listObjects("docs", {
      prefix: "",
      delimiter: "/",
      after: "",
      maxKeys: 100,
    });
    assertEquals(top.objects.map((o) => o.key), ["a-b", "a0", "b"]);
    assertEquals(top.prefixes, ["a/", "a_b/"]);
    const inA = await layer.listObjects("docs", {
      prefix: "a/",
      delimiter: "/",
      after: "",
      maxKeys: 100,
    });
    assertEquals(inA.objects.map((o) => o.key), ["a/", "a/x"]);
    assertEquals(inA.prefixes, ["a/y/"]);
    await layer.close();
  });
});

Deno.test("listObjects() over LocalDrives while nested keys are written and deleted: no errors, stable keys always there", async () => {
  await withDrives(4, async (root) => {
    const { layer } = await openLocal(root);
    await layer.makeBucket("churn", { versioning: false, objectLock: false });
    const stable = ["m/0", "m/5/x", "z"];
    for (const key of stable) {
      await layer.putObject("churn", key, body(encoder.encode(key)), {
        sizeBytes: key.length,
        metadata: {},
      });
    }
    let writing = true;
    let rounds = 0;
    const writer = (async () => {
      for (; writing; rounds++) {
        // Deep keys whose directories appear and are pruned again while the walk passes by.
        const key = `m/w${rounds % 5}/deep/${rounds % 3}/leaf`;
        await layer.putObject("churn", key, body(encoder.encode(key)), {
          sizeBytes: key.length,
          metadata: {},
        });
        await layer.deleteObject("churn", key, {});
      }
    })();
    try {
      for (let i = 0; i < 20; i++) {
        const page = await layer.listObjects("churn", {
          prefix: "",
          delimiter: "",
          after: "",
          maxKeys: 1000,
        });
        const keys = page.objects.map((o) => o.key);
        for (const key of stable) assert(keys.includes(key), `${key} listed (round ${i})`);
        const top = await layer.listObjects("churn", {
          prefix: "m/",
          delimiter: "/",
          after: "",
          maxKeys: 1000,
        });
        assert(top.objects.some((o) => o.key === "m/0"));
      }
    } finally {
      writing = false;
      await writer;
    }
    assert(rounds > 0, "the writer ran while listing");
    await layer.close();
  });
});
