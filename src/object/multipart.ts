/**
 * Multipart uploads on one erasure set (spec §9): ids and paths exactly as MinIO, parts
 * staged in tmp and renamed into the upload's data dir next to their `part.N.meta`, and a
 * completion that commits the upload's data dir as the object's data dir.
 */
import { encodeXlMeta } from "../metadata/xl_meta.ts";
import {
  decodePartInfo,
  encodePartInfo,
  type ObjectPartInfo as PartMeta,
} from "../metadata/part_meta.ts";
import { etagMd5Bytes, multipartEtag } from "../metadata/etag.ts";
import type { ObjectVersion } from "../metadata/types.ts";
import {
  multipartUploadsScanMax,
  objectMaxBytes,
  partMinBytes,
  partNumberMax,
  putObjectMaxBytes,
} from "../limits.ts";
import { hash } from "../platform/crypto.ts";
import { commitVersion, requireNoNamespaceConflict } from "./commit.ts";
import { checkNamespace, type NamespaceSource } from "../drive/namespace.ts";
import type { StorageDrive } from "../drive/storage_drive.ts";
import { toHex } from "./erasure_encode.ts";
import {
  actualSizeKey,
  buildMetaUser,
  checksumMetaSys,
  erasureUpgradedKey,
  metaSysText,
  toObjectInfo,
} from "./object_info.ts";
import {
  type CompleteOptions,
  type CompletePart,
  type ListPartsResult,
  type MultipartUploadInfo,
  ObjectError,
  type ObjectInfo,
  type PartInfo,
  type PutObjectOptions,
  type VersioningState,
} from "./object_layer.ts";
import { decodeDirObject } from "./placement.ts";
import {
  checkConditions,
  chooseLayout,
  type Layout,
  removeStaging,
  stageShards,
  withIndex,
} from "./put_object.ts";
import {
  deleteQuorum,
  isDriveError,
  isNotFound,
  onAllDrives,
  requireQuorum,
  writeQuorum,
} from "./quorum.ts";
import { pickVersion, readAllMetadata } from "./read_metadata.ts";
import { objectResource, onlineDrives, type SetContext, systemVolume } from "./set_context.ts";

/** MetaSys key holding "<bucket>/<object path>" in an upload's xl.meta, so uploads can be listed by key. */
const uploadObjectKey = "x-minio-internal-aistor-upload-object";
/** MetaSys of an upload created with x-amz-checksum-algorithm / -type (MinIO's keys, spec §9.2). */
export const uploadChecksumKey = "x-minio-multipart-checksum";
export const uploadChecksumTypeKey = "x-minio-multipart-checksum-type";

const textDecoder = new TextDecoder();

export interface UploadRef {
  bucket: string;
  path: string;
  uploadId: string;
}

/** `multipart/<sha256hex(bucket/key)>` in `.minio.sys`. */
export function uploadsDir(bucket: string, path: string): string {
  return `multipart/${toHex(hash("sha256", `${bucket}/${path}`))}`;
}

/** The client-visible id: base64url (no padding) of "<deploymentId>.<uploadUuid>". */
export function encodeUploadId(deploymentId: string, uploadUuid: string): string {
  return btoa(`${deploymentId}.${uploadUuid}`).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** The upload uuid ("<uuid>x<nanos>") inside an upload id; NoSuchUpload for anything else. */
export function uploadUuidOf(uploadId: string): string {
  let uuid = uploadId;
  try {
    const decoded = atob(uploadId.replace(/-/g, "+").replace(/_/g, "/"));
    const dot = decoded.indexOf(".");
    if (dot >= 0) uuid = decoded.slice(dot + 1);
  } catch {
    // Not base64: MinIO then uses the raw id as the upload uuid.
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}x[0-9]{1,20}$/.test(uuid)) {
    throw new ObjectError("NoSuchUpload", `Cannot find upload "${uploadId}": malformed id`);
  }
  return uuid;
}

/** Lock resource of one upload (its parts are renamed in under it). */
function uploadResource(ref: UploadRef): string {
  return `${objectResource(ref.bucket, ref.path)}/${ref.uploadId}`;
}

