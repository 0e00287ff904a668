/**
 * The metadata layer's public entry: on-disk metadata codecs, pure and synchronous.
 *
 * - xl.meta (spec §4): `decodeXlMeta`, `encodeXlMeta`, version headers and signatures, the
 *   version-list helpers and the cross-drive quorum merge.
 * - `.metadata.bin` bucket metadata (§1.4), `part.N.meta` (§9.3), the multipart ETag (§10).
 */

export * from "./types.ts";
export * from "./xl_meta.ts";
export type { DecodedXlMeta, DecodeOptions, XlMetaLayout } from "./xl_meta.ts";
export { compareVersions } from "./version_list.ts";
export { headersEqual, metaSysKeys } from "./version_header.ts";
export { normalizeVersionId, versionKey } from "./uuid_bytes.ts";
export {
  type BucketMetadata,
  decodeBucketMetadata,
  encodeBucketMetadata,
  goZeroDate,
  newBucketMetadata,
} from "./bucket_metadata.ts";
export { decodePartInfo, encodePartInfo, type ObjectPartInfo } from "./part_meta.ts";
export { etagMd5Bytes, multipartEtag } from "./etag.ts";
export { xxh3, xxh64 } from "./xxhash.ts";
export { decodeXlJson } from "./xl_json.ts";
