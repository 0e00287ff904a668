import { assertEquals } from "../testing/assert.ts";
import type { DeleteMarkerVersion, ObjectVersion, Version, XlMeta } from "./types.ts";
import { compareHeaders, type VersionHeader } from "./version_header.ts";
import {
  addVersion,
  deleteVersion,
  findVersion,
  latestVersion,
  mergeVersions,
} from "./version_list.ts";

function object(versionId: string, modTimeNs: bigint, etag = "e"): ObjectVersion {
  return {
    kind: "object",
    versionId,
    dataDir: "5e0ba5c1-d0a9-4b7a-9f3c-2d1e0f1a2b3c",
    erasure: {
      dataShards: 2,
      parityShards: 2,
      blockSizeBytes: 1048576,
      index: 1,
      distribution: [1, 2, 3, 4],
    },
    parts: [{ number: 1, etag: "", sizeBytes: 5, actualSizeBytes: 5 }],
    sizeBytes: 5,
    modTimeNs,
    metaSys: new Map(),
    metaUser: new Map([["etag", etag]]),
  };
}

function marker(versionId: string, modTimeNs: bigint, free = false): DeleteMarkerVersion {
  const metaSys = new Map<string, Uint8Array>();
  if (free) metaSys.set("x-minio-internal-free-version", new Uint8Array());
  return { kind: "deleteMarker", versionId, modTimeNs, metaSys };
}

const idA = "aaaaaaaa-0000-4000-8000-000000000001";
const idB = "bbbbbbbb-0000-4000-8000-000000000002";
const idC = "cccccccc-0000-4000-8000-000000000003";

function emptyMeta(): XlMeta {
  return { versions: [], inlineData: new Map() };
}

function ids(versions: Version[]): string[] {
  return versions.map((v) => v.versionId);
}

Deno.test("addVersion inserts by ModTime, newest first, whatever the call order", () => {
  const meta = emptyMeta();
  addVersion(meta, object(idB, 200n));
  addVersion(meta, object(idA, 100n));
  addVersion(meta, object(idC, 300n));
  assertEquals(ids(meta.versions), [idC, idB, idA]);
});

Deno.test("addVersion replaces the version with the same id in place, and re-sorts on a new ModTime", () => {
  const meta = emptyMeta();
  addVersion(meta, object(idA, 100n), new Uint8Array([1]));
  addVersion(meta, object(idB, 200n));
  addVersion(meta, object(idA, 100n, "new"), new Uint8Array([2]));
  assertEquals(ids(meta.versions), [idB, idA]);
  assertEquals((meta.versions[1] as ObjectVersion).metaUser.get("etag"), "new");
  assertEquals(meta.inlineData.get(idA), new Uint8Array([2]));
  addVersion(meta, marker(idA, 300n));
  assertEquals(ids(meta.versions), [idA, idB], "a delete marker replaces an object of the same id");
  assertEquals(meta.inlineData.has(idA), false, "the replaced version's inline data is dropped");
});

Deno.test("the null version is keyed 'null' in inline data and found by '' or 'null'", () => {
  const meta = emptyMeta();
  addVersion(meta, object("", 100n), new Uint8Array(0));
  assertEquals([...meta.inlineData.keys()], ["null"]);
  assertEquals(findVersion(meta, "null")?.modTimeNs, 100n);
  assertEquals(findVersion(meta, "")?.modTimeNs, 100n);
  addVersion(meta, object("", 200n));
  assertEquals(meta.versions.length, 1, "a PUT to the null version replaces it");
});

Deno.test("deleteVersion removes the version and its inline data, and reports a miss", () => {
  const meta = emptyMeta();
  addVersion(meta, object(idA, 100n), new Uint8Array([1]));
  addVersion(meta, object(idB, 200n), new Uint8Array([2]));
  assertEquals(deleteVersion(meta, idA)?.versionId, idA);
  assertEquals(ids(meta.versions), [idB]);
  assertEquals([...meta.inlineData.keys()], [idB]);
  assertEquals(deleteVersion(meta, idC), undefined);
});

Deno.test("latestVersion skips free versions but returns a delete marker", () => {
  const meta = emptyMeta();
  addVersion(meta, object(idA, 100n));
  addVersion(meta, marker(idB, 200n));
  addVersion(meta, marker(idC, 300n, true));
  assertEquals(latestVersion(meta)?.versionId, idB);
  assertEquals(latestVersion(emptyMeta()), undefined);
});

Deno.test("compareHeaders: ModTime, then Type, Signature, VersionID and Flags break ties", () => {
  const base: VersionHeader = {
    versionId: idA,
    modTimeNs: 100n,
    signature: new Uint8Array([0, 0, 0, 1]),
    type: 1,
    flags: 2,
    ecN: 2,
    ecM: 2,
  };
  assertEquals(compareHeaders(base, base), 0);
  assertEquals(compareHeaders({ ...base, modTimeNs: 101n }, base) < 0, true);
  assertEquals(compareHeaders({ ...base, type: 2 }, base) > 0, true);
  assertEquals(
    compareHeaders({ ...base, signature: new Uint8Array([0, 0, 0, 2]) }, base) < 0,
    true,
  );
  assertEquals(compareHeaders({ ...base, versionId: idB }, base) < 0, true);
  assertEquals(compareHeaders({ ...base, flags: 6 }, base) < 0, true);
});

function drive(...versions: Version[]): XlMeta {
  const meta = emptyMeta();
  for (const version of versions) addVersion(meta, version);
  return meta;
}

Deno.test("mergeVersions keeps versions on at least quorum drives, newest first", () => {
  const drives = [
    drive(object(idA, 100n), object(idB, 200n)),
    drive(object(idA, 100n), object(idB, 200n)),
    drive(object(idA, 100n), object(idC, 300n)),
    undefined,
  ];
  assertEquals(ids(mergeVersions(drives, 2)), [idB, idA]);
  assertEquals(ids(mergeVersions(drives, 3)), [idA]);
  assertEquals(ids(mergeVersions(drives, 1)), [idC, idB, idA]);
  assertEquals(mergeVersions(drives, 4), [], "fewer drives answered than the quorum");
});

Deno.test("non-strict merge tolerates a signature difference; strict merge does not", () => {
  const drives = [
    drive(object(idA, 100n, "x")),
    drive(object(idA, 100n, "x")),
    drive(object(idA, 100n, "y")),
  ];
  assertEquals(ids(mergeVersions(drives, 3)), [idA]);
  assertEquals(ids(mergeVersions(drives, 3, { strict: true })), []);
  assertEquals(ids(mergeVersions(drives, 2, { strict: true })), [idA]);
});

Deno.test("null versions agree only when their ModTimes are equal", () => {
  const drives = [drive(object("", 100n)), drive(object("", 100n)), drive(object("", 150n))];
  const merged = mergeVersions(drives, 2);
  assertEquals(merged.map((v) => v.modTimeNs), [100n]);
});

Deno.test("mergeVersions with a limit returns the newest merged versions only", () => {
  const drives = [
    drive(object(idA, 100n), object(idB, 200n), object(idC, 300n)),
    drive(object(idA, 100n), object(idB, 200n), object(idC, 300n)),
  ];
  assertEquals(ids(mergeVersions(drives, 2, { limit: 1 })), [idC]);
  assertEquals(ids(mergeVersions(drives, 2, { limit: 2 })), [idC, idB]);
  assertEquals(ids(mergeVersions([drives[0]], 1, { limit: 1 })), [idC]);
});