/** Complete and abort hold the object lock, then the upload lock (always in this order). */
async function lockObjectAndUpload(ctx: SetContext, ref: UploadRef): Promise<() => void> {
  const unlockObject = await ctx.locks.lock(objectResource(ref.bucket, ref.path), "write");
  try {
    const unlockUpload = await ctx.locks.lock(uploadResource(ref), "write");
    return () => {
      unlockUpload();
      unlockObject();
    };
  } catch (error) {
    unlockObject();
    throw error;
  }
}

function uploadDir(ref: UploadRef): string {
  return `${uploadsDir(ref.bucket, ref.path)}/${uploadUuidOf(ref.uploadId)}`;
}

export async function newMultipartUpload(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: Omit<
    PutObjectOptions,
    "sizeBytes" | "md5Hex" | "checksums" | "ifMatchEtag" | "ifNoneMatch"
  >,
): Promise<string> {
  const layout = await chooseLayout(ctx, bucket, path, options);
  const startNs = ctx.clock.nowNs();
  const uploadUuid = `${ctx.randomUuid()}x${startNs}`;
  const uploadId = encodeUploadId(ctx.deploymentId, uploadUuid);
  const dir = `${uploadsDir(bucket, path)}/${uploadUuid}`;
  const metaSys = new Map<string, Uint8Array>([[
    uploadObjectKey,
    metaSysText(`${bucket}/${path}`),
  ]]);
  if (options.checksumAlgorithm !== undefined) {
    metaSys.set(uploadChecksumKey, metaSysText(options.checksumAlgorithm));
    metaSys.set(uploadChecksumTypeKey, metaSysText(options.checksumType ?? "COMPOSITE"));
  }
  if (layout.upgradedFrom !== undefined) {
    metaSys.set(
      erasureUpgradedKey,
      metaSysText(`${layout.upgradedFrom}->${layout.geometry.parityShards}`),
    );
  }
  const version: ObjectVersion = {
    kind: "object",
    versionId: "",
    dataDir: ctx.randomUuid(),
    erasure: { ...layout.geometry, index: 0, distribution: layout.distribution },
    parts: [],
    sizeBytes: 0,
    modTimeNs: startNs,
    metaSys,
    metaUser: buildMetaUser({ ...options, metadata: options.metadata }, ""),
  };
  // One step: the upload's xl.meta on every drive (durable replace). A crash part-way leaves
  // an upload below quorum (NoSuchUpload) whose dir the stale-upload cleanup removes.
  const outcomes = await onAllDrives(ctx.drives, async (drive, position) => {
    const meta = {
      versions: [withIndex(version, layout.distribution[position])],
      inlineData: new Map(),
    };
    await drive.writeMetadata(systemVolume, dir, encodeXlMeta(meta));
  });
  try {
    requireQuorum(
      outcomes,
      layout.writeQuorum,
      "WriteQuorum",
      `start an upload of ${bucket}/${path}`,
    );
  } catch (error) {
    await onAllDrives(
      ctx.drives,
      (drive) => drive.deletePath(systemVolume, dir, { recursive: true }),
    );
    throw error;
  }
  return uploadId;
}

/** The upload's version (its erasure layout, data dir and metadata), by quorum. */
async function readUpload(ctx: SetContext, ref: UploadRef): Promise<ObjectVersion> {
  const found = await readAllMetadata(ctx.drives, systemVolume, uploadDir(ref));
  try {
    const picked = pickVersion(found, {
      versionId: "",
      versioning: "Unversioned",
      allowDeleteMarker: false,
      what: `upload ${ref.uploadId}`,
    });
    if (picked.version.kind !== "object") throw new ObjectError("NoSuchUpload", "not an upload");
    return picked.version;
  } catch (error) {
    if (
      error instanceof ObjectError && (error.code === "NoSuchKey" || error.code === "NoSuchVersion")
    ) {
      throw new ObjectError(
        "NoSuchUpload",
        `Cannot find upload "${ref.uploadId}" of ${ref.bucket}/${ref.path}`,
      );
    }
    throw error;
  }
}

