/**
 * PutObject on one erasure set (spec §8.1): stage shards (or inline frames), then commit
 * under the write lock. The same staging is used by PutObjectPart (`stageShards`).
 */
import { type ErasureWorkspacePool, ReedSolomon } from "../kernels/mod.ts";
import type { ShardFileWriter } from "../drive/storage_drive.ts";
import {
  blockSizeBytes,
  inlineShardMaxBytes,
  inlineShardMaxBytesVersioned,
  putObjectMaxBytes,
} from "../limits.ts";
import type { ObjectVersion, Version } from "../metadata/types.ts";
import { commitVersion, inlineKey } from "./commit.ts";
import { type EncodeResult, encodeToSinks, InlineSink, type ShardSink } from "./erasure_encode.ts";
import { framedFileSizeBytes, type Geometry, shardFileSizeBytes } from "./erasure_geometry.ts";
import {
  buildMetaUser,
  checksumMetaSys,
  erasureUpgradedKey,
  inlineDataKey,
  metaSysText,
  metaUserValue,
  toObjectInfo,
} from "./object_info.ts";
import {
  ObjectError,
  type ObjectInfo,
  type PutObjectOptions,
  type VersioningState,
} from "./object_layer.ts";
import { decodeDirObject, hashOrder } from "./placement.ts";
import { maxParity, onAllDrives, parityForNewObject, writeQuorum } from "./quorum.ts";
import { type DriveMetas, pickVersion, readAllMetadata } from "./read_metadata.ts";
import { objectResource, onlineDrives, type SetContext, systemVolume } from "./set_context.ts";

export interface PutOptions extends PutObjectOptions {
  versioning: VersioningState;
  /** Internal config objects use parity N/2 (MinIO "MaxParity"). */
  maxParity?: boolean;
}

/** Erasure layout of a new object: parity (raised for offline drives), distribution, quorum. */
export interface Layout {
  geometry: Geometry;
  distribution: number[];
  writeQuorum: number;
  online: boolean[];
  upgradedFrom?: number;
}

export async function chooseLayout(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: { storageClass?: string; maxParity?: boolean },
): Promise<Layout> {
  const driveCount = ctx.drives.length;
  const online = await onlineDrives(ctx.drives);
  const classParity = options.maxParity
    ? maxParity(driveCount)
    : options.storageClass === "REDUCED_REDUNDANCY"
    ? ctx.rrsParity
    : ctx.standardParity;
  const { parityShards, upgradedFrom } = parityForNewObject({
    driveCount,
    classParity,
    offlineCount: online.filter((isOnline) => !isOnline).length,
  });
  const dataShards = driveCount - parityShards;
  return {
    geometry: { dataShards, parityShards, blockSizeBytes },
    distribution: hashOrder(`${bucket}/${path}`, driveCount),
    writeQuorum: writeQuorum(dataShards, parityShards),
    online,
    ...(upgradedFrom === undefined ? {} : { upgradedFrom }),
  };
}

