/**
 * Objects written by MinIO read back through aistor's erasure set with the right bytes,
 * ETag (MD5 of the bytes == stored etag) and metadata — also with a drive missing and with
 * a corrupted shard — and objects aistor writes pass bitrot and parity checks made with the
 * reference libraries (`highwayhasher`, `@subspace/reed-solomon-erasure.wasm`).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { unzipSync } from "fflate";
import { WasmHighwayHash } from "highwayhasher";
import { ReedSolomonErasure } from "@subspace/reed-solomon-erasure.wasm";
import { LocalDrive } from "../src/drive/local_drive.ts";
import type { StorageDrive } from "../src/drive/storage_drive.ts";
import { bitrotKey } from "../src/kernels/mod.ts";
import { decodeXlMeta } from "../src/metadata/xl_meta.ts";
import type { ObjectVersion } from "../src/metadata/types.ts";
import { ObjectError } from "../src/object/object_layer.ts";
import { MemoryDrive } from "../src/testing/memory_drive.ts";
import {
  bodyOf,
  makeSet,
  readBody,
  seededBytes,
  seededRandom,
} from "../src/object/_support_test.ts";

const fixtures = new URL("../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = existsSync(fixtures);
if (!haveFixtures) console.log(`compat_objects_test: skipped, ${fixtures.pathname} is absent`);
const ignore = !haveFixtures;

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`compat_objects_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");
const isCode = (code: string) => (e: unknown) => e instanceof ObjectError && e.code === code;
const fixture = (path: string) => Deno.readFileSync(new URL(path, fixtures));

/** Copy a fixture drive tree (read-only in ../shared) into a temp dir. */
async function copyTree(from: URL, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = new URL(entry.name + (entry.isDirectory ? "/" : ""), from);
    if (entry.isDirectory) await copyTree(source, `${to}/${entry.name}`);
    else await Deno.writeFile(`${to}/${entry.name}`, await Deno.readFile(source));
  }
}

/** MemoryDrives loaded with the files of a zip, one drive per top-level directory name. */
async function drivesFromZip(
  zip: Record<string, Uint8Array>,
  names: string[],
): Promise<MemoryDrive[]> {
  const drives = names.map((name) => new MemoryDrive(name));
  for (const [path, bytes] of Object.entries(zip)) {
    if (path.endsWith("/")) continue;
    const [top, volume, ...rest] = path.split("/");
    const index = names.indexOf(top);
    if (index < 0) continue;
    const drive = drives[index];
    await drive.makeVolume(volume).catch(() => {});
    await drive.writeAll(volume, rest.join("/"), bytes);
  }
  for (const drive of drives) {
    await drive.makeVolume(Object.keys(zip)[0].split("/")[1]).catch(() => {});
  }
  return drives;
}

async function readObject(drives: StorageDrive[], bucket: string, key: string, versionId?: string) {
  const set = makeSet(drives);
  try {
    const reader = await set.getObject(bucket, key, {
      versioning: versionId === undefined ? "Unversioned" : "Enabled",
      ...(versionId === undefined ? {} : { versionId }),
    });
    return { info: reader.info, bytes: await readBody(reader.body) };
  } finally {
    await set.healsIdle();
    await set.close();
  }
}

/** Flip a byte in one drive's inline value for `versionKey` (the xl.meta CRC does not cover it). */
async function corruptInline(drive: StorageDrive, bucket: string, key: string) {
  const bytes = (await drive.readMetadata(bucket, key)).slice();
  bytes[bytes.length - 3] ^= 0x40;
  await drive.writeMetadata(bucket, key, bytes);
}