/** The checksum algorithm and type the upload was created with, if any. */
function uploadChecksum(upload: ObjectVersion): { algorithm: string; type: string } | undefined {
  const algorithm = upload.metaSys.get(uploadChecksumKey);
  if (algorithm === undefined) return undefined;
  const type = upload.metaSys.get(uploadChecksumTypeKey);
  return {
    algorithm: textDecoder.decode(algorithm),
    type: type === undefined ? "COMPOSITE" : textDecoder.decode(type),
  };
}

function uploadLayout(upload: ObjectVersion, online: boolean[]): Layout {
  const { dataShards, parityShards, blockSizeBytes, distribution } = upload.erasure;
  return {
    geometry: { dataShards, parityShards, blockSizeBytes },
    distribution,
    writeQuorum: writeQuorum(dataShards, parityShards),
    online,
  };
}

export async function putObjectPart(
  ctx: SetContext,
  ref: UploadRef & { partNumber: number },
  body: ReadableStream<Uint8Array>,
  options: { sizeBytes: number; md5Hex?: string; checksums?: Record<string, string> },
): Promise<PartInfo> {
  if (!Number.isInteger(ref.partNumber) || ref.partNumber < 1 || ref.partNumber > partNumberMax) {
    throw new ObjectError(
      "InvalidPartNumber",
      `Cannot upload part ${ref.partNumber}: parts are 1..${partNumberMax}`,
    );
  }
  const upload = await readUpload(ctx, ref);
  const layout = uploadLayout(upload, await onlineDrives(ctx.drives));
  const stagingPath = `tmp/${ctx.randomUuid()}x${ctx.clock.nowNs()}`;
  const partFile = `part.${ref.partNumber}`;
  try {
    // Step 1: stage the part at `.minio.sys/tmp/<uuid>x<nanos>/part.N` (fsynced). A crash
    // here leaves tmp leftovers only.
    const staged = await stageShards(ctx, body, {
      layout,
      inline: false,
      shardPath: `${stagingPath}/${partFile}`,
      declaredSizeBytes: options.sizeBytes,
      maxSizeBytes: putObjectMaxBytes,
    });
    if (options.md5Hex !== undefined && options.md5Hex.toLowerCase() !== staged.encoded.md5Hex) {
      throw new ObjectError(
        "BadDigest",
        `Cannot store part ${ref.partNumber}: its MD5 differs from Content-MD5`,
      );
    }
    const partMeta: PartMeta = {
      etag: staged.encoded.md5Hex,
      number: ref.partNumber,
      sizeBytes: staged.encoded.sizeBytes,
      actualSizeBytes: staged.encoded.sizeBytes,
      modTimeNs: ctx.clock.nowNs(),
      ...(options.checksums === undefined
        ? {}
        : { checksums: new Map(Object.entries(options.checksums)) }),
    };
    // Step 2: per drive, rename the part into `<upload>/<dataDir>/part.N`, then write
    // `part.N.meta`. A crash between the two leaves a part without meta: invisible to
    // ListParts and refused by Complete (InvalidPart), replaced by a re-upload.
    const unlock = await ctx.locks.lock(uploadResource(ref), "write");
    try {
      await readUpload(ctx, ref); // NoSuchUpload if it was completed or aborted meanwhile
      const dir = `${uploadDir(ref)}/${upload.dataDir}`;
      const outcomes = await onAllDrives(ctx.drives, async (drive, position) => {
        if (staged.failures[position] !== undefined) throw staged.failures[position];
        await drive.renamePath(
          systemVolume,
          `${stagingPath}/${partFile}`,
          systemVolume,
          `${dir}/${partFile}`,
        );
        await drive.writeAll(systemVolume, `${dir}/${partFile}.meta`, encodePartInfo(partMeta));
      });
      requireQuorum(outcomes, layout.writeQuorum, "WriteQuorum", `store part ${ref.partNumber}`);
    } finally {
      unlock();
    }
    return toPartInfo(partMeta);
  } finally {
    await removeStaging(ctx, stagingPath);
  }
}

function toPartInfo(meta: PartMeta): PartInfo {
  return {
    partNumber: meta.number,
    etag: meta.etag,
    sizeBytes: meta.sizeBytes,
    lastModified: new Date(Number(meta.modTimeNs / 1_000_000n)),
    checksums: Object.fromEntries(meta.checksums ?? []),
  };
}

