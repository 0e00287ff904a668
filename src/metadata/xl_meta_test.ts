import { assert, assertEquals, assertNotEquals, assertThrows } from "../testing/assert.ts";
import { MsgpackWriter, timeFromUnixNs } from "./msgpack.ts";
import type {
  DeleteMarkerVersion,
  LegacyVersion,
  ObjectVersion,
  Version,
  XlMeta,
} from "./types.ts";
import { encodeVersionBody, writtenByVersionDefault } from "./version_body.ts";
import {
  decodeXlMeta,
  decodeXlMetaFile,
  encodeXlMeta,
  versionHeader,
  versionSignature,
  XlMetaError,
} from "./xl_meta.ts";
import { xxh64 } from "./xxhash.ts";
import { seededRandom } from "../testing/seeded_random.ts";

const utf8 = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function objectVersion(overrides: Partial<ObjectVersion> = {}): ObjectVersion {
  return {
    kind: "object",
    versionId: "2b4f7e41-df82-4a5e-a3c1-8df87f83332f",
    dataDir: "5e0ba5c1-d0a9-4b7a-9f3c-2d1e0f1a2b3c",
    erasure: {
      dataShards: 2,
      parityShards: 2,
      blockSizeBytes: 1048576,
      index: 3,
      distribution: [3, 4, 1, 2],
    },
    parts: [{ number: 1, etag: "", sizeBytes: 11, actualSizeBytes: 11 }],
    sizeBytes: 11,
    modTimeNs: 1700000000123456789n,
    metaSys: new Map([["x-minio-internal-inline-data", utf8.encode("true")]]),
    metaUser: new Map([["content-type", "text/plain"], [
      "etag",
      "5eb63bbbe01eeed093cb22bb8f5acdc3",
    ]]),
    ...overrides,
  };
}

function deleteMarker(overrides: Partial<DeleteMarkerVersion> = {}): DeleteMarkerVersion {
  return {
    kind: "deleteMarker",
    versionId: "73c9f651-f023-4566-b012-cc537fdb7ce2",
    modTimeNs: 1700000100000000000n,
    metaSys: new Map(),
    ...overrides,
  };
}

/** A V1Obj map as pre-2020 MinIO stored it (§4.10.2). */
function v1ObjBytes(index: number, release: string, meta: [string, string][]): Uint8Array {
  const w = new MsgpackWriter();
  w.mapHeader(9);
  w.str("Version").str("1.0.1");
  w.str("Format").str("xl");
  w.str("Stat").mapHeader(5).str("Size").int(2016).str("ModTime").time(
    timeFromUnixNs(1500000000000000000n),
  ).str("Name").str("").str("Dir").bool(false).str("Mode").uint(0);
  w.str("Erasure").mapHeader(7).str("Algorithm").str("klauspost/reedsolomon/vandermonde")
    .str("DataBlocks").int(2).str("ParityBlocks").int(2).str("BlockSize").int(10485760)
    .str("Index").int(index).str("Distribution").arrayHeader(4).int(1).int(2).int(3).int(4)
    .str("Checksums").arrayHeader(0);
  w.str("Minio").mapHeader(1).str("Release").str(release);
  w.str("Meta").mapHeader(meta.length);
  for (const [k, v] of meta) w.str(k).str(v);
  w.str("Parts").arrayHeader(0);
  w.str("VersionID").str("");
  w.str("DataDir").str("legacy");
  return w.bytes();
}

function legacyVersion(index = 1, release = "RELEASE.2019-10-12T01-39-57Z"): LegacyVersion {
  const meta: [string, string][] = [["etag", "abc"], ["content-type", "text/plain"]];
  return {
    kind: "legacy",
    versionId: "",
    modTimeNs: 1500000000000000000n,
    raw: v1ObjBytes(index, release, meta),
  };
}

function sampleMeta(): XlMeta {
  return {
    versions: [objectVersion(), deleteMarker()],
    inlineData: new Map([["2b4f7e41-df82-4a5e-a3c1-8df87f83332f", new Uint8Array(38).fill(7)]]),
  };
}

Deno.test("encodeXlMeta writes 1.3 / header 3 / meta 3 with a CRC that decodeXlMeta verifies", () => {
  const bytes = encodeXlMeta(sampleMeta());
  assertEquals(hex(bytes.subarray(0, 9)), "584c322001000300c6");
  const payloadLength = new DataView(bytes.buffer).getUint32(9);
  const payload = bytes.subarray(13, 13 + payloadLength);
  assertEquals(hex(payload.subarray(0, 3)), "030302");
  assertEquals(bytes[13 + payloadLength], 0xce);
  const crc = new DataView(bytes.buffer).getUint32(14 + payloadLength);
  assertEquals(crc, Number(xxh64(payload) & 0xffffffffn));
  const { layout } = decodeXlMetaFile(bytes);
  assertEquals([layout.major, layout.minor, layout.headerVersion, layout.metaVersion], [
    1,
    3,
    3,
    3,
  ]);
});

