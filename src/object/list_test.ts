/**
 * Listings against a brute-force model: 2,000 keys (directory objects, delete markers, keys
 * below quorum, keys in two pools) spread over 2 pools × 2 sets × 4 memory drives, written as
 * xl.meta straight onto the drives; every query is paged to its end and compared with the
 * model's full answer, page by page.
 */
import { encodeXlMeta } from "../metadata/xl_meta.ts";
import type { DeleteMarkerVersion, ObjectVersion, Version } from "../metadata/types.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import {
  justBefore,
  listObjects,
  listObjectVersions,
  type ListSet,
  mergeSetMetadata,
  pageUploads,
} from "./list.ts";
import type { MultipartUploadInfo } from "./object_layer.ts";
import { encodeDirObject, setIndexForKey } from "./placement.ts";
import { seededRandom } from "../testing/seeded_random.ts";

const bucket = "bkt";
const deploymentId = "f5c58c61-7175-4018-ab5e-a94fe9c2de4e";

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${
    hex.slice(20)
  }`;
}

function objectVersion(
  versionId: string,
  modTimeNs: bigint,
  sizeBytes: number,
  dataDir: string,
): ObjectVersion {
  return {
    kind: "object",
    versionId,
    dataDir,
    erasure: {
      dataShards: 2,
      parityShards: 2,
      blockSizeBytes: 1048576,
      index: 1,
      distribution: [1, 2, 3, 4],
    },
    parts: [{ number: 1, etag: "", sizeBytes, actualSizeBytes: sizeBytes }],
    sizeBytes,
    modTimeNs,
    metaSys: new Map(),
    metaUser: new Map([["etag", "0123456789abcdef0123456789abcdef"], [
      "content-type",
      "text/plain",
    ]]),
  };
}

function deleteMarker(versionId: string, modTimeNs: bigint): DeleteMarkerVersion {
  return { kind: "deleteMarker", versionId, modTimeNs, metaSys: new Map() };
}

interface Fixture {
  sets: ListSet[];
  /** Pool → set → drives. */
  drives: MemoryDrive[][][];
  /** What a quorum holds: key → versions newest first (from the pool with the newest latest). */
  model: Map<string, Version[]>;
}

const segments = ["a", "b", "c", "ab", "a-b", "a.b", "a_b", "x", "photos", "photos-2"];

function randomKey(random: () => number): string {
  const depth = 1 + Math.floor(random() * 3);
  const parts = Array.from(
    { length: depth },
    () => segments[Math.floor(random() * segments.length)],
  );
  const suffix = random() < 0.5 ? String(Math.floor(random() * 40)) : "";
  return parts.join("/") + suffix + (random() < 0.12 ? "/" : "");
}

/**
 * An object is a directory holding xl.meta, so `a/b` and `a/b/c` cannot both exist on a drive
 * (the walk never descends into an object); the directory object `a/b/` can.
 */
function conflicts(key: string, keys: Set<string>): boolean {
  for (let at = key.indexOf("/"); at >= 0; at = key.indexOf("/", at + 1)) {
    if (keys.has(key.slice(0, at))) return true;
  }
  const path = key.endsWith("/") ? key.slice(0, -1) : key;
  for (const other of keys) if (other.startsWith(path + "/") && !key.endsWith("/")) return true;
  return false;
}

function randomVersions(random: () => number, baseNs: bigint): Version[] {
  const count = 1 + Math.floor(random() * 3);
  const versions: Version[] = [];
  for (let i = 0; i < count; i++) {
    const modTimeNs = baseNs + BigInt(i) * 1_000_000n;
    const id = uuidFrom(random);
    const latestIsMarker = i === count - 1 && random() < 0.15;
    versions.unshift(
      latestIsMarker
        ? deleteMarker(id, modTimeNs)
        : objectVersion(id, modTimeNs, 10 + i, uuidFrom(random)),
    );
  }
  return versions;
}

async function buildFixture(seed: number, keyCount: number): Promise<Fixture> {
  const random = seededRandom(seed);
  const drives = [0, 1].map((p) =>
    [0, 1].map((s) => [0, 1, 2, 3].map((d) => new MemoryDrive(`p${p}s${s}d${d}`)))
  );
  for (const drive of drives.flat(2)) await drive.makeVolume(bucket);
  const sets: ListSet[] = drives.flatMap((pool, p) =>
    pool.map((set) => ({ poolIndex: p, drives: set }))
  );
  const model = new Map<string, Version[]>();
  const keys = new Set<string>();
  while (keys.size < keyCount) {
    const key = randomKey(random);
    if (!conflicts(key, keys)) keys.add(key);
  }
  let clockNs = 1_700_000_000_000_000_000n;
  for (const key of keys) {
    const encoded = encodeDirObject(key);
    const setIndex = setIndexForKey(encoded, deploymentId, 2);
    const pools = random() < 0.03 ? [0, 1] : [Math.floor(random() * 2)];
    for (const pool of pools) {
      clockNs += 1_000_000_000n;
      const versions = randomVersions(random, clockNs);
      const roll = random();
      const copies = roll < 0.05 ? 1 : roll < 0.15 ? 3 : 4; // 1 copy is below the merge quorum (2 of 4)
      const bytes = encodeXlMeta({ versions, inlineData: new Map() });
      for (const drive of drives[pool][setIndex].slice(0, copies)) {
        await drive.writeMetadata(bucket, encoded, bytes);
      }
      if (copies >= 2) {
        const current = model.get(key);
        if (current === undefined || versions[0].modTimeNs > current[0].modTimeNs) {
          model.set(key, versions);
        }
      }
    }
  }
  return { sets, drives, model };
}

type Entry = { name: string; prefix: boolean };

/** The model's answer: visible keys and common prefixes after `after`, in order, deduplicated. */
function modelEntries(
  model: Map<string, Version[]>,
  query: { prefix: string; delimiter: string; after: string },
  visible: (versions: Version[]) => boolean,
): Entry[] {
  const keys = [...model.keys()].filter((key) => visible(model.get(key)!)).sort();
  const entries: Entry[] = [];
  for (const key of keys) {
    if (!key.startsWith(query.prefix)) continue;
    const rest = key.slice(query.prefix.length);
    const at = query.delimiter === "" ? -1 : rest.indexOf(query.delimiter);
    const entry = at < 0
      ? { name: key, prefix: false }
      : { name: query.prefix + rest.slice(0, at + query.delimiter.length), prefix: true };
    if (entry.name <= query.after) continue;
    if (entries.at(-1)?.name === entry.name) continue;
    entries.push(entry);
  }
  return entries;
}

const latestIsObject = (versions: Version[]) => versions[0].kind === "object";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`list_test seed: ${seed} (replay with AISTOR_SEED=${seed})`);
const fixture = buildFixture(seed, 2000);

/** Each query is paged with each page size; small pages only where the walk is short. */
const queries = [
  { prefix: "", delimiter: "", pageSizes: [1000] },
  { prefix: "", delimiter: "/", pageSizes: [1000, 3] },
  { prefix: "a/", delimiter: "/", pageSizes: [1000, 7] },
  { prefix: "a", delimiter: "/", pageSizes: [37] },
  { prefix: "photos/", delimiter: "/", pageSizes: [5] },
  { prefix: "photos", delimiter: "", pageSizes: [100] },
  { prefix: "b/c/", delimiter: "", pageSizes: [1000, 4] },
  { prefix: "", delimiter: "-", pageSizes: [1000] },
  { prefix: "x/", delimiter: "b", pageSizes: [11] },
  { prefix: "nothing-here/", delimiter: "/", pageSizes: [10] },
];

Deno.test("listObjects() pages through 2,000 keys across 2 pools × 2 sets exactly as the model says", async () => {
  const { sets, model } = await fixture;
  for (const { pageSizes, ...query } of queries) {
    for (const maxKeys of pageSizes) {
      const expected = modelEntries(model, { ...query, after: "" }, latestIsObject);
      const got: Entry[] = [];
      let after = "";
      for (let page = 0;; page++) {
        const result = await listObjects({ sets, bucket, versioning: "Enabled" }, {
          ...query,
          after,
          maxKeys,
        });
        const pageEntries = [
          ...result.objects.map((o) => ({ name: o.key, prefix: false })),
          ...result.prefixes.map((p) => ({ name: p, prefix: true })),
        ].sort((a, b) => (a.name < b.name ? -1 : 1));
        const want = modelEntries(model, { ...query, after }, latestIsObject);
        assertEquals(pageEntries, want.slice(0, maxKeys), `${JSON.stringify(query)} page ${page}`);
        assertEquals(
          result.isTruncated,
          want.length > maxKeys,
          `${JSON.stringify(query)} page ${page} truncated`,
        );
        got.push(...pageEntries);
        if (!result.isTruncated) break;
        assertEquals(result.nextAfter, pageEntries.at(-1)!.name);
        after = result.nextAfter;
      }
      assertEquals(got, expected, JSON.stringify(query));
    }
  }
});

Deno.test("listObjects() reports the latest version of a key held by two pools from the newer pool", async () => {
  const { sets, model } = await fixture;
  const result = await listObjects({ sets, bucket, versioning: "Enabled" }, {
    prefix: "",
    delimiter: "",
    after: "",
    maxKeys: 1000,
  });
  for (const info of result.objects) {
    const latest = model.get(info.key)![0];
    assertEquals(info.versionId, latest.versionId, info.key);
    assertEquals(info.isLatest, true);
  }
});

Deno.test("listObjects() starts after a marker that is a common prefix and skips everything under it", async () => {
  const { sets, model } = await fixture;
  const result = await listObjects({ sets, bucket, versioning: "Enabled" }, {
    prefix: "",
    delimiter: "/",
    after: "a/",
    maxKeys: 5,
  });
  const want = modelEntries(model, { prefix: "", delimiter: "/", after: "a/" }, latestIsObject)
    .slice(0, 5);
  assertEquals(
    [...result.objects.map((o) => o.key), ...result.prefixes].sort(),
    want.map((e) => e.name),
  );
  assert(want.every((entry) => !entry.name.startsWith("a/")));
});

interface VersionEntry {
  name: string;
  versionId: string;
}

function modelVersionEntries(
  model: Map<string, Version[]>,
  query: { prefix: string; delimiter: string },
): VersionEntry[] {
  const entries: VersionEntry[] = [];
  for (const entry of modelEntries(model, { ...query, after: "" }, () => true)) {
    if (entry.prefix) entries.push({ name: entry.name, versionId: "" });
    else {for (const v of model.get(entry.name)!) {
        entries.push({ name: entry.name, versionId: v.versionId });
      }}
  }
  return entries;
}

Deno.test("listObjectVersions() pages every version and delete marker newest first, markers resuming mid-key", async () => {
  const { sets, model } = await fixture;
  for (
    const query of [{ prefix: "", delimiter: "" }, { prefix: "a", delimiter: "/" }, {
      prefix: "photos/",
      delimiter: "",
    }]
  ) {
    const expected = modelVersionEntries(model, query);
    const got: VersionEntry[] = [];
    let keyMarker = "";
    let versionIdMarker = "";
    for (;;) {
      const result = await listObjectVersions({ sets, bucket, versioning: "Enabled" }, {
        ...query,
        keyMarker,
        versionIdMarker,
        maxKeys: 250,
      });
      const page = [
        ...result.versions.map((v) => ({ name: v.key, versionId: v.versionId })),
        ...result.prefixes.map((p) => ({ name: p, versionId: "" })),
      ];
      // Versions of a key stay newest first; merge prefixes in by name only.
      page.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      got.push(...page);
      for (const v of result.versions) {
        assertEquals(v.isLatest, model.get(v.key)![0].versionId === v.versionId, v.key);
        assertEquals(
          v.deleteMarker,
          model.get(v.key)!.find((m) => m.versionId === v.versionId)!.kind === "deleteMarker",
        );
      }
      if (!result.isTruncated) break;
      keyMarker = result.nextKeyMarker;
      versionIdMarker = result.nextVersionIdMarker;
    }
    assertEquals(got, expected, JSON.stringify(query));
  }
});

Deno.test("listObjects() of a key being written on 1 of 4 drives does not show it and does not fail", async () => {
  const { sets, drives } = await fixture;
  const versions = [objectVersion("", 1n, 1, "")];
  const encoded = "zz-in-flight";
  const setIndex = setIndexForKey(encoded, deploymentId, 2);
  await drives[0][setIndex][0].writeMetadata(
    bucket,
    encoded,
    encodeXlMeta({ versions, inlineData: new Map() }),
  );
  const result = await listObjects({ sets, bucket, versioning: "Enabled" }, {
    prefix: "zz",
    delimiter: "",
    after: "",
    maxKeys: 10,
  });
  assertEquals(result.objects.map((o) => o.key), []);
});

Deno.test("justBefore() sorts right before the key and after everything smaller", () => {
  for (const key of ["b", "photos/a", "a0", "z\u00e9"]) {
    const before = justBefore(key);
    assert(before < key, key);
    assert(
      key.slice(0, -1) + String.fromCharCode(key.charCodeAt(key.length - 1) - 1) <= before,
      key,
    );
  }
});

function upload(key: string, uploadId: string, initiatedMs: number): MultipartUploadInfo {
  return { bucket, key, uploadId, initiated: new Date(initiatedMs), metadata: {} };
}

Deno.test("pageUploads() merges the sets' uploads by key then time, rolls up prefixes and resumes after the markers", () => {
  const perSet = [
    [upload("b/2", "u4", 4), upload("a", "u2", 2)],
    [upload("a", "u1", 1), upload("b/1", "u3", 3), upload("c", "u5", 5)],
  ];
  const first = pageUploads(perSet, {
    prefix: "",
    delimiter: "/",
    keyMarker: "",
    uploadIdMarker: "",
    maxUploads: 2,
  });
  assertEquals(first.uploads.map((u) => u.uploadId), ["u1", "u2"]);
  assertEquals(first.isTruncated, true);
  assertEquals([first.nextKeyMarker, first.nextUploadIdMarker], ["a", "u2"]);
  const second = pageUploads(perSet, {
    prefix: "",
    delimiter: "/",
    keyMarker: first.nextKeyMarker,
    uploadIdMarker: first.nextUploadIdMarker,
    maxUploads: 2,
  });
  assertEquals(second.prefixes, ["b/"]);
  assertEquals(second.uploads.map((u) => u.uploadId), ["u5"]);
  assertEquals(second.isTruncated, false);
  const middle = pageUploads(perSet, {
    prefix: "",
    delimiter: "",
    keyMarker: "a",
    uploadIdMarker: "u1",
    maxUploads: 10,
  });
  assertEquals(middle.uploads.map((u) => u.uploadId), ["u2", "u3", "u4", "u5"]);
});

Deno.test("mergeSetMetadata() keeps what a quorum of the set's copies agree on", () => {
  const v1 = objectVersion(
    "11111111-1111-4111-8111-111111111111",
    1_000n,
    5,
    "aaaaaaaa-1111-4111-8111-111111111111",
  );
  const v2 = deleteMarker("22222222-2222-4222-8222-222222222222", 2_000n);
  const older = encodeXlMeta({ versions: [v1], inlineData: new Map() });
  const newer = encodeXlMeta({ versions: [v2, v1], inlineData: new Map() });
  const ids = (versions: Version[]) => versions.map((v) => v.versionId);
  // 2 of 4 drives hold the delete marker: (4+1)/2 = 2 is a quorum.
  assertEquals(ids(mergeSetMetadata([older, newer, older, newer], 4)), [
    v2.versionId,
    v1.versionId,
  ]);
  // 1 of 4: below quorum, whatever position it is read in.
  assertEquals(ids(mergeSetMetadata([newer, older, older, older], 4)), [v1.versionId]);
  assertEquals(ids(mergeSetMetadata([older, older, older, newer], 4)), [v1.versionId]);
  // A key on 1 of 4 drives (a write in flight) is not there; corrupt copies count as absent.
  assertEquals(mergeSetMetadata([older, undefined, undefined, undefined], 4), []);
  assertEquals(mergeSetMetadata([older, new Uint8Array([1, 2, 3]), undefined, undefined], 4), []);
  assertEquals(ids(mergeSetMetadata([older, new Uint8Array([1, 2, 3]), older, undefined], 4)), [
    v1.versionId,
  ]);
});

const fixtures = new URL("../../../shared/fixtures/minio/", import.meta.url);
const fixturesExist = (() => {
  try {
    return Deno.statSync(fixtures).isDirectory;
  } catch {
    return false;
  }
})();
if (!fixturesExist) console.log(`skipped: MinIO fixtures not found at ${fixtures.pathname}`);

Deno.test({
  name:
    "listings of MinIO's cicd-corpus (5 drives, one without xl.meta) show only the version 3 drives agree on",
  ignore: !fixturesExist,
  async fn() {
    const drives: MemoryDrive[] = [];
    for (let d = 1; d <= 5; d++) {
      const drive = new MemoryDrive(`disk${d}`);
      await drive.makeVolume("bucket");
      const file = new URL(`buildscripts/cicd-corpus/disk${d}/bucket/testobj/xl.meta`, fixtures);
      const bytes = await Deno.readFile(file).catch(() => undefined);
      if (bytes !== undefined) await drive.writeMetadata("bucket", "testobj", bytes);
      drives.push(drive);
    }
    const context = {
      sets: [{ poolIndex: 0, drives }],
      bucket: "bucket",
      versioning: "Enabled" as const,
    };
    const objects = await listObjects(context, {
      prefix: "",
      delimiter: "",
      after: "",
      maxKeys: 10,
    });
    assertEquals(objects.objects.map((o) => [o.key, o.versionId, o.sizeBytes, o.etag]), [
      [
        "testobj",
        "50051050-62bc-4928-b0d3-65f4f828a0c7",
        644520,
        "9587ddd31fead633830366f45d221d56",
      ],
    ]);
    // 163c7c9d-… is on disks 4 and 5 only: below the merge quorum of 3, so not a version.
    const versions = await listObjectVersions(context, {
      prefix: "",
      delimiter: "",
      keyMarker: "",
      versionIdMarker: "",
      maxKeys: 10,
    });
    assertEquals(versions.versions.map((v) => [v.versionId, v.isLatest]), [[
      "50051050-62bc-4928-b0d3-65f4f828a0c7",
      true,
    ]]);
  },
});

Deno.test({
  name:
    "listObjectVersions() over MinIO's xl-meta-merge fixture (8 drives, two histories) lists the 3 versions MinIO merges",
  ignore: !fixturesExist,
  async fn() {
    const { unzipSync } = await import("fflate");
    const files = unzipSync(
      await Deno.readFile(new URL("cmd/testdata/xl-meta-merge.zip", fixtures)),
    );
    const drives: MemoryDrive[] = [];
    for (let d = 1; d <= 8; d++) {
      const drive = new MemoryDrive(`xl${d}`);
      await drive.makeVolume("testbucket");
      await drive.writeMetadata("testbucket", "hosts", files[`xl${d}/testbucket/hosts/xl.meta`]);
      drives.push(drive);
    }
    const context = {
      sets: [{ poolIndex: 0, drives }],
      bucket: "testbucket",
      versioning: "Enabled" as const,
    };
    const page = await listObjectVersions(context, {
      prefix: "",
      delimiter: "",
      keyMarker: "",
      versionIdMarker: "",
      maxKeys: 10,
    });
    // Newest first: the null version (…396525…), then the two UUID versions of xl1–xl4.
    assertEquals(page.versions.map((v) => [v.versionId, v.isLatest, v.sizeBytes]), [
      ["null", true, 19113],
      ["1f163718-9bc5-4b01-bff7-5d8cf09caf10", false, 228],
      ["73c9f651-f023-4566-b012-cc537fdb7ce2", false, 228],
    ]);
    const second = await listObjectVersions(context, {
      prefix: "",
      delimiter: "",
      keyMarker: "hosts",
      versionIdMarker: "null",
      maxKeys: 1,
    });
    assertEquals(second.versions.map((v) => v.versionId), ["1f163718-9bc5-4b01-bff7-5d8cf09caf10"]);
    assertEquals([second.isTruncated, second.nextKeyMarker, second.nextVersionIdMarker], [
      true,
      "hosts",
      "1f163718-9bc5-4b01-bff7-5d8cf09caf10",
    ]);
  },
});

Deno.test("listObjects() with a delimiter terminates and is complete when keys continue with U+FFFF", async () => {
  const drives = [0, 1, 2, 3].map((d) => new MemoryDrive(`u${d}`));
  for (const drive of drives) await drive.makeVolume(bucket);
  const keys = [
    ...Array.from({ length: 20 }, (_, i) => `p/${String(i).padStart(2, "0")}`),
    "p/\uffffz",
    "p\uffffa/x",
    "p\uffffb",
    "q",
  ];
  for (const key of keys) {
    const bytes = encodeXlMeta({
      versions: [objectVersion("", 5n, 1, "aaaaaaaa-1111-4111-8111-111111111111")],
      inlineData: new Map(),
    });
    for (const drive of drives) await drive.writeMetadata(bucket, key, bytes);
  }
  const result = await listObjects({
    sets: [{ poolIndex: 0, drives }],
    bucket,
    versioning: "Enabled",
  }, {
    prefix: "",
    delimiter: "/",
    after: "",
    maxKeys: 100,
  });
  assertEquals(result.prefixes, ["p/", "p\uffffa/"]);
  assertEquals(result.objects.map((o) => o.key), ["p\uffffb", "q"]);
});