/** `part.N.meta` of one part as a read quorum of drives stores it; undefined when absent. */
async function readPartMeta(
  ctx: SetContext,
  dir: string,
  partNumber: number,
  quorum: number,
): Promise<PartMeta | undefined> {
  const outcomes = await onAllDrives(
    ctx.drives,
    async (drive) =>
      decodePartInfo(await drive.readAll(systemVolume, `${dir}/part.${partNumber}.meta`)),
  );
  const metas = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
  for (const candidate of metas) {
    const agreeing = metas.filter((m) =>
      m.etag === candidate.etag && m.sizeBytes === candidate.sizeBytes
    ).length;
    if (agreeing >= quorum) return candidate;
  }
  return undefined;
}

/** Part numbers with a `part.N.meta` on any drive, ascending. */
async function listedPartNumbers(ctx: SetContext, dir: string): Promise<number[]> {
  const outcomes = await onAllDrives(ctx.drives, (drive) => drive.listDir(systemVolume, dir));
  const numbers = new Set<number>();
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const name of outcome.value) {
      const match = /^part\.([0-9]+)\.meta$/.exec(name);
      if (match) numbers.add(Number(match[1]));
    }
  }
  return [...numbers].sort((a, b) => a - b);
}

export async function listObjectParts(
  ctx: SetContext,
  ref: UploadRef,
  options: { partNumberMarker: number; maxParts: number },
): Promise<ListPartsResult> {
  const upload = await readUpload(ctx, ref);
  const dir = `${uploadDir(ref)}/${upload.dataDir}`;
  const checksum = uploadChecksum(upload);
  const about = checksum === undefined
    ? {}
    : { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type };
  const numbers = (await listedPartNumbers(ctx, dir)).filter((n) => n > options.partNumberMarker);
  const parts: PartInfo[] = [];
  for (const number of numbers) {
    if (parts.length === options.maxParts) {
      const nextPartNumberMarker = parts.at(-1)?.partNumber ?? options.partNumberMarker;
      return { parts, isTruncated: true, nextPartNumberMarker, ...about };
    }
    const meta = await readPartMeta(ctx, dir, number, upload.erasure.dataShards);
    if (meta !== undefined) parts.push(toPartInfo(meta));
  }
  return {
    parts,
    isTruncated: false,
    nextPartNumberMarker: parts.at(-1)?.partNumber ?? 0,
    ...about,
  };
}

export async function abortMultipartUpload(ctx: SetContext, ref: UploadRef): Promise<void> {
  const unlock = await lockObjectAndUpload(ctx, ref);
  try {
    await readUpload(ctx, ref);
    const outcomes = await onAllDrives(
      ctx.drives,
      (drive) => drive.deletePath(systemVolume, uploadDir(ref), { recursive: true }),
    );
    requireQuorum(
      outcomes,
      deleteQuorum(ctx.drives.length),
      "WriteQuorum",
      `abort upload ${ref.uploadId}`,
    );
  } finally {
    unlock();
  }
}