Deno.test("decode(encode(meta)) returns the same versions, sorted newest first, and inline data", () => {
  const meta = sampleMeta();
  const decoded = decodeXlMeta(encodeXlMeta(meta));
  assertEquals(decoded.versions.map((v) => v.kind), ["deleteMarker", "object"]);
  const object = decoded.versions[1] as ObjectVersion;
  const { writtenByVersion, ...rest } = object;
  assertEquals(writtenByVersion, writtenByVersionDefault);
  assertEquals(rest, objectVersion());
  assertEquals(decoded.inlineData, meta.inlineData);
  assertEquals(encodeXlMeta(decoded), encodeXlMeta(meta));
});

Deno.test("a delete marker round-trips with MetaSys and gets a header of type 2 without EC", () => {
  const marker = deleteMarker({
    metaSys: new Map([["x-minio-internal-replication-status", utf8.encode("PENDING")]]),
  });
  const decoded = decodeXlMeta(encodeXlMeta({ versions: [marker], inlineData: new Map() }));
  const header = versionHeader(decoded.versions[0]);
  assertEquals([header.type, header.flags, header.ecN, header.ecM], [2, 0, 0, 0]);
  assertEquals(decoded.versions[0].kind, "deleteMarker");
  assertEquals((decoded.versions[0] as DeleteMarkerVersion).metaSys, marker.metaSys);
  const free = deleteMarker({
    metaSys: new Map([["x-minio-internal-free-version", new Uint8Array()]]),
  });
  assertEquals(versionHeader(free).flags, 1, "free versions carry flag 1");
});

Deno.test("the signature ignores EcIndex and metadata map order but not metadata content", () => {
  const a = objectVersion();
  const b = objectVersion({
    erasure: { ...a.erasure, index: 1 },
    metaUser: new Map([...a.metaUser].reverse()),
  });
  assertEquals(hex(versionSignature(a)), hex(versionSignature(b)));
  const c = objectVersion({ metaUser: new Map([["etag", "different"]]) });
  assertNotEquals(hex(versionSignature(a)), hex(versionSignature(c)));
  const d = objectVersion({ sizeBytes: 12 });
  assertNotEquals(hex(versionSignature(a)), hex(versionSignature(d)));
});

Deno.test("header flags: UsesDataDir unless transitioned, InlineData from MetaSys", () => {
  assertEquals(versionHeader(objectVersion()).flags, 6);
  assertEquals(versionHeader(objectVersion({ metaSys: new Map() })).flags, 2);
  const tiered = objectVersion({
    metaSys: new Map([["x-minio-internal-transition-status", utf8.encode("complete")]]),
  });
  assertEquals(versionHeader(tiered).flags, 0);
});

Deno.test("legacy V1Obj versions decode, list by Stat.ModTime and re-encode verbatim", () => {
  const legacy = legacyVersion();
  const meta: XlMeta = { versions: [objectVersion(), legacy], inlineData: new Map() };
  const decoded = decodeXlMeta(encodeXlMeta(meta));
  const found = decoded.versions[1] as LegacyVersion;
  assertEquals(found.kind, "legacy");
  assertEquals(found.modTimeNs, 1500000000000000000n);
  assertEquals(found.raw, legacy.raw);
  const header = versionHeader(found);
  assertEquals([header.type, header.flags, header.versionId], [3, 0, ""]);
});

Deno.test("a legacy signature ignores Erasure.Index and Minio.Release, as on different drives", () => {
  const one = versionSignature(legacyVersion(1, "RELEASE.2019-10-12T01-39-57Z"));
  const two = versionSignature(legacyVersion(4, "RELEASE.2020-01-01T00-00-00Z"));
  assertEquals(hex(one), hex(two));
  assertNotEquals(hex(one), "65727200");
});

/** A 1.2 file: bin-wrapped {"Versions": [...]} plus CRC, as MinIO wrote before indexed headers. */
function legacyLayoutFile(minor: 0 | 1 | 2, versions: Version[]): Uint8Array {
  const map = new MsgpackWriter().mapHeader(1).str("Versions").arrayHeader(versions.length);
  for (const version of versions) map.raw(encodeVersionBody(version));
  const body = map.bytes();
  if (minor === 0) return new Uint8Array([...utf8.encode("XL2 1   "), ...body]);
  const w = new MsgpackWriter().raw(utf8.encode("XL2 ")).raw(new Uint8Array([1, 0, minor, 0]));
  w.bin(body);
  if (minor === 2) w.uint(Number(xxh64(body) & 0xffffffffn));
  return w.bytes();
}