export async function putObject(
  ctx: SetContext,
  bucket: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  options: PutOptions,
): Promise<ObjectInfo> {
  const layout = await chooseLayout(ctx, bucket, path, options);
  const threshold = options.versioning === "Enabled"
    ? inlineShardMaxBytesVersioned
    : inlineShardMaxBytes;
  const inline = options.sizeBytes >= 0 &&
    shardFileSizeBytes(layout.geometry, options.sizeBytes) <= threshold;
  const dataDir = ctx.randomUuid();
  const stagingPath = `tmp/${ctx.randomUuid()}`;
  try {
    // Step 1: stage. Shards go to `.minio.sys/tmp/<uniqueId>/<dataDir>/part.1` (fsynced on
    // close) or to memory when inline. A crash here leaves only tmp leftovers, removed at
    // the next start; the bucket is untouched.
    const staged = await stageShards(ctx, body, {
      layout,
      inline,
      shardPath: `${stagingPath}/${dataDir}/part.1`,
      declaredSizeBytes: options.sizeBytes,
      maxSizeBytes: putObjectMaxBytes,
    });
    if (options.md5Hex !== undefined && options.md5Hex.toLowerCase() !== staged.encoded.md5Hex) {
      throw new ObjectError(
        "BadDigest",
        `Cannot store ${bucket}/${path}: the body's MD5 differs from Content-MD5`,
      );
    }
    const version = newObjectVersion(ctx, {
      layout,
      dataDir,
      inline,
      encoded: staged.encoded,
      options,
    });
    // Step 2: commit under the write lock (see commit.ts for what a crash leaves).
    const unlock = await ctx.locks.lock(objectResource(bucket, path), "write");
    try {
      const current = await readAllMetadata(ctx.drives, bucket, path);
      checkConditions(current, options, `${bucket}/${path}`);
      const result = await commitVersion(ctx.drives, {
        volume: bucket,
        path,
        versionFor: (position) =>
          staged.failures[position] === undefined
            ? withIndex(version, layout.distribution[position])
            : null,
        ...(inline ? { inlineFor: (position: number) => staged.inline?.[position]?.bytes() } : {}),
        ...(inline
          ? {}
          : { staged: { volume: systemVolume, path: `${stagingPath}/${dataDir}`, dataDir } }),
        current,
        writeQuorum: layout.writeQuorum,
        what: `${bucket}/${path}`,
      });
      if (result.failedPositions.length > 0) ctx.queueHeal(bucket, path, version.versionId);
    } finally {
      unlock();
    }
    return toObjectInfo(bucket, decodeDirObject(path), version, {
      versioning: options.versioning,
      isLatest: true,
    });
  } finally {
    // Step 3: remove the staging dir (already empty after a commit). A crash before this
    // leaves an empty tmp dir, removed at the next start.
    if (!inline) await removeStaging(ctx, stagingPath);
  }
}

export async function removeStaging(ctx: SetContext, stagingPath: string): Promise<void> {
  await onAllDrives(
    ctx.drives,
    (drive) => drive.deletePath(systemVolume, stagingPath, { recursive: true }),
  );
}

/** A drive position's copy of a version: the same version with this drive's EcIndex. */
export function withIndex(version: ObjectVersion, shardIndex: number): ObjectVersion {
  return { ...version, erasure: { ...version.erasure, index: shardIndex } };
}

export interface StagedShards {
  encoded: EncodeResult;
  /** Per drive position: why staging failed there, undefined when its shard is durable. */
  failures: (unknown | undefined)[];
  inline?: (InlineSink | null)[];
}

/** Erasure-code `body` into shard files at `<.minio.sys>/<shardPath>` (or inline sinks). */
export async function stageShards(
  ctx: SetContext,
  body: ReadableStream<Uint8Array>,
  options: {
    layout: Layout;
    inline: boolean;
    shardPath: string;
    declaredSizeBytes: number;
    maxSizeBytes: number;
  },
): Promise<StagedShards> {
  const { layout } = options;
  const rs = new ReedSolomon(layout.geometry.dataShards, layout.geometry.parityShards);
  if (options.inline) {
    const sinks = layout.online.map((isOnline) => (isOnline ? new InlineSink() : null));
    const encoded = await encodeToSinks(
      body,
      sinkOptions(rs, layout, sinks, options, ctx.workspacePool),
    );
    return { encoded, failures: encoded.failures, inline: sinks };
  }
  const sizeHint = framedFileSizeBytes(layout.geometry, options.declaredSizeBytes);
  const writers = await Promise.all(ctx.drives.map(async (drive, position) => {
    if (!layout.online[position]) return null;
    try {
      return await drive.createShardFile(systemVolume, options.shardPath, sizeHint);
    } catch {
      return null;
    }
  }));
  try {
    const encoded = await encodeToSinks(
      body,
      sinkOptions(rs, layout, writers, options, ctx.workspacePool),
    );
    const failures = await closeWriters(writers, encoded.failures);
    const healthy = failures.filter((failure) => failure === undefined).length;
    if (healthy < layout.writeQuorum) {
      throw new ObjectError(
        "WriteQuorum",
        `Cannot make the shards durable: ${healthy} drives succeeded`,
      );
    }
    return { encoded, failures };
  } catch (error) {
    await Promise.all(writers.map((writer) => writer?.abort()));
    throw error;
  }
}