export async function completeMultipartUpload(
  ctx: SetContext,
  ref: UploadRef,
  requested: CompletePart[],
  options: CompleteOptions & { versioning: VersioningState },
): Promise<ObjectInfo> {
  checkPartOrder(requested);
  const unlock = await lockObjectAndUpload(ctx, ref);
  try {
    const upload = await readUpload(ctx, ref);
    const dir = `${uploadDir(ref)}/${upload.dataDir}`;
    const parts = await validateParts(ctx, dir, requested, upload.erasure.dataShards);
    const checksumEntries = objectChecksumEntries(upload, parts, options);
    const current = await readAllMetadata(ctx.drives, ref.bucket, ref.path);
    checkConditions(current, options, `${ref.bucket}/${ref.path}`);
    const version = completedVersion(ctx, upload, parts, options.versioning);
    for (const [key, value] of checksumEntries) version.metaSys.set(key, value);
    const quorum = writeQuorum(upload.erasure.dataShards, upload.erasure.parityShards);
    await requireNameFree(ctx, ref, quorum);
    // Step 1: per drive, remove the part.N.meta files and the parts not listed. A crash
    // here leaves an upload that can no longer complete (InvalidPart); it is aborted or
    // purged as stale.
    await onAllDrives(ctx.drives, (drive) => pruneUploadDataDir(drive, dir, parts));
    // Step 2: commit the upload's data dir as the object's (commit.ts narrates the crashes).
    const result = await commitVersion(ctx.drives, {
      volume: ref.bucket,
      path: ref.path,
      versionFor: (position) => withIndex(version, upload.erasure.distribution[position]),
      staged: { volume: systemVolume, path: dir, dataDir: upload.dataDir },
      current,
      writeQuorum: quorum,
      what: `${ref.bucket}/${ref.path}`,
    });
    if (result.failedPositions.length > 0) ctx.queueHeal(ref.bucket, ref.path, version.versionId);
    // Step 3: remove the upload dir (its xl.meta). A crash before this leaves an empty
    // upload whose Complete fails (InvalidPart) and which the stale cleanup removes.
    await onAllDrives(
      ctx.drives,
      (drive) => drive.deletePath(systemVolume, uploadDir(ref), { recursive: true }),
    );
    return toObjectInfo(ref.bucket, decodeDirObject(ref.path), version, {
      versioning: options.versioning,
      isLatest: true,
    });
  } finally {
    unlock();
  }
}

/**
 * MinIO's object-or-prefix rule checked before the upload's parts are pruned, so a refused
 * Complete leaves the upload whole for the client to complete under another name or abort.
 * The commit checks again on each drive (a concurrent write may take the name meanwhile).
 */
async function requireNameFree(ctx: SetContext, ref: UploadRef, quorum: number): Promise<void> {
  const outcomes = await onAllDrives(
    ctx.drives,
    (drive) => checkNamespace(namespaceSourceOf(drive, ref.bucket), drive.endpoint, ref.path),
  );
  requireNoNamespaceConflict(outcomes, quorum, `complete ${ref.bucket}/${ref.path}`);
}

function namespaceSourceOf(drive: StorageDrive, bucket: string): NamespaceSource {
  return {
    hasXlMeta: (dir) =>
      drive.statFile(bucket, `${dir}/xl.meta`).then(() => true, (error) => {
        if (isNotFound(error) || isDriveError(error, "IsDirectory")) return false;
        throw error;
      }),
    list: (dir) =>
      drive.listDir(bucket, dir).then(
        (names) =>
          names.map((name) => ({ name: name.replace(/\/$/, ""), isDirectory: name.endsWith("/") })),
        (error) => {
          if (isNotFound(error)) return undefined;
          throw error;
        },
      ),
  };
}

function checkPartOrder(requested: CompletePart[]): void {
  if (requested.length === 0) {
    throw new ObjectError("InvalidPart", "Cannot complete an upload without parts");
  }
  for (let i = 1; i < requested.length; i++) {
    if (requested[i].partNumber <= requested[i - 1].partNumber) {
      throw new ObjectError(
        "InvalidPartOrder",
        `Cannot complete: part ${requested[i].partNumber} is out of order`,
      );
    }
  }
}

async function validateParts(
  ctx: SetContext,
  dir: string,
  requested: CompletePart[],
  quorum: number,
): Promise<PartMeta[]> {
  const parts: PartMeta[] = [];
  let totalBytes = 0;
  for (const [i, want] of requested.entries()) {
    const meta = await readPartMeta(ctx, dir, want.partNumber, quorum);
    if (meta === undefined || meta.etag !== want.etag.replace(/^"|"$/g, "").toLowerCase()) {
      throw new ObjectError(
        "InvalidPart",
        `Cannot complete: part ${want.partNumber} is missing or its ETag differs`,
      );
    }
    if (i < requested.length - 1 && meta.actualSizeBytes < partMinBytes) {
      throw new ObjectError(
        "EntityTooSmall",
        `Cannot complete: part ${want.partNumber} is under ${partMinBytes} bytes`,
      );
    }
    checkPartChecksums(want, meta);
    totalBytes += meta.sizeBytes;
    parts.push(meta);
  }
  if (totalBytes > objectMaxBytes) {
    throw new ObjectError("EntityTooLarge", "Cannot complete: object over 5 TiB");
  }
  return parts;
}

