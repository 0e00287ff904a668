/**
 * One behaviour suite for every StorageDrive: `driveContract(name, makeDrive)` registers
 * Deno tests that each run against a fresh drive. Run by local_drive_test.ts,
 * memory_drive_test.ts and faulty_drive_test.ts (a faulty drive with no faults).
 */
import assert from "node:assert/strict";
import {
  DriveError,
  type DriveErrorCode,
  type StorageDrive,
  type WalkEntry,
} from "../drive/storage_drive.ts";

export interface ContractDrive {
  drive: StorageDrive;
  /** Remove what the drive left behind (temp dirs); called after each test. */
  dispose?: () => Promise<void>;
}

const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(s);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export async function assertDriveError(
  promise: Promise<unknown>,
  code: DriveErrorCode,
): Promise<DriveError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DriveError, `expected DriveError ${code}, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected DriveError ${code}, but the call succeeded`);
}

async function collect(iterable: AsyncIterable<WalkEntry>): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of iterable) {
    names.push(entry.kind === "object" ? entry.name : `[${entry.name}]`);
  }
  return names;
}

/** Put an object the way the object layer does: shard in tmp, then renameData. */
async function putObject(
  drive: StorageDrive,
  bucket: string,
  key: string,
  body = "data",
): Promise<void> {
  const unique = crypto.randomUUID();
  const writer = await drive.createShardFile(".minio.sys", `tmp/${unique}/dd/part.1`, -1);
  await writer.write(text(body));
  await writer.close();
  await drive.renameData(bucket, key, {
    stagedDataDir: { volume: ".minio.sys", path: `tmp/${unique}/dd`, dataDir: "dd" },
    xlMeta: text(`meta of ${key}`),
  });
}

