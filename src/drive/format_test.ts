import assert from "node:assert/strict";
import { FaultyDrive } from "../testing/faulty_drive.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { encodeFormat, FormatError, initFormats, parseFormat, type PoolDrives } from "./format.ts";
import type { StorageDrive } from "./storage_drive.ts";
import { LocalDrive } from "./local_drive.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Deterministic UUIDs: 00000000-0000-4000-8000-<n>. */
function counterUuids(start = 1): () => string {
  let n = start;
  return () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, "0")}`;
}

function memoryDrives(count: number, prefix = "/d"): MemoryDrive[] {
  return Array.from({ length: count }, (_, i) => new MemoryDrive(`${prefix}${i + 1}`));
}

async function formatOf(drive: StorageDrive) {
  return parseFormat(await drive.readAll(".minio.sys", "format.json"));
}

Deno.test("encodeFormat() writes Go's field order with no whitespace", () => {
  const bytes = encodeFormat({
    version: "1",
    format: "xl",
    id: "f5c58c61-7175-4018-ab5e-a94fe9c2de4e",
    xl: {
      version: "3",
      this: "aaaaaaaa-0000-4000-8000-000000000001",
      sets: [["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"]],
      distributionAlgo: "SIPMOD+PARITY",
    },
  });
  assert.equal(
    decode(bytes),
    '{"version":"1","format":"xl","id":"f5c58c61-7175-4018-ab5e-a94fe9c2de4e","xl":{"version":"3","this":"aaaaaaaa-0000-4000-8000-000000000001","sets":[["aaaaaaaa-0000-4000-8000-000000000001","aaaaaaaa-0000-4000-8000-000000000002"]],"distributionAlgo":"SIPMOD+PARITY"}}',
  );
});

Deno.test("parseFormat() reads what encodeFormat() writes, and accepts MinIO's whitespace-free JSON", () => {
  const json =
    '{"version":"1","format":"xl","id":"f5c58c61-7175-4018-ab5e-a94fe9c2de4e","xl":{"version":"3","this":"b","sets":[["a","b"],["c","d"]],"distributionAlgo":"SIPMOD"}}';
  const format = parseFormat(new TextEncoder().encode(json));
  assert.deepEqual(format.xl.sets, [["a", "b"], ["c", "d"]]);
  assert.equal(decode(encodeFormat(format)), json);
});

Deno.test("parseFormat() refuses wrong versions, backends, algorithms, ragged sets and strangers", () => {
  const base = {
    version: "1",
    format: "xl",
    id: "f5c58c61-7175-4018-ab5e-a94fe9c2de4e",
    xl: { version: "3", this: "a", sets: [["a", "b"]], distributionAlgo: "SIPMOD+PARITY" },
  };
  const bad = [
    { ...base, version: "2" },
    { ...base, format: "fs" },
    { ...base, id: "nope" },
    { ...base, xl: { ...base.xl, version: "2" } },
    { ...base, xl: { ...base.xl, distributionAlgo: "RANDOM" } },
    { ...base, xl: { ...base.xl, sets: [["a", "b"], ["c"]] } },
    { ...base, xl: { ...base.xl, this: "z" } },
    { ...base, xl: { ...base.xl, sets: [] } },
  ];
  for (const doc of bad) {
    assert.throws(
      () => parseFormat(new TextEncoder().encode(JSON.stringify(doc))),
      FormatError,
      JSON.stringify(doc),
    );
  }
  assert.throws(() => parseFormat(new TextEncoder().encode("{not json")), FormatError);
});

Deno.test("initFormats() formats a fresh 2 × 4 pool: one deployment id, each drive its own slot", async () => {
  const drives = memoryDrives(8);
  const result = await initFormats([{ drives, setDriveCount: 4 }], counterUuids());
  assert.equal(result.drives[0].length, 2);
  assert.ok(result.drives[0].flat().every((slot) => slot.state === "ok"));
  const formats = await Promise.all(drives.map(formatOf));
  assert.ok(formats.every((f) => f.id === result.deploymentId && f.format === "xl"));
  assert.deepEqual(formats.map((f) => f.xl.this), formats[0].xl.sets.flat());
  assert.equal(formats[0].xl.sets.length, 2);
  assert.equal(formats[0].xl.distributionAlgo, "SIPMOD+PARITY");
  assert.equal((await drives[5].info()).id, formats[5].xl.this);
  assert.deepEqual(result.createdPools, [0]);
});

Deno.test("initFormats() formats fresh local directories with MinIO's exact format.json bytes", async () => {
  const root = await Deno.makeTempDir({ prefix: "aistor-format-" });
  try {
    const dirs = [1, 2, 3, 4].map((i) => `${root}/d${i}`);
    for (const dir of dirs) Deno.mkdirSync(dir);
    const drives = dirs.map((dir) => new LocalDrive(dir));
    const result = await initFormats([{ drives, setDriveCount: 4 }], counterUuids());
    const sets = JSON.stringify(result.formats[0].xl.sets);
    for (const [i, dir] of dirs.entries()) {
      assert.equal(
        Deno.readTextFileSync(`${dir}/.minio.sys/format.json`),
        `{"version":"1","format":"xl","id":"${result.deploymentId}","xl":{"version":"3","this":"${
          result.formats[0].xl.sets[0][i]
        }","sets":${sets},"distributionAlgo":"SIPMOD+PARITY"}}`,
      );
    }
    const again = await initFormats([{
      drives: dirs.map((d) => new LocalDrive(d)),
      setDriveCount: 4,
    }], counterUuids(50));
    assert.equal(again.deploymentId, result.deploymentId);
    assert.deepEqual(again.createdPools, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("initFormats() of a single drive writes an xl-single format", async () => {
  const [drive] = memoryDrives(1);
  await initFormats([{ drives: [drive], setDriveCount: 1 }], counterUuids());
  assert.equal((await formatOf(drive)).format, "xl-single");
});

Deno.test("initFormats() on a restart finds the same deployment and changes nothing", async () => {
  const drives = memoryDrives(4);
  const first = await initFormats([{ drives, setDriveCount: 4 }], counterUuids());
  const before = await Promise.all(drives.map((d) => d.readAll(".minio.sys", "format.json")));
  const second = await initFormats([{ drives, setDriveCount: 4 }], counterUuids(100));
  assert.equal(second.deploymentId, first.deploymentId);
  assert.ok(second.drives[0][0].every((slot) => slot.state === "ok"));
  assert.deepEqual(
    await Promise.all(drives.map((d) => d.readAll(".minio.sys", "format.json"))),
    before,
  );
});

Deno.test("initFormats() formats an empty replacement drive into its slot and reports it", async () => {
  const drives = memoryDrives(4);
  await initFormats([{ drives, setDriveCount: 4 }], counterUuids());
  const expected = (await formatOf(drives[2])).xl.this;
  drives[2] = new MemoryDrive("/d3");
  const result = await initFormats([{ drives, setDriveCount: 4 }], counterUuids(100));
  assert.deepEqual(result.drives[0][0].map((s) => s.state), ["ok", "ok", "formatted", "ok"]);
  assert.equal((await formatOf(drives[2])).xl.this, expected);
});

Deno.test("initFormats() refuses a drive of another deployment, naming both ids", async () => {
  const ours = memoryDrives(4);
  const theirs = memoryDrives(4, "/other");
  const a = await initFormats([{ drives: ours, setDriveCount: 4 }], counterUuids(1));
  const b = await initFormats([{ drives: theirs, setDriveCount: 4 }], counterUuids(1000));
  ours[2] = theirs[2];
  await assert.rejects(
    initFormats([{ drives: ours, setDriveCount: 4 }], counterUuids(2000)),
    (e) =>
      e instanceof FormatError &&
      e.message.startsWith(
        `Cannot use drive "/other3": it belongs to deployment ${b.deploymentId}, not ${a.deploymentId}`,
      ),
  );
});

Deno.test("initFormats() refuses drives given in another order", async () => {
  const drives = memoryDrives(4);
  await initFormats([{ drives, setDriveCount: 4 }], counterUuids());
  const swapped = [drives[1], drives[0], drives[2], drives[3]];
  await assert.rejects(
    initFormats([{ drives: swapped, setDriveCount: 4 }], counterUuids(100)),
    /Cannot use drive "\/d2": it is drive 2 of set 1 of pool 1, but the command line puts it at drive 1/,
  );
});

Deno.test("initFormats() refuses a pool whose drives were formatted with another set size", async () => {
  const drives = memoryDrives(8);
  await initFormats([{ drives, setDriveCount: 8 }], counterUuids());
  await assert.rejects(
    initFormats([{ drives, setDriveCount: 4 }], counterUuids(100)),
    /formatted as 1 × 8/,
  );
});

Deno.test("initFormats() marks offline drives and works while half the pool agrees", async () => {
  const inner = memoryDrives(4);
  await initFormats([{ drives: inner, setDriveCount: 4 }], counterUuids());
  const drives = inner.map((d) => new FaultyDrive(d, { seed: 7 }));
  drives[0].setOffline(true);
  drives[3].setOffline(true);
  const result = await initFormats([{ drives, setDriveCount: 4 }], counterUuids(100));
  assert.deepEqual(result.drives[0][0].map((s) => s.state), ["offline", "ok", "ok", "offline"]);
});

Deno.test("initFormats() refuses to start when fewer than half the drives agree", async () => {
  const inner = memoryDrives(4);
  await initFormats([{ drives: inner, setDriveCount: 4 }], counterUuids());
  inner[1] = new MemoryDrive("/d2");
  inner[2] = new MemoryDrive("/d3");
  inner[3] = new MemoryDrive("/d4");
  await assert.rejects(
    initFormats([{ drives: inner, setDriveCount: 4 }], counterUuids(100)),
    /only 1 of 4/,
  );
});

Deno.test("initFormats() cannot create a deployment while a drive is offline", async () => {
  const drives = memoryDrives(4).map((d) => new FaultyDrive(d, { seed: 3 }));
  drives[1].setOffline(true);
  await assert.rejects(
    initFormats([{ drives, setDriveCount: 4 }], counterUuids()),
    /Cannot format drive "\/d2"/,
  );
});

Deno.test("initFormats() never formats over a format.json it cannot read", async () => {
  const drives = memoryDrives(4);
  await drives[0].writeAll(
    ".minio.sys",
    "format.json",
    new TextEncoder().encode('{"version":"1","format":"fs"}'),
  );
  await assert.rejects(
    initFormats([{ drives, setDriveCount: 4 }], counterUuids()),
    /Cannot use drive "\/d1"/,
  );
});

Deno.test("initFormats() gives a pool added later the existing deployment id", async () => {
  const first: PoolDrives = { drives: memoryDrives(4, "/a"), setDriveCount: 4 };
  const created = await initFormats([first], counterUuids());
  const second: PoolDrives = { drives: memoryDrives(8, "/b"), setDriveCount: 4 };
  const result = await initFormats([first, second], counterUuids(100));
  assert.equal(result.deploymentId, created.deploymentId);
  assert.deepEqual(result.drives.map((pool) => pool.length), [1, 2]);
  const added = await formatOf(second.drives[7]);
  assert.equal(added.id, created.deploymentId);
  assert.equal(added.xl.sets.length, 2);
  assert.deepEqual(result.formats.map((f) => f.xl.sets.length), [1, 2]);
  assert.deepEqual(result.createdPools, [1]);
});

Deno.test("initFormats() refuses a drive of pool 1 given in pool 2", async () => {
  const a = memoryDrives(4, "/a");
  const b = memoryDrives(4, "/b");
  await initFormats(
    [{ drives: a, setDriveCount: 4 }, { drives: b, setDriveCount: 4 }],
    counterUuids(),
  );
  const mixedB = [a[0], b[1], b[2], b[3]];
  const mixedA = [b[0], a[1], a[2], a[3]];
  await assert.rejects(
    initFormats(
      [{ drives: mixedA, setDriveCount: 4 }, { drives: mixedB, setDriveCount: 4 }],
      counterUuids(100),
    ),
    /it is drive 1 of set 1 of pool/,
  );
});
