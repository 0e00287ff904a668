/**
 * healObject (spec §8.4): for each version of an object, find the drives whose copy is
 * missing, stale or whose shards are missing/corrupt, rebuild their shards block by block
 * from D good ones, stage them in tmp (or inline), and commit each healed drive with
 * `renameData`. Versions present on too few drives while the rest say "not found" are
 * dangling remnants of failed writes and are removed instead.
 */
import { bitrotKey, highwayHash256Batch, ReedSolomon } from "../kernels/mod.ts";
import type { StorageDrive } from "../drive/storage_drive.ts";
import { addVersion, deleteVersion, encodeXlMeta } from "../metadata/xl_meta.ts";
import type { ObjectVersion, Version, XlMeta } from "../metadata/types.ts";
import { bitrotHashBytes } from "../limits.ts";
import { inlineKey } from "./commit.ts";
import { BlockDecoder, readerSource, type ShardSource } from "./erasure_decode.ts";
import { InlineSink } from "./erasure_encode.ts";
import { blockCount, framedFileSizeBytes, type Geometry } from "./erasure_geometry.ts";
import { inlineDataKey } from "./object_info.ts";
import { ObjectError } from "./object_layer.ts";
import { withIndex } from "./put_object.ts";
import { onAllDrives } from "./quorum.ts";
import {
  type DriveMetas,
  readAllMetadata,
  sameVersion,
  versionReadQuorum,
} from "./read_metadata.ts";
import { shardSources } from "./get_object.ts";
import { objectResource, type SetContext, systemVolume } from "./set_context.ts";

export interface HealResult {
  bucket: string;
  key: string;
  versionsChecked: number;
  shardsHealed: number;
  drivesHealed: number;
  state: "ok" | "healed" | "unrecoverable" | "dangling-removed";
}

type VersionOutcome = { kind: "ok" } | { kind: "healed"; drives: number[]; shards: number } | {
  kind: "unrecoverable";
} | { kind: "dangling" };

/** `versionId` in stored form ("" = null version); undefined heals every version. */
export async function healObject(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: { versionId?: string; deep: boolean },
): Promise<HealResult> {
  const unlock = await ctx.locks.lock(objectResource(bucket, path), "write");
  try {
    const found = await readAllMetadata(ctx.drives, bucket, path);
    const ids = versionIds(found, options.versionId);
    if (ids.length === 0) {
      throw new ObjectError("NoSuchKey", `Cannot heal ${bucket}/${path}: no drive holds it`);
    }
    const healedDrives = new Set<number>();
    let shardsHealed = 0;
    const kinds = new Set<VersionOutcome["kind"]>();
    for (const versionId of ids) {
      const outcome = await healVersion(ctx, {
        bucket,
        path,
        found,
        versionId,
        deep: options.deep,
      });
      kinds.add(outcome.kind);
      if (outcome.kind === "healed") {
        outcome.drives.forEach((d) => healedDrives.add(d));
        shardsHealed += outcome.shards;
      }
    }
    return {
      bucket,
      key: path,
      versionsChecked: ids.length,
      shardsHealed,
      drivesHealed: healedDrives.size,
      state: kinds.has("unrecoverable")
        ? "unrecoverable"
        : kinds.has("healed")
        ? "healed"
        : kinds.has("dangling")
        ? "dangling-removed"
        : "ok",
    };
  } finally {
    unlock();
  }
}

function versionIds(found: DriveMetas, only: string | undefined): string[] {
  const ids = new Set<string>();
  for (const meta of found.metas) {
    for (const version of meta?.versions ?? []) ids.add(version.versionId);
  }
  if (only !== undefined) return ids.has(only) ? [only] : [];
  return [...ids];
}

async function healVersion(
  ctx: SetContext,
  input: { bucket: string; path: string; found: DriveMetas; versionId: string; deep: boolean },
): Promise<VersionOutcome> {
  const { found } = input;
  const driveCount = ctx.drives.length;
  const all = found.metas.map((meta) =>
    meta?.versions.find((v) => v.versionId === input.versionId)
  );
  const reference = mostCommon(all);
  if (reference === undefined || reference.kind === "legacy") return { kind: "ok" };
  const copies = all.map((
    copy,
  ) => (copy !== undefined && sameVersion(copy, reference) ? copy : undefined));
  const agreeing = copies.filter((copy) => copy !== undefined).length;
  const unknown = found.states.filter((state) => state === "offline" || state === "corrupt").length;
  if (agreeing < versionReadQuorum(reference, driveCount)) {
    // Drives that could not answer might hold the missing copies: leave the version alone.
    if (unknown > 0) return { kind: "unrecoverable" };
    // Dangling: the write never reached quorum and every other drive said "not found".
    await removeVersionFrom(ctx, input, copies);
    return { kind: "dangling" };
  }
  const bad = await badShardPositions(ctx, input, reference, copies);
  const targets = ctx.drives.map((_, d) => d).filter((d) =>
    found.states[d] !== "offline" && (copies[d] === undefined || bad.has(d))
  );
  if (targets.length === 0) return { kind: "ok" };
  if (reference.kind === "deleteMarker") {
    await commitHealed(ctx, input, targets, () => reference, () => undefined, undefined);
    return { kind: "healed", drives: targets, shards: 0 };
  }
  return await rebuildShards(ctx, input, { reference, copies, bad, targets });
}