Deno.test("1.0, 1.1 and 1.2 layouts decode and sort versions by header order", () => {
  for (const minor of [0, 1, 2] as const) {
    const file = legacyLayoutFile(minor, [objectVersion(), deleteMarker()]);
    const { meta, layout } = decodeXlMetaFile(file);
    assertEquals(layout.minor, minor);
    assertEquals(meta.versions.map((v) => v.kind), ["deleteMarker", "object"], `minor ${minor}`);
  }
});

/** A 1.3 file with an older header layout (header version 1 or 2). */
function oldHeaderFile(headerVersion: 1 | 2, version: ObjectVersion): Uint8Array {
  const header = versionHeader(version);
  const h = new MsgpackWriter().arrayHeader(headerVersion === 2 ? 5 : 4).bin(new Uint8Array(16))
    .int(header.modTimeNs);
  if (headerVersion === 2) h.bin(header.signature);
  h.uint(header.type).uint(header.flags);
  const payload = new MsgpackWriter().uint(headerVersion).uint(1).int(1).bin(h.bytes())
    .bin(encodeVersionBody(version)).bytes();
  return new MsgpackWriter().raw(utf8.encode("XL2 ")).raw(new Uint8Array([1, 0, 3, 0]))
    .bin32Header(payload.length).raw(payload).uint32Fixed(Number(xxh64(payload) & 0xffffffffn))
    .bytes();
}

Deno.test("header versions 1 and 2 are read (EcN/EcM absent), newer ones refused", () => {
  const version = objectVersion({ versionId: "" });
  for (const headerVersion of [1, 2] as const) {
    const { meta, layout } = decodeXlMetaFile(oldHeaderFile(headerVersion, version));
    assertEquals(layout.headerVersion, headerVersion);
    assertEquals(layout.storedHeaders![0].ecM, 0);
    assertEquals(meta.versions[0].modTimeNs, version.modTimeNs);
  }
  const file = oldHeaderFile(2, version);
  file[13] = 4; // header version 4
  const fixedCrc = fixCrc(file);
  assertEquals(
    (assertThrows(() => decodeXlMeta(fixedCrc), XlMetaError) as XlMetaError).code,
    "unsupportedVersion",
  );
});

Deno.test("wrong magic, future major/minor and CRC mismatches are typed errors", () => {
  const good = encodeXlMeta(sampleMeta());
  const code = (bytes: Uint8Array) =>
    (assertThrows(() => decodeXlMeta(bytes), XlMetaError) as XlMetaError).code;
  assertEquals(code(utf8.encode('{"version":"1.0.1"}')), "notXlMeta");
  assertEquals(code(good.subarray(0, 8)), "notXlMeta");
  const future = good.slice();
  future[6] = 4;
  assertEquals(code(future), "unsupportedVersion");
  const major = good.slice();
  major[4] = 2;
  assertEquals(code(major), "unsupportedVersion");
  const flipped = good.slice();
  flipped[20] ^= 1;
  assertEquals(code(flipped), "crcMismatch");
});

/** Recomputes the CRC of a 1.3 file after its payload was changed. */
function fixCrc(file: Uint8Array): Uint8Array {
  const copy = file.slice();
  const view = new DataView(copy.buffer);
  const length = view.getUint32(9);
  if (13 + length + 5 > copy.length) return copy;
  const payload = copy.subarray(13, 13 + length);
  view.setUint32(14 + length, Number(xxh64(payload) & 0xffffffffn));
  return copy;
}

function assertDecodesOrXlMetaError(bytes: Uint8Array, what: string): void {
  try {
    decodeXlMeta(bytes);
  } catch (error) {
    assert(error instanceof XlMetaError, `${what}: ${error}`);
  }
}

/**
 * Every proper prefix fails, except the one that ends right after the CRC of a 1.3 file: that
 * is the file without its inline section, which MinIO itself writes for listings
 * (`xlMetaV2TrimData`) and which must decode, to the same versions and no inline data.
 */
function assertTruncationsFail(file: Uint8Array): void {
  const full = decodeXlMeta(file);
  const indexed = file[6] === 3;
  const trimmedLength = indexed ? 18 + new DataView(file.buffer, file.byteOffset).getUint32(9) : -1;
  for (let length = 0; length < file.length; length++) {
    const prefix = file.subarray(0, length);
    if (length === trimmedLength) {
      const trimmed = decodeXlMeta(prefix);
      assertEquals(trimmed.versions.length, full.versions.length);
      assertEquals(trimmed.inlineData.size, 0);
      continue;
    }
    assertThrows(() => decodeXlMeta(prefix), XlMetaError, undefined);
  }
}

