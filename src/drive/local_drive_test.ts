import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { assertDriveError, driveContract } from "../testing/drive_contract.ts";
import { LocalDrive } from "./local_drive.ts";

driveContract("LocalDrive", async () => {
  const root = await Deno.makeTempDir({ prefix: "aistor-drive-" });
  return {
    drive: await LocalDrive.open(root),
    dispose: () => Deno.remove(root, { recursive: true }),
  };
});

const text = (s: string) => new TextEncoder().encode(s);

async function withTempDir(body: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "aistor-local-" });
  try {
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("LocalDrive lays objects out as MinIO does: <bucket>/<key>/xl.meta and <dataDir>/part.1", async () => {
  await withTempDir(async (root) => {
    const drive = await LocalDrive.open(root);
    for (const dir of ["tmp/.trash", "multipart", "buckets", "config"]) {
      assert.ok(Deno.statSync(`${root}/.minio.sys/${dir}`).isDirectory, dir);
    }
    await drive.makeVolume("bucket");
    const writer = await drive.createShardFile(".minio.sys", "tmp/u1/dd/part.1", 3);
    await writer.write(text("abc"));
    await writer.close();
    await drive.renameData("bucket", "photos/cat.jpg", {
      stagedDataDir: { volume: ".minio.sys", path: "tmp/u1/dd", dataDir: "dd" },
      xlMeta: text("meta"),
    });
    assert.equal(Deno.readTextFileSync(`${root}/bucket/photos/cat.jpg/xl.meta`), "meta");
    assert.equal(Deno.readTextFileSync(`${root}/bucket/photos/cat.jpg/dd/part.1`), "abc");
    assert.deepEqual([...Deno.readDirSync(`${root}/.minio.sys/tmp`)].map((e) => e.name), [
      ".trash",
    ]);
  });
});

Deno.test("new LocalDrive() touches nothing until used, then creates .minio.sys as needed", async () => {
  await withTempDir(async (root) => {
    const drive = new LocalDrive(root);
    assert.equal(existsSync(`${root}/.minio.sys`), false);
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "a", text("x"));
    assert.ok(Deno.statSync(`${root}/.minio.sys/tmp/.trash`).isDirectory);
    await drive.deletePath("bucket", "a", { recursive: false });
    await drive.cleanupTmp();
    assert.ok(Deno.statSync(`${root}/.minio.sys/multipart`).isDirectory);
    assert.equal(existsSync(`${root}/.minio.sys/tmp-old`), false);
  });
});

Deno.test("new LocalDrive() on an empty directory takes format.json, creating .minio.sys", async () => {
  await withTempDir(async (root) => {
    const drive = new LocalDrive(root);
    await assertDriveError(drive.readAll(".minio.sys", "format.json"), "VolumeNotFound");
    await drive.writeAll(".minio.sys", "format.json", text("{}"));
    assert.equal(Deno.readTextFileSync(`${root}/.minio.sys/format.json`), "{}");
    assert.ok(Deno.statSync(`${root}/.minio.sys/tmp/.trash`).isDirectory);
  });
});

Deno.test("LocalDrive answers DriveOffline when its directory is missing", async () => {
  await withTempDir(async (root) => {
    await assertDriveError(LocalDrive.open(`${root}/absent`), "DriveOffline");
    const drive = await LocalDrive.open(`${root}/d1`).catch(() => undefined);
    assert.equal(drive, undefined);
    Deno.mkdirSync(`${root}/d1`);
    const present = await LocalDrive.open(`${root}/d1`);
    await present.makeVolume("bucket");
    Deno.renameSync(`${root}/d1`, `${root}/moved`);
    await assertDriveError(present.readAll("bucket", "x"), "DriveOffline");
    await assertDriveError(present.writeAll("bucket", "x", text("x")), "DriveOffline");
    await assertDriveError(present.makeVolume("other"), "DriveOffline");
    await assertDriveError(present.info(), "DriveOffline");
  });
});

Deno.test("LocalDrive.info() reports the file system's capacity", async () => {
  await withTempDir(async (root) => {
    const info = await (await LocalDrive.open(root)).info();
    assert.ok(info.totalBytes > 0);
    assert.ok(info.freeBytes > 0 && info.freeBytes <= info.totalBytes);
    assert.equal(info.usedBytes, info.totalBytes - info.freeBytes);
  });
});

Deno.test("LocalDrive.cleanupTmp() removes leftovers of tmp and of an earlier tmp-old", async () => {
  await withTempDir(async (root) => {
    const drive = await LocalDrive.open(root);
    Deno.mkdirSync(`${root}/.minio.sys/tmp/abc/dd`, { recursive: true });
    Deno.writeTextFileSync(`${root}/.minio.sys/tmp/abc/dd/part.1`, "stale");
    Deno.mkdirSync(`${root}/.minio.sys/tmp-old/older`, { recursive: true });
    await drive.cleanupTmp();
    assert.deepEqual([...Deno.readDirSync(`${root}/.minio.sys/tmp`)].map((e) => e.name), [
      ".trash",
    ]);
    assert.equal(existsSync(`${root}/.minio.sys/tmp-old`), false);
  });
});

Deno.test("LocalDrive refuses paths that escape the drive, even when callers forget to check", async () => {
  await withTempDir(async (root) => {
    Deno.mkdirSync(`${root}/drive`);
    Deno.writeTextFileSync(`${root}/secret`, "secret");
    const drive = await LocalDrive.open(`${root}/drive`);
    await drive.makeVolume("bucket");
    await assertDriveError(drive.readAll("bucket", "../../secret"), "AccessDenied");
    await assertDriveError(drive.readAll("..", "secret"), "AccessDenied");
    await assertDriveError(drive.deletePath("bucket", "..", { recursive: true }), "AccessDenied");
    assert.equal(Deno.readTextFileSync(`${root}/secret`), "secret");
  });
});