/** InvalidPart when a checksum listed at Complete differs from (or lacks) the stored one. */
function checkPartChecksums(want: CompletePart, meta: PartMeta): void {
  for (const [algorithm, value] of Object.entries(want.checksums ?? {})) {
    const stored = meta.checksums?.get(algorithm);
    if (stored !== value) {
      throw new ObjectError(
        "InvalidPart",
        `Cannot complete: the ${algorithm} of part ${want.partNumber} differs from the stored one`,
      );
    }
  }
}

/**
 * MetaSys entries of the completed object's checksum (none when the upload was created without
 * an algorithm): every part must have stored that algorithm's checksum (InvalidPart otherwise).
 */
function objectChecksumEntries(
  upload: ObjectVersion,
  parts: PartMeta[],
  options: CompleteOptions,
): [string, Uint8Array][] {
  const checksum = uploadChecksum(upload);
  if (checksum === undefined) return [];
  const partChecksums = parts.map((part) => {
    const value = part.checksums?.get(checksum.algorithm);
    if (value === undefined) {
      throw new ObjectError(
        "InvalidPart",
        `Cannot complete: part ${part.number} has no ${checksum.algorithm} checksum`,
      );
    }
    return { checksum: value, sizeBytes: part.actualSizeBytes };
  });
  if (options.objectChecksumOf === undefined) {
    throw new Error(`bug: completing a ${checksum.algorithm} upload without objectChecksumOf`);
  }
  const value = options.objectChecksumOf(checksum.algorithm, checksum.type, partChecksums);
  return checksumMetaSys(
    { [checksum.algorithm]: value },
    checksum.type,
    parts.map((part) => ({ [checksum.algorithm]: part.checksums!.get(checksum.algorithm)! })),
  );
}

/** The final version: the upload's layout and data dir, the listed parts, the multipart ETag. */
function completedVersion(
  ctx: SetContext,
  upload: ObjectVersion,
  parts: PartMeta[],
  versioning: VersioningState,
): ObjectVersion {
  const sizeBytes = parts.reduce((sum, part) => sum + part.sizeBytes, 0);
  const actualBytes = parts.reduce((sum, part) => sum + part.actualSizeBytes, 0);
  const metaSys = new Map(upload.metaSys);
  metaSys.delete(uploadObjectKey);
  metaSys.delete(uploadChecksumKey);
  metaSys.delete(uploadChecksumTypeKey);
  metaSys.set(actualSizeKey, metaSysText(String(actualBytes)));
  const metaUser = new Map(upload.metaUser);
  metaUser.set(
    "etag",
    multipartEtag(parts.map((part) => etagMd5Bytes(part.etag) ?? new Uint8Array(16))),
  );
  return {
    ...upload,
    versionId: versioning === "Enabled" ? ctx.randomUuid() : "",
    parts: parts.map((part) => ({
      number: part.number,
      etag: "",
      sizeBytes: part.sizeBytes,
      actualSizeBytes: part.actualSizeBytes,
    })),
    sizeBytes,
    modTimeNs: ctx.clock.nowNs(),
    metaSys,
    metaUser,
  };
}

async function pruneUploadDataDir(
  drive: SetContext["drives"][number],
  dir: string,
  parts: PartMeta[],
): Promise<void> {
  const keep = new Set(parts.map((part) => `part.${part.number}`));
  const names = await drive.listDir(systemVolume, dir);
  for (const name of names) {
    if (keep.has(name)) continue;
    await drive.deletePath(systemVolume, `${dir}/${name.replace(/\/$/, "")}`, { recursive: true });
  }
}

/** Uploads of `bucket` whose key starts with `prefix`, read from this set's drives. */
export async function listMultipartUploads(
  ctx: SetContext,
  bucket: string,
  prefix: string,
): Promise<MultipartUploadInfo[]> {
  const hashDirs = await unionListDir(ctx, "multipart");
  const uploads: MultipartUploadInfo[] = [];
  let scanned = 0;
  for (const hashDir of hashDirs) {
    for (const uploadUuid of await unionListDir(ctx, `multipart/${hashDir}`)) {
      if (++scanned > multipartUploadsScanMax) return sortUploads(uploads);
      const info = await readUploadInfo(ctx, `multipart/${hashDir}/${uploadUuid}`, uploadUuid);
      if (info === undefined || info.bucket !== bucket) continue;
      if (!info.key.startsWith(prefix)) continue;
      uploads.push(info);
    }
  }
  return sortUploads(uploads);
}