function sinkOptions(
  rs: ReedSolomon,
  layout: Layout,
  sinks: (ShardSink | null)[],
  options: { declaredSizeBytes: number; maxSizeBytes: number },
  workspacePool: ErasureWorkspacePool | undefined,
) {
  return {
    rs,
    blockSizeBytes: layout.geometry.blockSizeBytes,
    sinks,
    distribution: layout.distribution,
    writeQuorum: layout.writeQuorum,
    declaredSizeBytes: options.declaredSizeBytes,
    maxSizeBytes: options.maxSizeBytes,
    ...(workspacePool === undefined ? {} : { workspacePool }),
  };
}

async function closeWriters(
  writers: (ShardFileWriter | null)[],
  failures: (unknown | undefined)[],
): Promise<(unknown | undefined)[]> {
  return await Promise.all(writers.map(async (writer, position) => {
    if (writer === null) return failures[position] ?? new Error("shard file not created");
    if (failures[position] !== undefined) {
      await writer.abort();
      return failures[position];
    }
    try {
      await writer.close();
      return undefined;
    } catch (error) {
      return error;
    }
  }));
}

function newObjectVersion(
  ctx: SetContext,
  input: {
    layout: Layout;
    dataDir: string;
    inline: boolean;
    encoded: EncodeResult;
    options: PutOptions;
  },
): ObjectVersion {
  const { layout, encoded, options } = input;
  const metaSys = new Map<string, Uint8Array>(
    checksumMetaSys(options.checksums, options.checksumType),
  );
  if (input.inline) metaSys.set(inlineDataKey, metaSysText("true"));
  if (layout.upgradedFrom !== undefined) {
    metaSys.set(
      erasureUpgradedKey,
      metaSysText(`${layout.upgradedFrom}->${layout.geometry.parityShards}`),
    );
  }
  return {
    kind: "object",
    versionId: options.versioning === "Enabled" ? ctx.randomUuid() : "",
    dataDir: input.dataDir,
    erasure: { ...layout.geometry, index: 0, distribution: layout.distribution },
    parts: [{
      number: 1,
      etag: "",
      sizeBytes: encoded.sizeBytes,
      actualSizeBytes: encoded.sizeBytes,
    }],
    sizeBytes: encoded.sizeBytes,
    modTimeNs: ctx.clock.nowNs(),
    metaSys,
    metaUser: buildMetaUser(options, encoded.md5Hex),
  };
}

/** If-Match / If-None-Match against the current latest version, evaluated under the lock. */
export function checkConditions(
  current: DriveMetas,
  options: { ifMatchEtag?: string; ifNoneMatch?: string; versioning: VersioningState },
  what: string,
): void {
  if (options.ifMatchEtag === undefined && options.ifNoneMatch === undefined) return;
  let latest: Version | undefined;
  try {
    latest = pickVersion(current, { versioning: options.versioning, allowDeleteMarker: true, what })
      .version;
  } catch (error) {
    if (!(error instanceof ObjectError) || error.code !== "NoSuchKey") throw error;
  }
  const etag = latest?.kind === "object" ? metaUserValue(latest, "etag") ?? "" : undefined;
  if (options.ifMatchEtag !== undefined) {
    if (etag === undefined) {
      throw new ObjectError("NoSuchKey", `Cannot write ${what} with If-Match: no such object`);
    }
    if (unquote(options.ifMatchEtag) !== etag && options.ifMatchEtag !== "*") {
      throw new ObjectError("PreconditionFailed", `Cannot write ${what}: If-Match does not match`);
    }
  }
  if (options.ifNoneMatch !== undefined && etag !== undefined) {
    if (options.ifNoneMatch === "*" || unquote(options.ifNoneMatch) === etag) {
      throw new ObjectError("PreconditionFailed", `Cannot write ${what}: If-None-Match matches`);
    }
  }
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

export { inlineKey };
