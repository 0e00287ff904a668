/**
 * ServerPools housekeeping: DeleteBucket takes the bucket's multipart uploads with it, stale
 * uploads are purged at start and then periodically (timer and clock injected), heal-everything
 * reports each object through healFormat(onProgress), healBucket passes `deep` on, and
 * storageInfo() reports each set's parity.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { parseTopology } from "../topology/mod.ts";
import { decodeXlMeta } from "../metadata/xl_meta.ts";
import { openObjectLayer } from "./mod.ts";
import type { HealResult } from "./heal.ts";
import { uploadsDir } from "./multipart.ts";
import type { CleanupTimer } from "./stale_upload_cleanup.ts";

const hourMs = 60 * 60 * 1000;

function body(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** A timer whose callbacks run only when the test fires them. */
function manualTimer() {
  const pending = new Map<number, { run: () => void; delayMs: number }>();
  const cleared: number[] = [];
  let next = 0;
  const timer: CleanupTimer = {
    setTimeout: (run, delayMs) => {
      pending.set(++next, { run, delayMs });
      return next;
    },
    clearTimeout: (handle) => {
      cleared.push(handle as number);
      pending.delete(handle as number);
    },
  };
  return {
    timer,
    pending,
    cleared,
    fireAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, entry] of due) entry.run();
    },
  };
}

async function open(options: { timer?: CleanupTimer; drives?: number } = {}) {
  const count = options.drives ?? 4;
  const topology = parseTopology([`/mem/d{1...${count}}`], {});
  const drives: MemoryDrive[] = [];
  const clock = { ms: 1_763_000_000_000, nowNs: () => BigInt(clock.ms) * 1_000_000n };
  const opened = await openObjectLayer({
    topology,
    makeDrive: (endpoint) => {
      const drive = new MemoryDrive(endpoint);
      drives.push(drive);
      return drive;
    },
    clock,
    randomUuid: () => crypto.randomUUID(),
    lifecycleIntervalMs: 0,
    ...(options.timer === undefined ? {} : { timer: options.timer }),
  });
  return { ...opened, drives, clock };
}

async function uploadKeys(layer: Awaited<ReturnType<typeof open>>["layer"], bucket: string) {
  const page = await layer.listMultipartUploads(bucket, {
    prefix: "",
    delimiter: "",
    keyMarker: "",
    uploadIdMarker: "",
    maxUploads: 1000,
  });
  return page.uploads.map((upload) => upload.key);
}

