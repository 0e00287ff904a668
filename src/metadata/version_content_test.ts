import { assertEquals } from "../testing/assert.ts";
import type { ObjectVersion, Version } from "./types.ts";
import { sameSignedContent } from "./version_content.ts";
import { versionSignature } from "./version_header.ts";

const utf8 = new TextEncoder();

function base(): ObjectVersion {
  return {
    kind: "object",
    versionId: "2b4f7e41-df82-4a5e-a3c1-8df87f83332f",
    dataDir: "5e0ba5c1-d0a9-4b7a-9f3c-2d1e0f1a2b3c",
    erasure: {
      dataShards: 4,
      parityShards: 2,
      blockSizeBytes: 1048576,
      index: 1,
      distribution: [1, 2, 3, 4, 5, 6],
    },
    parts: [
      { number: 1, etag: "", sizeBytes: 5242880, actualSizeBytes: 5242880 },
      { number: 2, etag: "", sizeBytes: 7, actualSizeBytes: 7 },
    ],
    sizeBytes: 5242887,
    modTimeNs: 1700000000123456789n,
    metaSys: new Map([["X-Minio-Internal-actual-size", utf8.encode("5242887")]]),
    metaUser: new Map([["etag", "0123456789abcdef0123456789abcdef-2"], ["content-type", "a/b"]]),
  };
}

/** Changes that the signature ignores (true) or notices (false). */
const changes: [string, boolean, (v: ObjectVersion) => ObjectVersion][] = [
  ["EcIndex", true, (v) => ({ ...v, erasure: { ...v.erasure, index: 5 } })],
  ["writtenByVersion", true, (v) => ({ ...v, writtenByVersion: 1n })],
  ["MetaUsr order", true, (v) => ({ ...v, metaUser: new Map([...v.metaUser].reverse()) })],
  ["MetaUsr value", false, (v) => ({ ...v, metaUser: new Map([["etag", "x"]]) })],
  [
    "MetaSys value",
    false,
    (v) => ({ ...v, metaSys: new Map([["X-Minio-Internal-actual-size", utf8.encode("1")]]) }),
  ],
  ["MetaSys empty", false, (v) => ({ ...v, metaSys: new Map() })],
  ["part size", false, (v) => ({ ...v, parts: [v.parts[0], { ...v.parts[1], sizeBytes: 8 }] })],
  ["part etag", false, (v) => ({ ...v, parts: [v.parts[0], { ...v.parts[1], etag: "e" }] })],
  [
    "distribution",
    false,
    (v) => ({ ...v, erasure: { ...v.erasure, distribution: [2, 1, 3, 4, 5, 6] } }),
  ],
  ["block size", false, (v) => ({ ...v, erasure: { ...v.erasure, blockSizeBytes: 10485760 } })],
  ["data dir", false, (v) => ({ ...v, dataDir: "5e0ba5c1-d0a9-4b7a-9f3c-2d1e0f1a2b3d" })],
  ["mod time", false, (v) => ({ ...v, modTimeNs: v.modTimeNs + 1n })],
  ["size", false, (v) => ({ ...v, sizeBytes: 1 })],
  ["part index", false, (v) => ({ ...v, partIndices: [new Uint8Array([1]), new Uint8Array()] })],
];

function sameSignature(a: Version, b: Version): boolean {
  return versionSignature(a).every((byte, i) => byte === versionSignature(b)[i]);
}

Deno.test("content equality agrees with signature equality for each kind of difference", () => {
  for (const [what, ignored, change] of changes) {
    const a = base();
    const b = change(base());
    assertEquals(sameSignature(a, b), ignored, `signature and ${what}`);
    assertEquals(sameSignedContent(a, b), ignored, `content and ${what}`);
  }
});

Deno.test("delete markers compare id, ModTime and MetaSys; kinds never match each other", () => {
  const marker: Version = {
    kind: "deleteMarker",
    versionId: "",
    modTimeNs: 5n,
    metaSys: new Map(),
  };
  assertEquals(sameSignedContent(marker, { ...marker, writtenByVersion: 3n }), true);
  assertEquals(sameSignedContent(marker, { ...marker, modTimeNs: 6n }), false);
  assertEquals(sameSignedContent(marker, base()), false);
});
