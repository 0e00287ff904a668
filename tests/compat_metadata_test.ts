/**
 * The xl.meta codec against every MinIO-written fixture (and the synthesized header-v3 set),
 * as listed in shared/fixtures/minio/FIXTURES.md. The fixtures are the oracle: their stored
 * CRCs, stored header signatures, and the facts MinIO's own tests assert about them.
 */

import { gunzipSync, unzipSync } from "fflate";
import { decompress as zstdDecompress } from "fzstd";
import { assert, assertEquals, assertThrows } from "../src/testing/assert.ts";
import {
  decodeXlMeta,
  decodeXlMetaFile,
  encodeXlMeta,
  mergeVersions,
  versionHeader,
  XlMetaError,
} from "../src/metadata/xl_meta.ts";
import type { ObjectVersion, Version, XlMeta } from "../src/metadata/types.ts";
import type { VersionHeader } from "../src/metadata/version_header.ts";
import { seededRandom } from "../src/testing/seeded_random.ts";

const fixturesUrl = new URL("../../shared/fixtures/minio/", import.meta.url);

function fixturesExist(): boolean {
  try {
    Deno.statSync(fixturesUrl);
    return true;
  } catch {
    return false;
  }
}

const exists = fixturesExist();
if (!exists) console.log(`skipping MinIO metadata fixtures: ${fixturesUrl.pathname} is absent`);