/** Give the start-up purge (started without awaiting) time to finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

Deno.test("deleteBucket() removes the bucket's multipart uploads and leaves other buckets' alone", async () => {
  const { layer, drives } = await open();
  for (const bucket of ["doomed", "kept"]) {
    await layer.makeBucket(bucket, { versioning: false, objectLock: false });
    await layer.newMultipartUpload(bucket, "video.mp4", { metadata: {} });
    await layer.newMultipartUpload(bucket, "dir/other.bin", { metadata: {} });
  }
  await layer.deleteBucket("doomed", { force: false });
  for (const drive of drives) {
    for (const key of ["video.mp4", "dir/other.bin"]) {
      const names = await drive.listDir(".minio.sys", "multipart");
      const gone = uploadsDir("doomed", key).slice("multipart/".length) + "/";
      assert(!names.includes(gone), `${drive.endpoint} still holds an upload of doomed/${key}`);
    }
  }
  await layer.makeBucket("doomed", { versioning: false, objectLock: false });
  assertEquals(await uploadKeys(layer, "doomed"), []);
  assertEquals(await uploadKeys(layer, "kept"), ["dir/other.bin", "video.mp4"]);
  await layer.close();
});

Deno.test("stale uploads are purged at start and then every 6 h by the injected timer; close() stops it", async () => {
  const manual = manualTimer();
  const { layer, clock } = await open({ timer: manual.timer });
  await settle();
  assertEquals([...manual.pending.values()].map((p) => p.delayMs), [6 * hourMs]);
  await layer.makeBucket("bucket", { versioning: false, objectLock: false });
  await layer.newMultipartUpload("bucket", "old", { metadata: {} });
  clock.ms += 20 * hourMs;
  await layer.newMultipartUpload("bucket", "young", { metadata: {} });
  clock.ms += 5 * hourMs; // "old" is now 25 h old, "young" 5 h
  manual.fireAll();
  await settle();
  assertEquals(await uploadKeys(layer, "bucket"), ["young"]);
  assertEquals(manual.pending.size, 1, "the next run is scheduled");
  const [handle] = manual.pending.keys();
  await layer.close();
  assertEquals(manual.cleared, [handle]);
  assertEquals(manual.pending.size, 0);
});

Deno.test("an upload older than 24 h at start-up is purged by the run at start", async () => {
  const manual = manualTimer();
  const first = await open({ timer: manual.timer });
  await first.layer.makeBucket("bucket", { versioning: false, objectLock: false });
  await first.layer.newMultipartUpload("bucket", "left-over", { metadata: {} });
  await settle();
  await first.layer.close();
  // The same drives, opened again 30 h later.
  const clock = { nowNs: () => BigInt(first.clock.ms + 30 * hourMs) * 1_000_000n };
  const drives = [...first.drives];
  const reopened = await openObjectLayer({
    topology: parseTopology(["/mem/d{1...4}"], {}),
    makeDrive: () => drives.shift()!,
    clock,
    randomUuid: () => crypto.randomUUID(),
    lifecycleIntervalMs: 0,
    timer: manualTimer().timer,
  });
  await settle();
  assertEquals(await uploadKeys(reopened.layer, "bucket"), []);
  await reopened.layer.close();
});

Deno.test("healFormat(onProgress) reports every object it checks, system objects included", async () => {
  const { layer } = await open({ timer: manualTimer().timer });
  await layer.makeBucket("photos", { versioning: false, objectLock: false });
  for (const key of ["a.jpg", "b/c.jpg"]) {
    await layer.putObject("photos", key, body(new Uint8Array(10)), { sizeBytes: 10, metadata: {} });
  }
  const seen: HealResult[] = [];
  const result = await layer.healFormat((r) => seen.push(r));
  assertEquals(seen.length, result.objectsChecked);
  const photos = seen.filter((r) => r.bucket === "photos").map((r) => r.key).sort();
  assertEquals(photos, ["a.jpg", "b/c.jpg"]);
  assert(seen.some((r) => r.bucket === ".minio.sys"), "bucket metadata is checked too");
  await layer.close();
});

Deno.test("healBucket({ deep: true }) finds a flipped bit in a shard that the quick heal does not see", async () => {
  const { layer, drives } = await open({ timer: manualTimer().timer });
  await layer.makeBucket("bits", { versioning: false, objectLock: false });
  const bytes = new Uint8Array(400_000).map((_, i) => i % 251);
  await layer.putObject("bits", "big", body(bytes), { sizeBytes: bytes.length, metadata: {} });
  const version = decodeXlMeta(await drives[0].readMetadata("bits", "big")).versions[0];
  assert(version.kind === "object");
  const partPath = `big/${version.dataDir}/part.1`;
  const shard = await drives[0].readAll("bits", partPath);
  shard[100] ^= 0x01;
  await drives[0].writeAll("bits", partPath, shard);
  const quick: HealResult[] = [];
  await layer.healBucket("bits", "", (r) => quick.push(r));
  assertEquals(quick.map((r) => r.state), ["ok"]);
  const deep: HealResult[] = [];
  await layer.healBucket("bits", "", (r) => deep.push(r), { deep: true });
  assertEquals(deep.map((r) => r.state), ["healed"]);
  assertEquals(deep[0].shardsHealed, 1);
  await layer.close();
});

Deno.test("storageInfo() reports each set's parity", async () => {
  const { layer } = await open({ drives: 6, timer: manualTimer().timer });
  const info = await layer.storageInfo();
  assertEquals(info.pools[0].sets.map((set) => set.parityDrives), [3]);
  await layer.close();
});