Deno.test(
  "cicd-corpus (3+2, 5 drives, inconsistent versions): testobj reads with the quorum version",
  {
    ignore,
  },
  async () => {
    const root = await Deno.makeTempDir({ prefix: "aistor-compat-" });
    try {
      for (let i = 1; i <= 5; i++) {
        await copyTree(new URL(`buildscripts/cicd-corpus/disk${i}/`, fixtures), `${root}/disk${i}`);
      }
      const open = () =>
        Promise.all([1, 2, 3, 4, 5].map((i) => LocalDrive.open(`${root}/disk${i}`)));
      const { info, bytes } = await readObject(await open(), "bucket", "testobj");
      assert.equal(bytes.length, 644_520);
      assert.equal(info.etag, "9587ddd31fead633830366f45d221d56");
      assert.equal(md5(bytes), info.etag);
      assert.equal(info.versionId, "50051050-62bc-4928-b0d3-65f4f828a0c7");
      assert.equal(info.contentType, "application/octet-stream");
      // MetaUsr as MinIO stored it, keys lowercased; "x-amz-storage-class: STANDARD" is hidden.
      assert.deepEqual(info.metadata, { "x-amz-replication-status": "REPLICA" });
      assert.equal(info.modTime.getTime(), Math.floor(1647789301539406531 / 1e6));
      // disk1 has no xl.meta: the object reads without it too. (Only 3 drives list the version
      // of this 3+2 object, exactly its read quorum, so no listed shard can be lost here.)
      const withoutDisk1: StorageDrive[] = await open();
      withoutDisk1[0] = offlineDrive("disk1");
      assert.equal(md5((await readObject(withoutDisk1, "bucket", "testobj")).bytes), info.etag);
      // The version on disk4/disk5 only (2 of 5, below read quorum 3) is not served.
      await assert.rejects(
        readObject(await open(), "bucket", "testobj", "163c7c9d-e856-41ed-93ae-2adccecc8211"),
        (e: unknown) =>
          e instanceof ObjectError && (e.code === "NoSuchVersion" || e.code === "ReadQuorum"),
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

Deno.test("xl-meta-inline-notinline (2+2): shard 2 inline on disk1, shard 3 in part.1 on disk2", {
  ignore,
}, async () => {
  const zip = unzipSync(fixture("cmd/testdata/xl-meta-inline-notinline.zip"));
  const drives = await drivesFromZip(zip, ["disk1", "disk2", "disk3", "disk4"]);
  const { info, bytes } = await readObject(drives, "testbucket", "file");
  assert.equal(bytes.length, 132_096);
  assert.equal(md5(bytes), "fffb6377948ebea75ad2b8058e849ef5");
  assert.equal(info.etag, "fffb6377948ebea75ad2b8058e849ef5");
  assert.equal(info.contentType, "application/octet-stream");
  assert.deepEqual(info.metadata, {});
  // Only 2 of the 4 drives hold this 2+2 object: losing or corrupting either is below read quorum.
  await corruptInline(drives[0], "testbucket", "file");
  await assert.rejects(readObject(drives, "testbucket", "file"), isCode("ReadQuorum"));
});

Deno.test(
  "synthesized hello.txt (2+2 inline): reads, also with a drive missing and a corrupt shard",
  {
    ignore,
  },
  async () => {
    const example = JSON.parse(new TextDecoder().decode(fixture("synthesized/EXAMPLE.json")));
    const load = async () => {
      const drives = [1, 2, 3, 4].map((i) => new MemoryDrive(`drive${i}`));
      for (const [i, drive] of drives.entries()) {
        await drive.makeVolume("mybucket");
        await drive.writeMetadata(
          "mybucket",
          "hello.txt",
          fixture(`synthesized/drive${i + 1}/mybucket/hello.txt/xl.meta`),
        );
      }
      return drives;
    };
    const { info, bytes } = await readObject(await load(), "mybucket", "hello.txt");
    assert.equal(new TextDecoder().decode(bytes), example.body);
    assert.equal(info.etag, example.etag);
    assert.equal(md5(bytes), example.etag);
    assert.equal(info.contentType, "text/plain");
    assert.equal(info.modTime.getTime(), Number(BigInt(example.mtime) / 1_000_000n));
    const missing: StorageDrive[] = await load();
    missing[2] = offlineDrive("drive3");
    assert.equal(
      new TextDecoder().decode((await readObject(missing, "mybucket", "hello.txt")).bytes),
      example.body,
    );
    const corrupt = await load();
    await corruptInline(corrupt[0], "mybucket", "hello.txt");
    await corruptInline(corrupt[3], "mybucket", "hello.txt");
    assert.equal(
      new TextDecoder().decode((await readObject(corrupt, "mybucket", "hello.txt")).bytes),
      example.body,
    );
  },
);

Deno.test("xl-meta-merge: both inline versions of xl1-4 and the null version of xl5-8 read back", {
  ignore,
}, async () => {
  const zip = unzipSync(fixture("cmd/testdata/xl-meta-merge.zip"));
  const versioned = await drivesFromZip(zip, ["xl1", "xl2", "xl3", "xl4"]);
  for (
    const versionId of [
      "1f163718-9bc5-4b01-bff7-5d8cf09caf10",
      "73c9f651-f023-4566-b012-cc537fdb7ce2",
    ]
  ) {
    const { info, bytes } = await readObject(versioned, "testbucket", "hosts", versionId);
    assert.equal(bytes.length, 228);
    assert.equal(md5(bytes), "9fe7a344ef4227d3e53751e9d88ce41e");
    assert.equal(info.etag, md5(bytes));
  }
  const latest = await readObject(versioned, "testbucket", "hosts");
  assert.equal(latest.info.versionId, "1f163718-9bc5-4b01-bff7-5d8cf09caf10");
  const nullSet: StorageDrive[] = await drivesFromZip(zip, ["xl5", "xl6", "xl7", "xl8"]);
  const expected = "4af243ccccbadaf12545b1614f06a02d";
  const plain = await readObject(nullSet, "testbucket", "hosts");
  assert.equal(plain.bytes.length, 19_113);
  assert.equal(md5(plain.bytes), expected);
  assert.equal(plain.info.etag, expected);
  assert.equal(plain.info.contentType, "text/markdown");
  await corruptInline(nullSet[1], "testbucket", "hosts");
  nullSet[0] = offlineDrive("xl5");
  assert.equal(
    md5((await readObject(nullSet, "testbucket", "hosts")).bytes),
    expected,
    "one missing, one corrupt",
  );
  // That read queued a heal which rewrote xl6's shard: xl5 (back) + xl6 now suffice.
  const healedSet: StorageDrive[] = [...nullSet];
  healedSet[0] = (await drivesFromZip(zip, ["xl5"]))[0];
  healedSet[2] = offlineDrive("xl7");
  healedSet[3] = offlineDrive("xl8");
  assert.equal(
    md5((await readObject(healedSet, "testbucket", "hosts")).bytes),
    expected,
    "xl6 was healed",
  );
  healedSet[0] = offlineDrive("xl5");
  await assert.rejects(readObject(healedSet, "testbucket", "hosts"), isCode("ReadQuorum"));
});

/** A drive that answers nothing (a missing mount). */
function offlineDrive(name: string): StorageDrive {
  const drive = new MemoryDrive(name);
  return new Proxy(drive, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function" || property === "constructor") return value;
      return () => Promise.reject(new Error(`${name} is offline`));
    },
  });
}

// Objects aistor writes, checked with the reference libraries.

const highway = await WasmHighwayHash.loadModule();
const reedSolomon = await ReedSolomonErasure.fromCurrentDirectory();

function splitFrames(stream: Uint8Array, shardSizeBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < stream.length;) {
    const length = Math.min(shardSizeBytes, stream.length - offset - 32);
    const hash = stream.subarray(offset, offset + 32);
    const chunk = stream.subarray(offset + 32, offset + 32 + length);
    assert.deepEqual(
      highway.hash256(bitrotKey, chunk),
      hash,
      "bitrot frame verifies with highwayhasher",
    );
    chunks.push(chunk);
    offset += 32 + length;
  }
  return chunks;
}

for (
  const [driveCount, parity, sizeBytes] of [[6, 2, 2_600_123], [4, 2, 77_777], [
    16,
    4,
    1_048_576 * 3 + 5,
  ]]
) {
  Deno.test(`aistor's ${driveCount - parity}+${parity} object of ${sizeBytes} bytes passes highwayhasher and reed-solomon-erasure checks`, async () => {
    const random = seededRandom(seed + sizeBytes);
    const drives = Array.from({ length: driveCount }, (_, i) => new MemoryDrive(`m${i}`));
    for (const drive of drives) await drive.makeVolume("bucket");
    const set = makeSet(drives, { standardParity: parity });
    const body = seededBytes(random, sizeBytes);
    await set.putObject("bucket", "obj", bodyOf(body, random), {
      sizeBytes,
      metadata: {},
      versioning: "Unversioned",
    });
    await set.close();
    const dataShards = driveCount - parity;
    const shardSize = Math.ceil(1_048_576 / dataShards);
    // Per shard index: that shard's chunks (one per block), read the way a foreign reader would.
    const byIndex: Uint8Array[][] = [];
    for (const drive of drives) {
      const meta = decodeXlMeta(await drive.readMetadata("bucket", "obj"));
      const version = meta.versions[0] as ObjectVersion;
      assert.equal(version.erasure.dataShards, dataShards);
      const stream = meta.inlineData.get("null") ??
        await drive.readFile(
          "bucket",
          `obj/${version.dataDir}/part.1`,
          0,
          (await drive.statFile("bucket", `obj/${version.dataDir}/part.1`)).sizeBytes,
        );
      byIndex[version.erasure.index - 1] = splitFrames(stream, shardSize);
    }
    const blocks = byIndex[0].length;
    const rebuilt: Uint8Array[] = [];
    for (let block = 0; block < blocks; block++) {
      const shards = byIndex.map((chunks) => chunks[block]);
      const length = shards[0].length;
      const all = new Uint8Array(length * driveCount);
      shards.slice(0, dataShards).forEach((shard, i) => all.set(shard, i * length));
      assert.equal(reedSolomon.encode(all, dataShards, parity), ReedSolomonErasure.RESULT_OK);
      for (let p = 0; p < parity; p++) {
        assert.deepEqual(
          all.subarray((dataShards + p) * length, (dataShards + p + 1) * length),
          shards[dataShards + p],
          `block ${block} parity ${p + 1}`,
        );
      }
      rebuilt.push(all.subarray(0, dataShards * length));
    }
    const joined = new Uint8Array(rebuilt.reduce((sum, b) => sum + b.length, 0));
    let offset = 0;
    for (const [block, bytes] of rebuilt.entries()) {
      const blockBytes = Math.min(1_048_576, sizeBytes - block * 1_048_576);
      joined.set(bytes.subarray(0, blockBytes), offset);
      offset += blockBytes;
    }
    assert.equal(
      md5(joined.subarray(0, sizeBytes)),
      md5(body),
      "data shards concatenate to the body",
    );
  });
}