function fixture(path: string): Uint8Array {
  return Deno.readFileSync(new URL(path, fixturesUrl));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function asObject(version: Version | undefined): ObjectVersion {
  assert(version?.kind === "object", `expected an object version, got ${version?.kind}`);
  return version;
}

/** Stored headers of a 1.3 file equal the ones derived from the bodies (all stored fields). */
function assertStoredHeadersMatch(stored: VersionHeader[], meta: XlMeta, headerVersion: number) {
  assertEquals(stored.length, meta.versions.length);
  stored.forEach((header, i) => {
    const derived = versionHeader(meta.versions[i]);
    assertEquals(hex(header.signature), hex(derived.signature), `signature of version ${i}`);
    assertEquals(header.versionId, derived.versionId);
    assertEquals(header.modTimeNs, derived.modTimeNs);
    assertEquals(header.type, derived.type);
    assertEquals(header.flags, derived.flags);
    if (headerVersion >= 3) assertEquals([header.ecN, header.ecM], [derived.ecN, derived.ecM]);
  });
}

/** Encoding then decoding keeps every version and inline entry, with v3 headers that match. */
function assertRoundTrip(meta: XlMeta): void {
  const encoded = encodeXlMeta(meta);
  const again = decodeXlMetaFile(encoded);
  assertEquals(again.layout.minor, 3);
  assertEquals(again.layout.headerVersion, 3);
  assertEquals(again.meta.versions.length, meta.versions.length);
  assertStoredHeadersMatch(again.layout.storedHeaders!, again.meta, 3);
  meta.versions.forEach((version, i) => {
    assertEquals(
      hex(versionHeader(again.meta.versions[i]).signature),
      hex(versionHeader(version).signature),
    );
  });
  assertEquals([...again.meta.inlineData.keys()], [...meta.inlineData.keys()]);
  assertEquals(encodeXlMeta(again.meta), encoded, "re-encoding a decoded file is stable");
}

Deno.test({
  name: "cmd/testdata/xl.meta (v1.0) decodes to its single null object version",
  ignore: !exists,
  fn() {
    const { meta, layout } = decodeXlMetaFile(fixture("cmd/testdata/xl.meta"));
    assertEquals([layout.major, layout.minor], [1, 0]);
    assertEquals(meta.versions.length, 1);
    const v = asObject(meta.versions[0]);
    assertEquals(v.versionId, "");
    assertEquals(v.dataDir, "70869277-e3b9-41e9-a6c8-0c193adb5f9a");
    assertEquals(v.erasure, {
      dataShards: 2,
      parityShards: 2,
      blockSizeBytes: 10485760,
      index: 3,
      distribution: [3, 4, 1, 2],
    });
    assertEquals(v.parts, [{ number: 1, etag: "", sizeBytes: 6482, actualSizeBytes: 6482 }]);
    assertEquals(v.sizeBytes, 6482);
    assertEquals(v.modTimeNs, 1610300046404396813n);
    assertEquals(v.metaSys.size, 0);
    assertEquals(v.metaUser.get("etag"), "eb460a70e9e7eb0f36b2e28512318bb0");
    assertEquals(v.metaUser.get("content-type"), "application/json");
    assertEquals(meta.inlineData.size, 0);
    assertRoundTrip(meta);
  },
});

function consistFiles(): Uint8Array[] {
  const zip = unzipSync(fixture("cmd/testdata/xl-meta-consist.zip"));
  return Array.from({ length: 10 }, (_, i) => zip[`${i + 1}/xl.meta`]);
}

Deno.test({
  name: "xl-meta-consist.zip: ten drives' views decode (v1.2 and v1.3) with signature 12ab49e5",
  ignore: !exists,
  fn() {
    const files = consistFiles();
    const expectedIndex = [4, 5, 6, 7, 8, 9, 10, 1, 2, 3];
    files.forEach((bytes, i) => {
      const { meta, layout } = decodeXlMetaFile(bytes);
      assertEquals(layout.minor, i === 4 ? 3 : 2, `layout of file ${i + 1}`);
      const v = asObject(meta.versions[0]);
      assertEquals(meta.versions.length, 1);
      assertEquals(v.versionId, "");
      assertEquals(v.dataDir, "d44ce3b0-ea38-45d2-9f88-94d91253e936");
      assertEquals([v.erasure.dataShards, v.erasure.parityShards], [6, 4]);
      assertEquals(v.erasure.distribution, [4, 5, 6, 7, 8, 9, 10, 1, 2, 3]);
      assertEquals(v.erasure.index, expectedIndex[i]);
      assertEquals(v.sizeBytes, 141250);
      assertEquals(v.modTimeNs, 1639124576410705609n);
      assertEquals(
        new TextDecoder().decode(v.metaSys.get("X-Minio-Internal-actual-size")),
        "141250",
      );
      assertEquals(v.metaUser.get("etag"), "51fe09d68bacc8c5a68ad24e4c037777-1");
      assertEquals(hex(versionHeader(v).signature), "12ab49e5");
      if (layout.storedHeaders) assertStoredHeadersMatch(layout.storedHeaders, meta, 2);
      assertRoundTrip(meta);
    });
  },
});

Deno.test({
  name: "xl-meta-consist.zip: merging the ten lists gives the version for every quorum 0..9",
  ignore: !exists,
  fn() {
    const metas = consistFiles().map((bytes) => decodeXlMeta(bytes));
    for (let quorum = 0; quorum <= 9; quorum++) {
      for (const strict of [false, true]) {
        const merged = mergeVersions(metas, quorum, { strict });
        assertEquals(merged.length, 1, `quorum ${quorum} strict ${strict}`);
        assertEquals(merged[0].modTimeNs, 1639124576410705609n);
      }
    }
  },
});

Deno.test({
  name: "xl-meta-inline-notinline.zip: drive 1 carries the inline shard, drive 2 only the flag",
  ignore: !exists,
  fn() {
    const zip = unzipSync(fixture("cmd/testdata/xl-meta-inline-notinline.zip"));
    const disk1 = decodeXlMetaFile(zip["disk1/testbucket/file/xl.meta"]);
    const disk2 = decodeXlMetaFile(zip["disk2/testbucket/file/xl.meta"]);
    assertEquals([disk1.layout.minor, disk2.layout.minor], [2, 2]);
    const v1 = asObject(disk1.meta.versions[0]);
    const v2 = asObject(disk2.meta.versions[0]);
    assertEquals([v1.erasure.index, v2.erasure.index], [2, 3]);
    assertEquals(v1.erasure.distribution, [2, 3, 4, 1]);
    assertEquals(v1.sizeBytes, 132096);
    assertEquals(versionHeader(v1).flags & 4, 4, "inline flag on drive 1");
    assertEquals(versionHeader(v2).flags & 4, 4, "inline flag on drive 2 too");
    assertEquals([...disk1.meta.inlineData.keys()], ["null"]);
    assertEquals(disk1.meta.inlineData.get("null")!.length, 66080);
    assertEquals(disk2.meta.inlineData.size, 0);
    assertEquals(v2.dataDir, "9f6c3be2-463f-4771-a6c7-1204baaa3ff2");
    assertEquals(hex(versionHeader(v1).signature), hex(versionHeader(v2).signature));
    assertRoundTrip(disk1.meta);
    assertRoundTrip(disk2.meta);
    const withoutInline = decodeXlMeta(zip["disk1/testbucket/file/xl.meta"], {
      withInlineData: false,
    });
    assertEquals(withoutInline.inlineData.size, 0);
  },
});

Deno.test({
  name: "xl-meta-merge.zip: merging the 8 drives with quorum 1 gives exactly 3 sorted versions",
  ignore: !exists,
  fn() {
    const zip = unzipSync(fixture("cmd/testdata/xl-meta-merge.zip"));
    const files = Array.from({ length: 8 }, (_, i) => zip[`xl${i + 1}/testbucket/hosts/xl.meta`]);
    files.forEach((bytes, i) => {
      const { meta, layout } = decodeXlMetaFile(bytes);
      assertEquals([layout.minor, layout.headerVersion, layout.metaVersion], [3, 2, 2]);
      assertStoredHeadersMatch(layout.storedHeaders!, meta, 2);
      for (const v of meta.versions) {
        assertEquals(v.writtenByVersion, 1709666000n);
        assertEquals(versionHeader(v).flags, 6);
        assertEquals(meta.inlineData.get(v.versionId || "null")!.length, i < 4 ? 146 : 9589);
      }
      assertRoundTrip(meta);
    });
    const metas = files.map((bytes) => decodeXlMeta(bytes, { withInlineData: false }));
    const seed = Date.now() >>> 0;
    console.log(`xl-meta-merge shuffle seed ${seed}`);
    const random = seededRandom(seed);
    for (let round = 0; round < 100; round++) {
      const order = metas.slice().sort(() => random() - 0.5);
      const merged = mergeVersions(order, 1);
      assertEquals(merged.map((v) => [v.versionId, v.modTimeNs]), [
        ["", 1709666396525244222n],
        ["1f163718-9bc5-4b01-bff7-5d8cf09caf10", 1709666239902781262n],
        ["73c9f651-f023-4566-b012-cc537fdb7ce2", 1709666235421976237n],
      ]);
    }
  },
});

Deno.test({
  name: "xl-many-parts.meta: 7 versions of 9016 parts with matching stored signatures",
  ignore: !exists,
  fn() {
    const { meta, layout } = decodeXlMetaFile(fixture("cmd/testdata/xl-many-parts.meta"));
    assertEquals([layout.minor, layout.headerVersion, layout.metaVersion], [3, 2, 2]);
    assertEquals(meta.versions.length, 7);
    for (const version of meta.versions) {
      const v = asObject(version);
      assertEquals(v.parts.length, 9016);
      assertEquals([v.erasure.dataShards, v.erasure.parityShards], [12, 4]);
      assertEquals(v.sizeBytes, 56747702861);
      assertEquals(v.metaUser.get("etag"), "43bc26cf9d1b65d8830884adf6f47bba-9016");
      assertEquals(v.metaUser.get("content-type"), "video/quicktime");
      assert(v.metaSys.has("X-Minio-Internal-Encrypted-Multipart"));
      assertEquals(v.parts.reduce((sum, p) => sum + p.sizeBytes, 0), v.sizeBytes);
    }
    assertStoredHeadersMatch(layout.storedHeaders!, meta, 2);
    assertRoundTrip(meta);
  },
});

Deno.test({
  name: "xl.meta-v1.2.zst: 855 versions, newest first, headers re-derived before and after encode",
  ignore: !exists,
  fn() {
    const bytes = zstdDecompress(fixture("cmd/testdata/xl.meta-v1.2.zst"));
    assertEquals(bytes.length, 283036);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const payloadLength = view.getUint32(9);
    assertEquals(bytes[13 + payloadLength], 0xce, "1.2 CRC written as uint32 here");
    assertEquals(view.getUint32(14 + payloadLength), 0xd150159d, "the CRC decode verified");
    const { meta, layout } = decodeXlMetaFile(bytes);
    assertEquals(layout.minor, 2);
    assertEquals(meta.versions.length, 855);
    for (let i = 1; i < meta.versions.length; i++) {
      assert(meta.versions[i - 1].modTimeNs >= meta.versions[i].modTimeNs, `order at ${i}`);
    }
    for (const version of meta.versions) {
      const v = asObject(version);
      assertEquals([v.erasure.dataShards, v.erasure.parityShards, v.sizeBytes], [4, 4, 256]);
      assertEquals(versionHeader(v).flags & 4, 4);
    }
    const encoded = encodeXlMeta(meta);
    const again = decodeXlMetaFile(encoded);
    assertStoredHeadersMatch(again.layout.storedHeaders!, again.meta, 3);
    assertEquals(
      again.meta.versions.map((v) => hex(versionHeader(v).signature)),
      meta.versions.map((v) => hex(versionHeader(v).signature)),
    );
    assertEquals(encodeXlMeta(again.meta), encoded);
  },
});

Deno.test({
  name: "xl.meta-corrupt.gz: a length beyond the file is an XlMetaError",
  ignore: !exists,
  fn() {
    const bytes = gunzipSync(fixture("cmd/testdata/xl.meta-corrupt.gz"));
    assertEquals(bytes.length, 7864320);
    const error = assertThrows(() => decodeXlMeta(bytes), XlMetaError);
    assertEquals((error as XlMetaError).code, "corrupt");
  },
});

Deno.test({
  name: "cicd-corpus: four drives decode, and a quorum-3 merge keeps only the quorum version",
  ignore: !exists,
  fn() {
    const base = "buildscripts/cicd-corpus/";
    const metas = [2, 3, 4, 5].map((d) => {
      const { meta, layout } = decodeXlMetaFile(fixture(`${base}disk${d}/bucket/testobj/xl.meta`));
      assertEquals([layout.minor, layout.headerVersion, layout.metaVersion], [3, 2, 1]);
      assertStoredHeadersMatch(layout.storedHeaders!, meta, 2);
      for (const v of meta.versions) {
        assertEquals(v.writtenByVersion, undefined);
        assertEquals(asObject(v).metaUser.get("etag"), "9587ddd31fead633830366f45d221d56");
        assertEquals(asObject(v).erasure.distribution, [3, 4, 5, 1, 2]);
      }
      assertRoundTrip(meta);
      return meta;
    });
    const a = "50051050-62bc-4928-b0d3-65f4f828a0c7";
    const b = "163c7c9d-e856-41ed-93ae-2adccecc8211";
    assertEquals(metas.map((m) => m.versions.map((v) => v.versionId)), [[a], [a], [b, a], [b]]);
    assertEquals(metas.map((m) => asObject(m.versions.at(-1)).erasure.index), [4, 5, 1, 2]);
    const merged = mergeVersions([undefined, ...metas], 3);
    assertEquals(merged.map((v) => v.versionId), [a]);
    assertEquals(mergeVersions([undefined, ...metas], 2).map((v) => v.versionId), [b, a]);
  },
});

Deno.test({
  name: "synthesized header-v3 set: decoding and re-encoding reproduces every drive's bytes",
  ignore: !exists,
  fn() {
    const example = JSON.parse(new TextDecoder().decode(fixture("synthesized/EXAMPLE.json")));
    for (const drive of example.drives) {
      const bytes = fixture(`synthesized/drive${drive.drive}/mybucket/hello.txt/xl.meta`);
      assertEquals(hex(bytes), drive.xlMetaHex);
      const { meta, layout } = decodeXlMetaFile(bytes);
      assertEquals([layout.minor, layout.headerVersion, layout.metaVersion], [3, 3, 3]);
      assertStoredHeadersMatch(layout.storedHeaders!, meta, 3);
      const v = asObject(meta.versions[0]);
      assertEquals(v.erasure.index, drive.ecIndex);
      assertEquals(v.erasure.distribution, example.distribution);
      assertEquals(v.dataDir, example.dataDir);
      assertEquals(v.modTimeNs, BigInt(example.mtime));
      assertEquals(v.metaUser.get("etag"), example.etag);
      assertEquals(hex(versionHeader(v).signature), drive.signature);
      assertEquals(hex(meta.inlineData.get("null")!.subarray(32)), drive.shardHex);
      assertEquals(hex(encodeXlMeta(meta)), drive.xlMetaHex, `drive ${drive.drive} byte-exact`);
    }
  },
});