// MinIO-written drives, read in place (nothing is written to the fixture directories).
const fixtures = new URL("../../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = existsSync(fixtures);
if (!haveFixtures) console.log(`skipping MinIO drive fixtures: ${fixtures.pathname} is absent`);

Deno.test({
  name: "LocalDrive reads a MinIO-written drive: walk finds testobj, not its data dirs",
  ignore: !haveFixtures,
  async fn() {
    const root = new URL("buildscripts/cicd-corpus/disk4/", fixtures).pathname;
    const drive = new LocalDrive(root);
    assert.deepEqual((await drive.listVolumes()).map((v) => v.name), ["bucket"]);
    const entries = [];
    for await (const entry of drive.walk("bucket", { prefix: "", recursive: true })) {
      entries.push(entry);
    }
    assert.deepEqual(entries.map((e) => [e.kind, e.name]), [["object", "testobj"]]);
    const onDisk = readFileSync(`${root}bucket/testobj/xl.meta`);
    assert.deepEqual(entries[0].kind === "object" && entries[0].xlMeta, new Uint8Array(onDisk));
    assert.deepEqual(await drive.readMetadata("bucket", "testobj"), new Uint8Array(onDisk));
    const part = "testobj/2b4f7e41-df82-4a5e-a3c1-8df87f83332f/part.1";
    assert.equal((await drive.statFile("bucket", part)).sizeBytes, 214872);
    assert.equal((await drive.readFile("bucket", part, 214872 - 32, 32)).length, 32);
    assert.deepEqual(await drive.listDir("bucket", "testobj"), [
      "2b4f7e41-df82-4a5e-a3c1-8df87f83332f/",
      "a599bd9e-69fe-49b7-b6bf-fe53021039d5/",
      "xl.meta",
    ]);
    const nonRecursive = [];
    for await (const entry of drive.walk("bucket", { prefix: "testobj/", recursive: false })) {
      nonRecursive.push(entry.name);
    }
    assert.deepEqual(nonRecursive, [], "an object's data dirs are not prefixes");
  },
});

Deno.test({
  name: "LocalDrive reports a drive without xl.meta (cicd-corpus disk1) as holding no objects",
  ignore: !haveFixtures,
  async fn() {
    const drive = new LocalDrive(new URL("buildscripts/cicd-corpus/disk1/", fixtures).pathname);
    const names = [];
    for await (const entry of drive.walk("bucket", { prefix: "", recursive: true })) {
      names.push(entry.name);
    }
    assert.deepEqual(names, []);
    await assertDriveError(drive.readMetadata("bucket", "testobj"), "FileNotFound");
  },
});

Deno.test("LocalDrive answers DriveOffline to every call when its root is gone, and never re-creates the root", async () => {
  await withTempDir(async (root) => {
    const driveRoot = `${root}/d1`;
    Deno.mkdirSync(driveRoot);
    const drive = await LocalDrive.open(driveRoot);
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "a/xl.meta", text("m"));
    Deno.renameSync(driveRoot, `${root}/unmounted`);
    const calls: [string, () => Promise<unknown>][] = [
      ["info", () => drive.info()],
      ["makeVolume", () => drive.makeVolume("other")],
      ["listVolumes", () => drive.listVolumes()],
      ["statVolume", () => drive.statVolume("bucket")],
      ["deleteVolume", () => drive.deleteVolume("bucket", { force: true })],
      ["readAll", () => drive.readAll("bucket", "a/xl.meta")],
      ["readAll .minio.sys", () => drive.readAll(".minio.sys", "format.json")],
      ["writeAll", () => drive.writeAll("bucket", "b", text("x"))],
      ["writeAll .minio.sys", () => drive.writeAll(".minio.sys", "format.json", text("{}"))],
      ["readMetadata", () => drive.readMetadata("bucket", "a")],
      ["writeMetadata", () => drive.writeMetadata(".minio.sys", "multipart/x/y", text("m"))],
      ["createShardFile", () => drive.createShardFile(".minio.sys", "tmp/u/dd/part.1", 1)],
      ["readFile", () => drive.readFile("bucket", "a/xl.meta", 0, 1)],
      ["statFile", () => drive.statFile("bucket", "a/xl.meta")],
      ["renameData", () => drive.renameData("bucket", "c", { xlMeta: text("m") })],
      [
        "renameData .minio.sys",
        () => drive.renameData(".minio.sys", "config/c", { xlMeta: text("m") }),
      ],
      ["renamePath", () => drive.renamePath(".minio.sys", "tmp/x", ".minio.sys", "multipart/y")],
      ["deletePath", () => drive.deletePath("bucket", "a", { recursive: true })],
      ["deletePath .minio.sys", () => drive.deletePath(".minio.sys", "tmp/x", { recursive: true })],
      ["listDir", () => drive.listDir("bucket", "")],
      ["walk", async () => {
        for await (const _ of drive.walk("bucket", { prefix: "", recursive: true })) { /* drain */ }
      }],
      ["cleanupTmp", () => drive.cleanupTmp()],
    ];
    for (const [name, call] of calls) {
      await assertDriveError(call(), "DriveOffline").catch((error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      assert.equal(existsSync(driveRoot), false, `${name} re-created the drive's root`);
    }
  });
});