export function driveContract(name: string, makeDrive: () => Promise<ContractDrive>): void {
  function test(title: string, body: (drive: StorageDrive) => Promise<void>) {
    Deno.test(`${name}: ${title}`, async () => {
      const { drive, dispose } = await makeDrive();
      try {
        await body(drive);
      } finally {
        await dispose?.();
      }
    });
  }

  test("makeVolume() creates a bucket that listVolumes() and statVolume() report", async (drive) => {
    await drive.makeVolume("zeta");
    await drive.makeVolume("alpha");
    assert.deepEqual((await drive.listVolumes()).map((v) => v.name), ["alpha", "zeta"]);
    assert.equal((await drive.statVolume("alpha")).name, "alpha");
    assert.ok((await drive.statVolume("alpha")).created instanceof Date);
    await assertDriveError(drive.makeVolume("alpha"), "VolumeExists");
    await assertDriveError(drive.statVolume("missing"), "VolumeNotFound");
  });

  test("listVolumes() does not list .minio.sys, which exists from the start", async (drive) => {
    assert.deepEqual(await drive.listVolumes(), []);
    assert.equal((await drive.statVolume(".minio.sys")).name, ".minio.sys");
    assert.deepEqual(await drive.listDir(".minio.sys", ""), [
      "buckets/",
      "config/",
      "multipart/",
      "tmp/",
    ]);
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp"), [".trash/"]);
  });

  test("writeAll() then readAll() returns the bytes; a second writeAll() replaces them", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "a/b/c.txt", text("first"));
    assert.equal(decode(await drive.readAll("bucket", "a/b/c.txt")), "first");
    await drive.writeAll("bucket", "a/b/c.txt", text("second, longer"));
    assert.equal(decode(await drive.readAll("bucket", "a/b/c.txt")), "second, longer");
    await drive.writeAll("bucket", "empty", new Uint8Array());
    assert.equal((await drive.readAll("bucket", "empty")).length, 0);
  });

  test("readAll() fails with FileNotFound, VolumeNotFound or IsDirectory as the case is", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "dir/file", text("x"));
    await assertDriveError(drive.readAll("bucket", "nope"), "FileNotFound");
    await assertDriveError(drive.readAll("bucket", "dir/file/below"), "FileNotFound");
    await assertDriveError(drive.readAll("nobucket", "x"), "VolumeNotFound");
    await assertDriveError(drive.readAll("bucket", "dir"), "IsDirectory");
    await assertDriveError(drive.writeAll("nobucket", "x", text("x")), "VolumeNotFound");
  });

  test("writeAll() leaves nothing behind in .minio.sys/tmp", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "k", text("x"));
    await drive.writeMetadata("bucket", "obj", text("meta"));
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp"), [".trash/"]);
  });

  test("writeMetadata() stores <path>/xl.meta that readMetadata() returns", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeMetadata("bucket", "photos/cat.jpg", text("meta-bytes"));
    assert.equal(decode(await drive.readMetadata("bucket", "photos/cat.jpg")), "meta-bytes");
    assert.equal(decode(await drive.readAll("bucket", "photos/cat.jpg/xl.meta")), "meta-bytes");
    await assertDriveError(drive.readMetadata("bucket", "photos/dog.jpg"), "FileNotFound");
    await assertDriveError(drive.readMetadata("bucket", "photos"), "FileNotFound");
    await assertDriveError(drive.readMetadata("other", "photos"), "VolumeNotFound");
  });

  test("createShardFile() writes a file that readFile() reads back by range", async (drive) => {
    const writer = await drive.createShardFile(".minio.sys", "tmp/u1/dd/part.1", 10);
    await writer.write(text("01234"));
    await writer.write(text("56789"));
    await writer.close();
    assert.equal(
      decode(await drive.readFile(".minio.sys", "tmp/u1/dd/part.1", 0, 10)),
      "0123456789",
    );
    assert.equal(decode(await drive.readFile(".minio.sys", "tmp/u1/dd/part.1", 3, 4)), "3456");
    assert.equal((await drive.readFile(".minio.sys", "tmp/u1/dd/part.1", 10, 0)).length, 0);
    assert.equal((await drive.statFile(".minio.sys", "tmp/u1/dd/part.1")).sizeBytes, 10);
    await assertDriveError(drive.readFile(".minio.sys", "tmp/u1/dd/part.1", 5, 6), "FileCorrupt");
    await assertDriveError(drive.readFile(".minio.sys", "tmp/u1/dd/part.2", 0, 1), "FileNotFound");
    await assertDriveError(drive.statFile(".minio.sys", "tmp/u1/dd/part.2"), "FileNotFound");
    await assertDriveError(drive.statFile(".minio.sys", "tmp/u1/dd"), "IsDirectory");
  });

  test("openShardReader() reads ranges of one file until closed, even after its path is removed", async (drive) => {
    const writer = await drive.createShardFile(".minio.sys", "tmp/u1/dd/part.1", 10);
    await writer.write(text("0123456789"));
    await writer.close();
    const reader = await drive.openShardReader(".minio.sys", "tmp/u1/dd/part.1");
    try {
      const [a, b, empty] = await Promise.all([
        reader.read(0, 4),
        reader.read(6, 4),
        reader.read(10, 0),
      ]);
      assert.equal(decode(a), "0123");
      assert.equal(decode(b), "6789");
      assert.equal(empty.length, 0);
      await assertDriveError(reader.read(5, 6), "FileCorrupt");
      await drive.deletePath(".minio.sys", "tmp/u1", { recursive: true });
      assert.equal(decode(await reader.read(2, 3)), "234", "an open reader keeps its file");
    } finally {
      await reader.close();
    }
    await reader.close();
    await assert.rejects(reader.read(0, 1), "a closed reader reads nothing");
    await assertDriveError(drive.openShardReader(".minio.sys", "tmp/u1/dd/part.1"), "FileNotFound");
    await assertDriveError(drive.openShardReader("nobucket", "obj/dd/part.1"), "VolumeNotFound");
  });

  test("createShardFile() refuses an existing file (exclusive create)", async (drive) => {
    const writer = await drive.createShardFile(".minio.sys", "tmp/u1/part.1", -1);
    await writer.close();
    const error = await drive.createShardFile(".minio.sys", "tmp/u1/part.1", -1).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof DriveError, "a second create of the same shard file must fail");
  });

  test("a shard file shorter or longer than declared fails with FileCorrupt", async (drive) => {
    const short = await drive.createShardFile(".minio.sys", "tmp/u/short", 4);
    await short.write(text("ab"));
    await assertDriveError(short.close(), "FileCorrupt");
    await assertDriveError(drive.statFile(".minio.sys", "tmp/u/short"), "FileNotFound");
    const long = await drive.createShardFile(".minio.sys", "tmp/u/long", 2);
    await assertDriveError(long.write(text("abc")), "FileCorrupt");
    await long.abort();
  });

  test("abort() removes the partial shard file and never throws", async (drive) => {
    const writer = await drive.createShardFile(".minio.sys", "tmp/u/part.1", -1);
    await writer.write(text("partial"));
    await writer.abort();
    await writer.abort();
    await assertDriveError(drive.statFile(".minio.sys", "tmp/u/part.1"), "FileNotFound");
  });

  test("renameData() moves the staged data dir into place and commits xl.meta", async (drive) => {
    await drive.makeVolume("bucket");
    const writer = await drive.createShardFile(".minio.sys", "tmp/u1/dd1/part.1", 5);
    await writer.write(text("shard"));
    await writer.close();
    await drive.renameData("bucket", "a/b/obj", {
      stagedDataDir: { volume: ".minio.sys", path: "tmp/u1/dd1", dataDir: "dd1" },
      xlMeta: text("v1"),
    });
    assert.equal(decode(await drive.readMetadata("bucket", "a/b/obj")), "v1");
    assert.equal(decode(await drive.readFile("bucket", "a/b/obj/dd1/part.1", 0, 5)), "shard");
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp"), [".trash/"]);
  });

  test("renameData() without data (inline) replaces xl.meta and keeps the backup", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.renameData("bucket", "obj", { xlMeta: text("v1") });
    await drive.renameData("bucket", "obj", {
      xlMeta: text("v2"),
      backup: { oldDataDir: "old-dd", previousXlMeta: text("v1") },
    });
    assert.equal(decode(await drive.readMetadata("bucket", "obj")), "v2");
    assert.equal(decode(await drive.readAll("bucket", "obj/old-dd/xl.meta.bkp")), "v1");
  });

  test("renameData() takes a staged data dir from multipart and leaves the upload's xl.meta", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll(".minio.sys", "multipart/sha/upload/xl.meta", text("upload"));
    const writer = await drive.createShardFile(".minio.sys", "multipart/sha/upload/dd/part.1", -1);
    await writer.write(text("p1"));
    await writer.close();
    await drive.renameData("bucket", "big", {
      stagedDataDir: { volume: ".minio.sys", path: "multipart/sha/upload/dd", dataDir: "dd" },
      xlMeta: text("final"),
    });
    assert.equal(decode(await drive.readFile("bucket", "big/dd/part.1", 0, 2)), "p1");
    assert.equal(
      decode(await drive.readAll(".minio.sys", "multipart/sha/upload/xl.meta")),
      "upload",
    );
  });

  test("renameData() fails without touching the live xl.meta when the staged dir is missing", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.renameData("bucket", "obj", { xlMeta: text("v1") });
    await assertDriveError(
      drive.renameData("bucket", "obj", {
        stagedDataDir: { volume: ".minio.sys", path: "tmp/none/dd", dataDir: "dd" },
        xlMeta: text("v2"),
      }),
      "FileNotFound",
    );
    assert.equal(decode(await drive.readMetadata("bucket", "obj")), "v1");
    await assertDriveError(
      drive.renameData("nobucket", "obj", { xlMeta: text("v") }),
      "VolumeNotFound",
    );
  });

  test("renameData() of a/x fails with ParentIsObject when a is an object, and writes nothing", async (drive) => {
    await drive.makeVolume("bucket");
    await putObject(drive, "bucket", "a");
    await putObject(drive, "bucket", "p/q");
    await assertDriveError(putObject(drive, "bucket", "a/x"), "ParentIsObject");
    await assertDriveError(putObject(drive, "bucket", "p/q/r/s"), "ParentIsObject");
    assert.deepEqual(await drive.listDir("bucket", "a"), ["dd/", "xl.meta"]);
    assert.deepEqual(await drive.listDir("bucket", "p/q"), ["dd/", "xl.meta"]);
    assert.equal(decode(await drive.readMetadata("bucket", "a")), "meta of a");
  });

  test("renameData() of a fails with ObjectExistsAsDirectory when objects exist under a/", async (drive) => {
    await drive.makeVolume("bucket");
    await putObject(drive, "bucket", "a/x");
    await putObject(drive, "bucket", "b/c/d");
    await assertDriveError(putObject(drive, "bucket", "a"), "ObjectExistsAsDirectory");
    await assertDriveError(putObject(drive, "bucket", "b"), "ObjectExistsAsDirectory");
    await assertDriveError(
      drive.renameData("bucket", "b/c", { xlMeta: text("inline") }),
      "ObjectExistsAsDirectory",
    );
    await assertDriveError(drive.readMetadata("bucket", "a"), "FileNotFound");
    assert.deepEqual(await drive.listDir("bucket", "a"), ["x/"]);
  });

  test("renameData() overwrites an object with data dirs, and a key whose dir holds only a stray data dir", async (drive) => {
    await drive.makeVolume("bucket");
    await putObject(drive, "bucket", "obj", "one");
    await putObject(drive, "bucket", "obj", "two");
    assert.equal(decode(await drive.readFile("bucket", "obj/dd/part.1", 0, 3)), "two");
    const stray = "0b0c8c2a-5f1e-4a8e-9d4c-1e2f3a4b5c6d";
    const writer = await drive.createShardFile("bucket", `fresh/${stray}/part.1`, 1);
    await writer.write(text("x"));
    await writer.close();
    await putObject(drive, "bucket", "fresh");
    assert.equal(decode(await drive.readMetadata("bucket", "fresh")), "meta of fresh");
  });

  test("renameData() into .minio.sys is not held to the object-or-prefix rule", async (drive) => {
    await drive.renameData(".minio.sys", "config/a", { xlMeta: text("outer") });
    await drive.renameData(".minio.sys", "config/a/b", { xlMeta: text("inner") });
    assert.equal(decode(await drive.readMetadata(".minio.sys", "config/a/b")), "inner");
  });

  test("renamePath() moves a file, creating parents and replacing a file there", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll(".minio.sys", "tmp/x/part.1", text("new"));
    await drive.writeAll(".minio.sys", "multipart/s/u/part.1", text("old"));
    await drive.renamePath(".minio.sys", "tmp/x/part.1", ".minio.sys", "multipart/s/u/part.1");
    assert.equal(decode(await drive.readAll(".minio.sys", "multipart/s/u/part.1")), "new");
    await assertDriveError(drive.readAll(".minio.sys", "tmp/x/part.1"), "FileNotFound");
    await drive.writeAll(".minio.sys", "tmp/y/f", text("moved"));
    await drive.renamePath(".minio.sys", "tmp/y", "bucket", "deep/er/y");
    assert.equal(decode(await drive.readAll("bucket", "deep/er/y/f")), "moved");
    await assertDriveError(
      drive.renamePath(".minio.sys", "tmp/none", "bucket", "z"),
      "FileNotFound",
    );
  });

  test("deletePath() removes an object and prunes empty parents up to the bucket", async (drive) => {
    await drive.makeVolume("bucket");
    await putObject(drive, "bucket", "a/b/c/obj");
    await drive.writeMetadata("bucket", "a/keep", text("m"));
    await drive.deletePath("bucket", "a/b/c/obj", { recursive: true });
    await assertDriveError(drive.readMetadata("bucket", "a/b/c/obj"), "FileNotFound");
    assert.deepEqual(await drive.listDir("bucket", ""), ["a/"]);
    assert.deepEqual(await drive.listDir("bucket", "a"), ["keep/"]);
    await drive.deletePath("bucket", "a/keep/xl.meta", { recursive: false });
    assert.deepEqual(await drive.listDir("bucket", ""), []);
    assert.equal((await drive.statVolume("bucket")).name, "bucket");
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp/.trash"), []);
  });

  test("deletePath() of a missing path succeeds; of a non-empty directory needs recursive", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.deletePath("bucket", "never/was", { recursive: false });
    await drive.writeAll("bucket", "dir/file", text("x"));
    await assertDriveError(drive.deletePath("bucket", "dir", { recursive: false }), "IsDirectory");
    await drive.deletePath("bucket", "dir", { recursive: true });
    await assertDriveError(drive.listDir("bucket", "dir"), "FileNotFound");
    await assertDriveError(
      drive.deletePath("nobucket", "x", { recursive: true }),
      "VolumeNotFound",
    );
  });

  test("deletePath() never prunes the reserved directories of .minio.sys", async (drive) => {
    await drive.writeAll(".minio.sys", "multipart/sha/upload/xl.meta", text("u"));
    await drive.deletePath(".minio.sys", "multipart/sha/upload", { recursive: true });
    assert.deepEqual(await drive.listDir(".minio.sys", "multipart"), []);
    await drive.writeAll(".minio.sys", "tmp/abc", text("t"));
    await drive.deletePath(".minio.sys", "tmp/abc", { recursive: false });
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp"), [".trash/"]);
  });

  test("deleteVolume() refuses a bucket holding files unless forced", async (drive) => {
    await drive.makeVolume("full");
    await drive.makeVolume("hollow");
    await drive.writeAll("full", "a/b", text("x"));
    await drive.writeAll("hollow", "a/b", text("x"));
    await drive.deletePath("hollow", "a/b", { recursive: false });
    await assertDriveError(drive.deleteVolume("full", { force: false }), "VolumeNotEmpty");
    await drive.deleteVolume("hollow", { force: false });
    await drive.deleteVolume("full", { force: true });
    assert.deepEqual(await drive.listVolumes(), []);
    await assertDriveError(drive.deleteVolume("full", { force: true }), "VolumeNotFound");
  });

  test("listDir() lists names sorted, directories with a trailing slash", async (drive) => {
    await drive.makeVolume("bucket");
    await drive.writeAll("bucket", "d/b", text("x"));
    await drive.writeAll("bucket", "d/a/x", text("x"));
    await drive.writeAll("bucket", "d/c", text("x"));
    assert.deepEqual(await drive.listDir("bucket", "d"), ["a/", "b", "c"]);
    await assertDriveError(drive.listDir("bucket", "nope"), "FileNotFound");
    await assertDriveError(drive.listDir("nobucket", ""), "VolumeNotFound");
  });

  test("walk() yields one level of objects and prefixes in lexical order", async (drive) => {
    await drive.makeVolume("bucket");
    for (const key of ["b", "a/x", "a-b", "c/d/e", "photos__XLDIR__", "a0"]) {
      await putObject(drive, "bucket", key);
    }
    const names = await collect(drive.walk("bucket", { prefix: "", recursive: false }));
    assert.deepEqual(names, ["a-b", "[a/]", "a0", "b", "[c/]", "photos__XLDIR__"]);
  });

  test("walk() recursive yields every object sorted, never descending into an object", async (drive) => {
    await drive.makeVolume("bucket");
    for (const key of ["b", "a/x", "a-b", "c/d/e", "a/y/z", "a0"]) {
      await putObject(drive, "bucket", key);
    }
    const names = await collect(drive.walk("bucket", { prefix: "", recursive: true }));
    assert.deepEqual(names, ["a-b", "a/x", "a/y/z", "a0", "b", "c/d/e"]);
    const entries: WalkEntry[] = [];
    for await (const entry of drive.walk("bucket", { prefix: "a/", recursive: true })) {
      entries.push(entry);
    }
    assert.deepEqual(entries.map((e) => e.name), ["a/x", "a/y/z"]);
    assert.equal(entries[0].kind === "object" && decode(entries[0].xlMeta), "meta of a/x");
  });

  test("walk() filters by a key prefix and resumes strictly after a name", async (drive) => {
    await drive.makeVolume("bucket");
    for (const key of ["photos/2020/a", "photos/2021/b", "photos/2x", "photos/3", "other"]) {
      await putObject(drive, "bucket", key);
    }
    assert.deepEqual(
      await collect(drive.walk("bucket", { prefix: "photos/2", recursive: false })),
      [
        "[photos/2020/]",
        "[photos/2021/]",
        "photos/2x",
      ],
    );
    assert.deepEqual(
      await collect(
        drive.walk("bucket", { prefix: "photos/", recursive: true, after: "photos/2020/a" }),
      ),
      ["photos/2021/b", "photos/2x", "photos/3"],
    );
    assert.deepEqual(
      await collect(
        drive.walk("bucket", { prefix: "photos/", recursive: false, after: "photos/2020/" }),
      ),
      ["[photos/2021/]", "photos/2x", "photos/3"],
    );
    assert.deepEqual(
      await collect(drive.walk("bucket", { prefix: "nothing/", recursive: true })),
      [],
    );
    assert.deepEqual(
      await collect(drive.walk("bucket", { prefix: "other/", recursive: true })),
      [],
    );
  });

  test("concurrent commits and deletes under one parent all succeed", async (drive) => {
    await drive.makeVolume("bucket");
    const rounds = 40;
    await Promise.all(Array.from({ length: rounds }, async (_, i) => {
      await putObject(drive, "bucket", `shared/dir/k${i}`);
      if (i % 2 === 1) await drive.deletePath("bucket", `shared/dir/k${i}`, { recursive: true });
    }));
    const names = await collect(drive.walk("bucket", { prefix: "", recursive: true }));
    const kept = Array.from({ length: rounds / 2 }, (_, i) => `shared/dir/k${2 * i}`).sort();
    assert.deepEqual(names, kept);
  });

  test("walk() orders a name before or after its extensions as it is an object or a prefix", async (drive) => {
    await drive.makeVolume("bucket");
    for (const key of ["a/x", "a-b", "a.c", "a0", "b", "b-c", "b/"]) {
      await putObject(drive, "bucket", key.endsWith("/") ? "b0/y" : key);
    }
    assert.deepEqual(await collect(drive.walk("bucket", { prefix: "", recursive: true })), [
      "a-b",
      "a.c",
      "a/x",
      "a0",
      "b",
      "b-c",
      "b0/y",
    ]);
    assert.deepEqual(await collect(drive.walk("bucket", { prefix: "", recursive: false })), [
      "a-b",
      "a.c",
      "[a/]",
      "a0",
      "b",
      "b-c",
      "[b0/]",
    ]);
    assert.deepEqual(
      await collect(drive.walk("bucket", { prefix: "", recursive: true, after: "a.c" })),
      ["a/x", "a0", "b", "b-c", "b0/y"],
    );
    assert.deepEqual(
      await collect(drive.walk("bucket", { prefix: "", recursive: true, after: "b" })),
      ["b-c", "b0/y"],
    );
  });

  test("walk() of a missing volume fails with VolumeNotFound", async (drive) => {
    await assertDriveError(
      collect(drive.walk("nobucket", { prefix: "", recursive: true })),
      "VolumeNotFound",
    );
  });

  test("paths with .., absolute paths, empty segments or NUL are refused", async (drive) => {
    await drive.makeVolume("bucket");
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "a//b", "a/", "a\0b", ".", ""]) {
      const error = await drive.readAll("bucket", bad).then(() => undefined, (e) => e);
      assert.ok(error instanceof DriveError, `readAll(${JSON.stringify(bad)}) must fail`);
      assert.notEqual(
        error.code,
        "FileNotFound",
        `readAll(${JSON.stringify(bad)}) must be refused, not looked up`,
      );
    }
    await assertDriveError(drive.writeAll("..", "x", text("x")), "AccessDenied");
    await assertDriveError(drive.writeAll("a/b", "x", text("x")), "AccessDenied");
    await assertDriveError(drive.writeAll("bucket", "x".repeat(256), text("x")), "PathTooLong");
    await drive.writeAll("bucket", "x".repeat(255), text("x"));
  });

  test("cleanupTmp() empties .minio.sys/tmp and keeps tmp/.trash", async (drive) => {
    await drive.writeAll(".minio.sys", "tmp/left/over", text("x"));
    const writer = await drive.createShardFile(".minio.sys", "tmp/u/part.1", -1);
    await writer.close();
    await drive.cleanupTmp();
    assert.deepEqual(await drive.listDir(".minio.sys", "tmp"), [".trash/"]);
    assert.deepEqual(await drive.listDir(".minio.sys", ""), [
      "buckets/",
      "config/",
      "multipart/",
      "tmp/",
    ]);
  });

  test("info() reports capacity and the drive id from format.json", async (drive) => {
    const before = await drive.info();
    assert.equal(before.id, "");
    assert.equal(before.endpoint, drive.endpoint);
    assert.ok(before.totalBytes > 0 && before.freeBytes <= before.totalBytes);
    const format = {
      version: "1",
      format: "xl",
      id: "d",
      xl: { version: "3", this: "drive-uuid", sets: [["drive-uuid"]] },
    };
    await drive.writeAll(".minio.sys", "format.json", text(JSON.stringify(format)));
    assert.equal((await drive.info()).id, "drive-uuid");
  });
}