Deno.test("every truncation of an encoded file is an XlMetaError", () => {
  const meta = sampleMeta();
  meta.versions.push(legacyVersion());
  const file = encodeXlMeta(meta);
  assertTruncationsFail(file);
  for (let length = 9; length < file.length; length++) {
    // also with headers/bodies parsed: a 1.0 file has no CRC guarding its body
    const legacy = legacyLayoutFile(0, meta.versions);
    if (length < legacy.length) {
      assertThrows(() => decodeXlMeta(legacy.subarray(0, length)), XlMetaError, undefined);
    }
  }
});

Deno.test("random bit flips (CRC re-fixed, and in CRC-less 1.0 files) never crash the decoder", () => {
  const seed = Date.now() >>> 0;
  console.log(`bit flip seed ${seed}`);
  const random = seededRandom(seed);
  const meta = sampleMeta();
  meta.versions.push(legacyVersion());
  const files = [encodeXlMeta(meta), legacyLayoutFile(0, meta.versions)];
  for (let i = 0; i < 3000; i++) {
    const source = files[i % 2];
    const flipped = source.slice();
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      flipped[Math.floor(random() * flipped.length)] ^= 1 << Math.floor(random() * 8);
    }
    assertDecodesOrXlMetaError(i % 2 === 0 ? fixCrc(flipped) : flipped, `flip round ${i}`);
  }
});

Deno.test("invalid bodies are rejected: EcM < EcN, zero MTime", () => {
  const bad = [
    objectVersion({ erasure: { ...objectVersion().erasure, dataShards: 1, parityShards: 2 } }),
    objectVersion({ modTimeNs: 0n }),
  ];
  for (const version of bad) {
    assertThrows(() => decodeXlMeta(legacyLayoutFile(2, [version])), XlMetaError);
  }
});

const fixturesUrl = new URL("../../../shared/fixtures/minio/", import.meta.url);
const haveFixtures = (() => {
  try {
    Deno.statSync(fixturesUrl);
    return true;
  } catch {
    return false;
  }
})();
if (!haveFixtures) {
  console.log(`skipping fixture truncation tests: ${fixturesUrl.pathname} is absent`);
}

Deno.test({
  name: "every truncation of real MinIO files (1.0, 1.3 with inline data) is an XlMetaError",
  ignore: !haveFixtures,
  fn() {
    const paths = [
      "cmd/testdata/xl.meta",
      "buildscripts/cicd-corpus/disk4/bucket/testobj/xl.meta",
      "synthesized/drive1/mybucket/hello.txt/xl.meta",
    ];
    for (const path of paths) {
      const file = Deno.readFileSync(new URL(path, fixturesUrl));
      assertTruncationsFail(file);
    }
  },
});

Deno.test("meta version < 3: bogus S2 compression indexes of small parts are cleared on load", () => {
  const s2 = utf8.encode("klauspost/compress/s2");
  const compressed = (written: bigint) =>
    objectVersion({
      parts: [
        { number: 1, etag: "", sizeBytes: 100, actualSizeBytes: 1 << 20 },
        { number: 2, etag: "", sizeBytes: 100, actualSizeBytes: 16 << 20 },
      ],
      sizeBytes: 200,
      partIndices: [new Uint8Array([1]), new Uint8Array([2])],
      metaSys: new Map([["X-Minio-Internal-compression", s2]]),
      writtenByVersion: written,
    });
  const fileWithMetaVersion = (version: ObjectVersion, metaVersion: number) => {
    const header = encodeXlMeta({ versions: [version], inlineData: new Map() });
    const patched = header.slice();
    patched[14] = metaVersion;
    return fixCrc(patched);
  };
  const inWindow = decodeXlMeta(fileWithMetaVersion(compressed(1709666000n), 2));
  assertEquals((inWindow.versions[0] as ObjectVersion).partIndices, [
    new Uint8Array(0),
    new Uint8Array([2]),
  ]);
  const current = decodeXlMeta(fileWithMetaVersion(compressed(1709666000n), 3));
  assertEquals((current.versions[0] as ObjectVersion).partIndices?.[0], new Uint8Array([1]));
  const later = decodeXlMeta(fileWithMetaVersion(compressed(1745359946n), 2));
  assertEquals((later.versions[0] as ObjectVersion).partIndices?.[0], new Uint8Array([1]));
});
