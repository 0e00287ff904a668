import assert from "node:assert/strict";
import { assertDriveError, driveContract } from "./drive_contract.ts";
import { FaultyDrive } from "./faulty_drive.ts";
import { MemoryDrive } from "./memory_drive.ts";

driveContract(
  "FaultyDrive without faults",
  () => Promise.resolve({ drive: new FaultyDrive(new MemoryDrive("mem1"), { seed: 1 }) }),
);

const text = (s: string) => new TextEncoder().encode(s);

function seed(): number {
  const value = Date.now() % 100_000;
  console.log(`seed ${value}`);
  return value;
}

async function driveWithBucket(faulty: FaultyDrive): Promise<FaultyDrive> {
  await faulty.inner.makeVolume("bucket");
  await faulty.inner.writeAll("bucket", "file", text("0123456789abcdef"));
  return faulty;
}

Deno.test("FaultyDrive fails every call of an operation after N calls with the planned code", async () => {
  const drive = await driveWithBucket(
    new FaultyDrive(new MemoryDrive("m"), {
      seed: seed(),
      plans: [{ operation: "readAll", error: "DriveFull", afterCalls: 2 }],
    }),
  );
  await drive.readAll("bucket", "file");
  await drive.readAll("bucket", "file");
  await assertDriveError(drive.readAll("bucket", "file"), "DriveFull");
  await assertDriveError(drive.readAll("bucket", "file"), "DriveFull");
  await drive.statFile("bucket", "file");
  assert.equal(drive.injected.get("readAll"), 2);
});

Deno.test("FaultyDrive injects at most `times` faults and only on matching paths", async () => {
  const drive = await driveWithBucket(
    new FaultyDrive(new MemoryDrive("m"), {
      seed: seed(),
      plans: [{ operation: "*", error: "FileCorrupt", times: 1, pathIncludes: "bucket/file" }],
    }),
  );
  await assertDriveError(drive.readAll("bucket", "file"), "FileCorrupt");
  await drive.readAll("bucket", "file");
  await drive.listVolumes();
});

Deno.test("FaultyDrive with the same seed injects the same faults", async () => {
  const outcomes: boolean[][] = [];
  const value = seed();
  for (let run = 0; run < 2; run++) {
    const drive = await driveWithBucket(
      new FaultyDrive(new MemoryDrive("m"), {
        seed: value,
        plans: [{ operation: "readAll", error: "DriveOffline", probability: 0.5 }],
      }),
    );
    const results: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      results.push(await drive.readAll("bucket", "file").then(() => true, () => false));
    }
    outcomes.push(results);
  }
  assert.deepEqual(outcomes[0], outcomes[1]);
  const failures = outcomes[0].filter((ok) => !ok).length;
  assert.ok(
    failures > 5 && failures < 35,
    `about half of 40 calls fail, got ${failures} (seed ${value})`,
  );
});

Deno.test("FaultyDrive flips exactly one bit of the bytes read back", async () => {
  const drive = await driveWithBucket(
    new FaultyDrive(new MemoryDrive("m"), {
      seed: seed(),
      plans: [{ operation: "readFile", bitFlip: true }],
    }),
  );
  const original = text("0123456789abcdef");
  const read = await drive.readFile("bucket", "file", 0, 16);
  let differingBits = 0;
  for (let i = 0; i < 16; i++) {
    let x = read[i] ^ original[i];
    while (x) {
      differingBits += x & 1;
      x >>= 1;
    }
  }
  assert.equal(differingBits, 1);
  assert.deepEqual(
    await drive.inner.readAll("bucket", "file"),
    original,
    "the stored bytes stay intact",
  );
});

Deno.test("FaultyDrive tears a shard write: a strict prefix lands, then the write fails", async () => {
  const drive = new FaultyDrive(new MemoryDrive("m"), {
    seed: seed(),
    plans: [{ operation: "shardWrite", tornWrite: true, afterCalls: 1 }],
  });
  const writer = await drive.createShardFile(".minio.sys", "tmp/u/part.1", -1);
  await writer.write(text("first block|"));
  await assertDriveError(writer.write(text("second block")), "DriveOffline");
  const { sizeBytes } = await drive.inner.statFile(".minio.sys", "tmp/u/part.1");
  assert.ok(
    sizeBytes >= 12 && sizeBytes < 24,
    `stored ${sizeBytes} bytes: the first block and part of the second`,
  );
  await writer.abort();
});

Deno.test("FaultyDrive.setOffline(true) fails every call with DriveOffline until set back", async () => {
  const drive = await driveWithBucket(new FaultyDrive(new MemoryDrive("m"), { seed: seed() }));
  drive.setOffline(true);
  await assertDriveError(drive.readAll("bucket", "file"), "DriveOffline");
  await assertDriveError(drive.info(), "DriveOffline");
  await assertDriveError(
    (async () => {
      for await (const _ of drive.walk("bucket", { prefix: "", recursive: true })) { /* drain */ }
    })(),
    "DriveOffline",
  );
  drive.setOffline(false);
  assert.equal(new TextDecoder().decode(await drive.readAll("bucket", "file")), "0123456789abcdef");
});

Deno.test("FaultyDrive delays calls by the planned latency", async () => {
  const waits: number[] = [];
  const drive = await driveWithBucket(
    new FaultyDrive(new MemoryDrive("m"), {
      seed: seed(),
      plans: [{ operation: "statFile", latencyMs: 250 }],
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    }),
  );
  await drive.statFile("bucket", "file");
  await drive.readAll("bucket", "file");
  assert.deepEqual(waits, [250]);
});

Deno.test("FaultyDrive applies readFile plans and the offline switch to the reads of a shard reader", async () => {
  const drive = await driveWithBucket(
    new FaultyDrive(new MemoryDrive("m"), {
      seed: seed(),
      plans: [
        { operation: "readFile", bitFlip: true, times: 1 },
        { operation: "readFile", error: "FileCorrupt", afterCalls: 1, times: 1 },
      ],
    }),
  );
  const original = text("0123456789abcdef");
  const reader = await drive.openShardReader("bucket", "file");
  try {
    const flipped = await reader.read(0, 16);
    assert.notDeepEqual(flipped, original, "the first read has a flipped bit");
    await assertDriveError(reader.read(0, 16), "FileCorrupt");
    assert.deepEqual(await reader.read(0, 16), original, "plans used up: reads are intact");
    assert.equal(drive.injected.get("readFile"), 2);
    drive.setOffline(true);
    await assertDriveError(reader.read(0, 1), "DriveOffline");
    await assertDriveError(drive.openShardReader("bucket", "file"), "DriveOffline");
  } finally {
    await reader.close();
  }
});