function mostCommon(copies: (Version | undefined)[]): Version | undefined {
  let best: Version | undefined;
  let bestCount = 0;
  for (const candidate of copies) {
    if (candidate === undefined) continue;
    const count = copies.filter((c) => c !== undefined && sameVersion(c, candidate)).length;
    if (
      count > bestCount ||
      (count === bestCount && best !== undefined && candidate.modTimeNs > best.modTimeNs)
    ) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Drive positions whose copy agrees but whose shard of some part is missing or corrupt. */
async function badShardPositions(
  ctx: SetContext,
  input: { bucket: string; path: string; found: DriveMetas; deep: boolean },
  reference: Version,
  copies: (Version | undefined)[],
): Promise<Set<number>> {
  const bad = new Set<number>();
  if (reference.kind !== "object") return bad;
  const geometry = geometryOf(reference);
  await Promise.all(copies.map(async (copy, position) => {
    if (copy === undefined || copy.kind !== "object") return;
    const inline = input.found.metas[position]?.inlineData.get(inlineKey(copy.versionId));
    for (const part of reference.parts) {
      const ok = await shardIntact(ctx.drives[position], {
        volume: input.bucket,
        path: `${input.path}/${copy.dataDir}/part.${part.number}`,
        inline: reference.parts.length === 1 ? inline : undefined,
        geometry,
        partSizeBytes: part.sizeBytes,
        deep: input.deep,
      });
      if (!ok) {
        bad.add(position);
        return;
      }
    }
  }));
  return bad;
}

async function shardIntact(
  drive: StorageDrive,
  input: {
    volume: string;
    path: string;
    inline: Uint8Array | undefined;
    geometry: Geometry;
    partSizeBytes: number;
    deep: boolean;
  },
): Promise<boolean> {
  const expectedBytes = framedFileSizeBytes(input.geometry, input.partSizeBytes);
  let source: ShardSource;
  if (input.inline !== undefined) {
    if (input.inline.length !== expectedBytes) return false;
    const bytes = input.inline;
    source = {
      readFrame: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    };
  } else {
    try {
      const { sizeBytes } = await drive.statFile(input.volume, input.path);
      if (sizeBytes !== expectedBytes) return false;
    } catch {
      return false;
    }
    source = readerSource(() => drive.openShardReader(input.volume, input.path));
  }
  if (!input.deep) return true;
  try {
    return await framesVerify(source, input.geometry, input.partSizeBytes);
  } finally {
    await source.close?.();
  }
}

/** Every frame of one shard stream matches its HighwayHash (the deep check). */
async function framesVerify(
  source: ShardSource,
  geometry: Geometry,
  partSizeBytes: number,
): Promise<boolean> {
  const shardSize = Math.ceil(geometry.blockSizeBytes / geometry.dataShards);
  for (let block = 0; block < blockCount(geometry, partSizeBytes); block++) {
    const blockBytes = Math.min(
      geometry.blockSizeBytes,
      partSizeBytes - block * geometry.blockSizeBytes,
    );
    const frameBytes = bitrotHashBytes + Math.ceil(blockBytes / geometry.dataShards);
    let frame: Uint8Array;
    try {
      frame = await source.readFrame(block * (shardSize + bitrotHashBytes), frameBytes);
    } catch {
      return false;
    }
    const actual = highwayHash256Batch(bitrotKey, [frame.subarray(bitrotHashBytes)]);
    for (let i = 0; i < bitrotHashBytes; i++) if (actual[i] !== frame[i]) return false;
  }
  return true;
}

function geometryOf(version: ObjectVersion): Geometry {
  const { dataShards, parityShards, blockSizeBytes } = version.erasure;
  return { dataShards, parityShards, blockSizeBytes };
}

/** Where one target drive's rebuilt shard of a part goes; `failed` drops the drive from this heal. */
interface TargetSink {
  position: number;
  write(frame: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Rebuild every part's shards for the target drives: read D good shards per block from the
 * other drives, reconstruct all, frame the targets' shards (one hash batch per block), and
 * stream them into tmp files (or inline buffers), then commit per drive. A target whose
 * writes fail is left out; the others are still healed.
 */
async function rebuildShards(
  ctx: SetContext,
  input: { bucket: string; path: string; found: DriveMetas; versionId: string },
  plan: {
    reference: ObjectVersion;
    copies: (Version | undefined)[];
    bad: Set<number>;
    targets: number[];
  },
): Promise<VersionOutcome> {
  const { reference } = plan;
  const geometry = geometryOf(reference);
  const rs = new ReedSolomon(geometry.dataShards, geometry.parityShards);
  const inline = reference.metaSys.has(inlineDataKey) && reference.parts.length === 1;
  const stagingPath = `tmp/${ctx.randomUuid()}`;
  const shardIndexOf = (position: number) => reference.erasure.distribution[position];
  const picked = {
    version: reference,
    copies: plan.copies.map((copy, position) => (plan.bad.has(position) ? undefined : copy)),
    isLatest: false,
  };
  const inlineSinks = new Map<number, InlineSink>();
  const failed = new Set<number>();
  try {
    // Step 1: stage rebuilt shards in `.minio.sys/tmp/<uuid>/<dataDir>/part.N` on each
    // target. A crash here leaves tmp leftovers only; the object is as before.
    for (const part of reference.parts) {
      const sources = shardSources(
        ctx.drives,
        { ...input, picked, version: reference },
        part.number,
      );
      const decoder = new BlockDecoder(rs, geometry, sources, () => {});
      const live = plan.targets.filter((position) => !failed.has(position));
      const sinks = await openTargetSinks(ctx, {
        targets: live,
        inline,
        inlineSinks,
        path: `${stagingPath}/${reference.dataDir}/part.${part.number}`,
        sizeBytes: framedFileSizeBytes(geometry, part.sizeBytes),
        failed,
      });
      try {
        for (let block = 0; block < blockCount(geometry, part.sizeBytes); block++) {
          const shards = await decoder.readAllShards(part.sizeBytes, block);
          await writeTargetFrames(sinks, shards, shardIndexOf, failed);
        }
      } finally {
        await decoder.close();
        await Promise.all(
          sinks.map((sink) => (failed.has(sink.position) ? sink.abort() : sink.finish())),
        );
      }
    }
  } catch (error) {
    await removeStagingDir(ctx, stagingPath);
    if (error instanceof ObjectError && error.code === "ReadQuorum") {
      return { kind: "unrecoverable" };
    }
    throw error;
  }
  // Step 2: commit per target drive (see commitHealed for what a crash leaves).
  const healed = await commitHealed(
    ctx,
    input,
    plan.targets.filter((position) => !failed.has(position)),
    (position) => withIndex(reference, shardIndexOf(position)),
    (position) => inlineSinks.get(position)?.bytes(),
    inline
      ? undefined
      : { path: `${stagingPath}/${reference.dataDir}`, dataDir: reference.dataDir },
  );
  // Step 3: remove the staging dirs (empty after renameData). A crash before this leaves
  // empty tmp dirs, removed at the next start.
  await removeStagingDir(ctx, stagingPath);
  if (healed.length === 0) return { kind: "unrecoverable" };
  return { kind: "healed", drives: healed, shards: healed.length * reference.parts.length };
}

async function removeStagingDir(ctx: SetContext, stagingPath: string): Promise<void> {
  await onAllDrives(
    ctx.drives,
    (drive) => drive.deletePath(systemVolume, stagingPath, { recursive: true }),
  );
}

/** Frame the targets' shards of one block (one hash batch call) and write them in parallel. */
async function writeTargetFrames(
  sinks: TargetSink[],
  shards: Uint8Array[],
  shardIndexOf: (position: number) => number,
  failed: Set<number>,
): Promise<void> {
  const live = sinks.filter((sink) => !failed.has(sink.position));
  const wanted = live.map((sink) => shards[shardIndexOf(sink.position) - 1]);
  const hashes = highwayHash256Batch(bitrotKey, wanted);
  await Promise.all(live.map(async (sink, i) => {
    const frame = new Uint8Array(bitrotHashBytes + wanted[i].length);
    frame.set(hashes.subarray(i * bitrotHashBytes, (i + 1) * bitrotHashBytes));
    frame.set(wanted[i], bitrotHashBytes);
    try {
      await sink.write(frame);
    } catch {
      failed.add(sink.position);
    }
  }));
}

async function openTargetSinks(
  ctx: SetContext,
  input: {
    targets: number[];
    inline: boolean;
    inlineSinks: Map<number, InlineSink>;
    path: string;
    sizeBytes: number;
    failed: Set<number>;
  },
): Promise<TargetSink[]> {
  if (input.inline) {
    return input.targets.map((position) => {
      const sink = new InlineSink();
      input.inlineSinks.set(position, sink);
      const done = () => Promise.resolve();
      return { position, write: (frame) => sink.write(frame), finish: done, abort: done };
    });
  }
  const opened = await Promise.all(
    input.targets.map(async (position): Promise<TargetSink | undefined> => {
      try {
        const writer = await ctx.drives[position].createShardFile(
          systemVolume,
          input.path,
          input.sizeBytes,
        );
        return {
          position,
          write: (frame) => writer.write(frame),
          finish: () => writer.close().catch(() => void input.failed.add(position)),
          abort: () => writer.abort(),
        };
      } catch {
        input.failed.add(position);
        return undefined;
      }
    }),
  );
  return opened.filter((sink): sink is TargetSink => sink !== undefined);
}

/**
 * Commit the healed version on each target drive: its current xl.meta plus the version,
 * with the rebuilt data dir moved in. Per drive: remove the damaged data dir, then
 * renameData. A crash between the two leaves that drive without the shard it lacked anyway.
 */
async function commitHealed(
  ctx: SetContext,
  input: { bucket: string; path: string; found: DriveMetas },
  targets: number[],
  versionFor: (position: number) => Version,
  inlineFor: (position: number) => Uint8Array | undefined,
  staged: { path: string; dataDir: string } | undefined,
): Promise<number[]> {
  const healed: number[] = [];
  await Promise.all(targets.map(async (position) => {
    const drive = ctx.drives[position];
    const current = input.found.metas[position];
    const meta: XlMeta = current === undefined
      ? { versions: [], inlineData: new Map() }
      : { versions: [...current.versions], inlineData: new Map(current.inlineData) };
    const version = versionFor(position);
    const staleDataDir = replacedStaleDataDir(meta, version);
    addVersion(
      meta,
      version,
      inlineFor(position) ??
        (version.kind === "object" && staged === undefined ? new Uint8Array() : undefined),
    );
    try {
      if (staged !== undefined) {
        await drive.deletePath(input.bucket, `${input.path}/${staged.dataDir}`, {
          recursive: true,
        });
      }
      const xlMeta = encodeXlMeta(meta);
      await drive.renameData(input.bucket, input.path, {
        xlMeta,
        ...(staged === undefined ? {} : { stagedDataDir: { volume: systemVolume, ...staged } }),
      });
      input.found.metas[position] = meta;
      input.found.raw[position] = xlMeta;
      input.found.states[position] = "ok";
      healed.push(position);
      if (staleDataDir !== undefined) {
        await drive.deletePath(input.bucket, `${input.path}/${staleDataDir}`, { recursive: true });
      }
    } catch {
      // This drive stays unhealed; the next heal retries.
    }
  }));
  return healed.sort((a, b) => a - b);
}

/** The data dir of a stale copy of `version` on this drive that nothing else uses, if any. */
function replacedStaleDataDir(meta: XlMeta, version: Version): string | undefined {
  const stale = meta.versions.find((v) => v.versionId === version.versionId);
  if (stale?.kind !== "object") return undefined;
  if (version.kind === "object" && version.dataDir === stale.dataDir) return undefined;
  const shared = meta.versions.some((v) =>
    v !== stale && v.kind === "object" && v.dataDir === stale.dataDir
  );
  return shared ? undefined : stale.dataDir;
}

/** Remove a dangling version from the drives that hold it (rewrite or delete their xl.meta). */
async function removeVersionFrom(
  ctx: SetContext,
  input: { bucket: string; path: string; found: DriveMetas; versionId: string },
  _copies: (Version | undefined)[],
): Promise<void> {
  await onAllDrives(ctx.drives, async (drive, position) => {
    const current = input.found.metas[position];
    if (current === undefined) return;
    const meta: XlMeta = {
      versions: [...current.versions],
      inlineData: new Map(current.inlineData),
    };
    const removed = deleteVersion(meta, input.versionId);
    if (removed === undefined) return;
    if (meta.versions.length === 0) {
      await drive.deletePath(input.bucket, `${input.path}/xl.meta`, { recursive: false });
    } else {
      await drive.writeMetadata(input.bucket, input.path, encodeXlMeta(meta));
    }
    if (
      removed.kind === "object" &&
      !meta.versions.some((v) => v.kind === "object" && v.dataDir === removed.dataDir)
    ) {
      await drive.deletePath(input.bucket, `${input.path}/${removed.dataDir}`, { recursive: true });
    }
    input.found.metas[position] = meta;
  });
}
