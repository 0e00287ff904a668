/**
 * GetObject / HeadObject on one erasure set: metadata from all drives under the read lock,
 * the version chosen by quorum, then shards streamed block by block without the lock.
 */
import { ReedSolomon } from "../kernels/mod.ts";
import type { StorageDrive } from "../drive/storage_drive.ts";
import type { ObjectVersion } from "../metadata/types.ts";
import { inlineKey } from "./commit.ts";
import {
  BlockDecoder,
  inlineSource,
  readerSource,
  type ReadPart,
  type ShardSource,
  streamRange,
} from "./erasure_decode.ts";
import { storedVersionId, toObjectInfo } from "./object_info.ts";
import {
  type GetObjectOptions,
  ObjectError,
  type ObjectInfo,
  type ObjectReader,
  type VersioningState,
} from "./object_layer.ts";
import {
  type DriveMetas,
  type PickedVersion,
  pickVersion,
  readAllMetadata,
} from "./read_metadata.ts";
import { decodeDirObject } from "./placement.ts";
import { objectResource, type SetContext } from "./set_context.ts";

export interface ReadOptions extends GetObjectOptions {
  versioning: VersioningState;
}

/**
 * The one preamble of reads and in-place updates: under the key's lock (`mode`), read every
 * drive's xl.meta, pick the requested version by quorum (NoSuchKey / NoSuchVersion /
 * ReadQuorum as `pickVersion` throws them), and run `body` with both before unlocking.
 */
export async function withPickedVersion<T>(
  ctx: SetContext,
  target: { bucket: string; path: string; mode: "read" | "write" },
  options: { versionId?: string; versioning: VersioningState },
  body: (found: DriveMetas, picked: PickedVersion) => Promise<T> | T,
): Promise<T> {
  const { bucket, path } = target;
  const unlock = await ctx.locks.lock(objectResource(bucket, path), target.mode);
  try {
    const found = await readAllMetadata(ctx.drives, bucket, path);
    const picked = pickVersion(found, {
      ...(options.versionId === undefined ? {} : { versionId: storedVersionId(options.versionId) }),
      versioning: options.versioning,
      allowDeleteMarker: false,
      what: `${bucket}/${path}`,
    });
    return await body(found, picked);
  } finally {
    unlock();
  }
}

/** Metadata of the requested version, chosen under the read lock; queues a heal for stale drives. */
export async function resolveVersion(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: ReadOptions,
): Promise<{ found: DriveMetas; picked: PickedVersion }> {
  return await withPickedVersion(ctx, { bucket, path, mode: "read" }, options, (found, picked) => {
    const stale = picked.copies.some((copy, position) =>
      copy === undefined && found.states[position] !== "offline"
    );
    if (stale) ctx.queueHeal(bucket, path, picked.version.versionId);
    return { found, picked };
  });
}

export async function getObjectInfo(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: ReadOptions,
): Promise<ObjectInfo> {
  const { picked } = await resolveVersion(ctx, bucket, path, options);
  const info = toObjectInfo(bucket, decodeDirObject(path), picked.version, {
    versioning: options.versioning,
    isLatest: picked.isLatest,
  });
  if (options.partNumber !== undefined) partRange(requireObject(picked, path), options.partNumber);
  return info;
}

export async function getObject(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: ReadOptions,
): Promise<ObjectReader> {
  const { found, picked } = await resolveVersion(ctx, bucket, path, options);
  const version = requireObject(picked, path);
  const info = toObjectInfo(bucket, decodeDirObject(path), version, {
    versioning: options.versioning,
    isLatest: picked.isLatest,
  });
  const range = options.partNumber !== undefined
    ? partRange(version, options.partNumber)
    : options.range ?? { start: 0, end: version.sizeBytes - 1 };
  if (range.start < 0 || range.end >= version.sizeBytes || range.start > range.end + 1) {
    throw new ObjectError(
      "InvalidRange",
      `Cannot serve bytes ${range.start}-${range.end} of ${version.sizeBytes}`,
    );
  }
  const parts = readParts(ctx, { bucket, path, found, picked, version });
  return {
    info,
    start: range.start,
    end: range.end,
    body: streamRange(parts, range, version.erasure.blockSizeBytes),
  };
}

function requireObject(picked: PickedVersion, path: string): ObjectVersion {
  if (picked.version.kind !== "object") {
    throw new ObjectError(
      "ReadQuorum",
      `Cannot read "${path}": legacy (V1) object data is not supported`,
    );
  }
  return picked.version;
}

/** Byte range of part `partNumber` (1-based position in the part list, as S3 counts). */
function partRange(version: ObjectVersion, partNumber: number): { start: number; end: number } {
  if (partNumber < 1 || partNumber > Math.max(version.parts.length, 1)) {
    throw new ObjectError(
      "InvalidPartNumber",
      `Cannot read part ${partNumber}: the object has ${version.parts.length}`,
    );
  }
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += version.parts[i].sizeBytes;
  return {
    start,
    end: start + (version.parts[partNumber - 1]?.sizeBytes ?? version.sizeBytes) - 1,
  };
}

/** One decoder per part, each drive's shard taken from its own EcIndex. */
export function readParts(
  ctx: SetContext,
  input: {
    bucket: string;
    path: string;
    found: DriveMetas;
    picked: PickedVersion;
    version: ObjectVersion;
  },
): ReadPart[] {
  const { version } = input;
  const rs = new ReedSolomon(version.erasure.dataShards, version.erasure.parityShards);
  const geometry = {
    dataShards: version.erasure.dataShards,
    parityShards: version.erasure.parityShards,
    blockSizeBytes: version.erasure.blockSizeBytes,
  };
  let healQueued = false;
  const onBadShard = () => {
    if (healQueued) return;
    healQueued = true;
    ctx.queueHeal(input.bucket, input.path, version.versionId);
  };
  return version.parts.map((part) => ({
    sizeBytes: part.sizeBytes,
    decoder: new BlockDecoder(
      rs,
      geometry,
      shardSources(ctx.drives, input, part.number),
      onBadShard,
    ),
  }));
}

/** Per 0-based shard index: where that shard of part `partNumber` can be read. */
export function shardSources(
  drives: readonly StorageDrive[],
  input: {
    bucket: string;
    path: string;
    found: DriveMetas;
    picked: PickedVersion;
    version: ObjectVersion;
  },
  partNumber: number,
): (ShardSource | null)[] {
  const shardCount = input.version.erasure.dataShards + input.version.erasure.parityShards;
  const sources: (ShardSource | null)[] = new Array(shardCount).fill(null);
  input.picked.copies.forEach((copy, position) => {
    if (copy === undefined || copy.kind !== "object") return;
    const index = copy.erasure.index - 1;
    if (index < 0 || index >= shardCount || sources[index] !== null) return;
    const inline = input.found.metas[position]?.inlineData.get(inlineKey(copy.versionId));
    sources[index] = inline !== undefined && input.version.parts.length === 1
      ? inlineSource(inline)
      : fileSource(
        drives[position],
        input.bucket,
        `${input.path}/${copy.dataDir}/part.${partNumber}`,
      );
  });
  return sources;
}

/** The shard file, opened once at its first read and closed with the decoder. */
function fileSource(drive: StorageDrive, volume: string, path: string): ShardSource {
  return readerSource(() => drive.openShardReader(volume, path));
}