function sortUploads(uploads: MultipartUploadInfo[]): MultipartUploadInfo[] {
  return uploads.sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime()
  );
}

async function unionListDir(ctx: SetContext, path: string): Promise<string[]> {
  const outcomes = await onAllDrives(ctx.drives, (drive) => drive.listDir(systemVolume, path));
  const names = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.ok) {
      for (const name of outcome.value) if (name.endsWith("/")) names.add(name.slice(0, -1));
    }
  }
  return [...names].sort();
}

async function readUploadInfo(
  ctx: SetContext,
  dir: string,
  uploadUuid: string,
): Promise<MultipartUploadInfo | undefined> {
  const found = await readAllMetadata(ctx.drives, systemVolume, dir);
  const version = found.metas.find((meta) => meta !== undefined)?.versions[0];
  if (version === undefined || version.kind !== "object") return undefined;
  const objectName = version.metaSys.get(uploadObjectKey);
  if (objectName === undefined) return undefined;
  const full = textDecoder.decode(objectName);
  const slash = full.indexOf("/");
  const info = toObjectInfo(full.slice(0, slash), full.slice(slash + 1), version, {
    versioning: "Unversioned",
    isLatest: true,
  });
  return {
    bucket: full.slice(0, slash),
    key: decodeDirObject(full.slice(slash + 1)),
    uploadId: encodeUploadId(ctx.deploymentId, uploadUuid),
    initiated: info.modTime,
    metadata: { ...info.metadata, "content-type": info.contentType },
  };
}

/**
 * Remove every upload of `bucket` from this set (DeleteBucket): the uploads are found by the
 * bucket named in their xl.meta (`multipart/<sha256(bucket/key)>` cannot be reversed).
 * Returns how many were removed. A crash part-way leaves uploads of a bucket that no longer
 * exists, which ListMultipartUploads never shows and the stale-upload cleanup removes.
 */
export async function deleteBucketUploads(ctx: SetContext, bucket: string): Promise<number> {
  let removed = 0;
  let scanned = 0;
  for (const hashDir of await unionListDir(ctx, "multipart")) {
    for (const uploadUuid of await unionListDir(ctx, `multipart/${hashDir}`)) {
      if (++scanned > multipartUploadsScanMax) return removed;
      const dir = `multipart/${hashDir}/${uploadUuid}`;
      const info = await readUploadInfo(ctx, dir, uploadUuid);
      if (info?.bucket !== bucket) continue;
      await onAllDrives(
        ctx.drives,
        (drive) => drive.deletePath(systemVolume, dir, { recursive: true }),
      );
      removed += 1;
    }
  }
  return removed;
}

/**
 * Remove uploads started more than `maxAgeMs` ago (the start time is in the upload uuid,
 * "<uuid>x<nanos>"). Returns how many were removed. A crash part-way leaves some upload dirs
 * for the next run.
 */
export async function cleanupStaleUploads(ctx: SetContext, maxAgeMs: number): Promise<number> {
  const cutoffNs = ctx.clock.nowNs() - BigInt(maxAgeMs) * 1_000_000n;
  let removed = 0;
  let scanned = 0;
  for (const hashDir of await unionListDir(ctx, "multipart")) {
    for (const uploadUuid of await unionListDir(ctx, `multipart/${hashDir}`)) {
      if (++scanned > multipartUploadsScanMax) return removed;
      const match = /x([0-9]{1,20})$/.exec(uploadUuid);
      if (match === null || BigInt(match[1]) >= cutoffNs) continue;
      await onAllDrives(
        ctx.drives,
        (drive) =>
          drive.deletePath(systemVolume, `multipart/${hashDir}/${uploadUuid}`, { recursive: true }),
      );
      removed += 1;
    }
  }
  return removed;
}
