/**
 * Sizes of blocks, shards and bitrot-framed shard files (spec §6.3, §7.3).
 *
 * An object part of S bytes is cut into blocks of B bytes (the last one shorter); block k is
 * split into D shards of ceil(len/D) bytes; each drive's shard file holds, per block,
 * a 32-byte HighwayHash followed by that block's shard.
 */
import { bitrotHashBytes } from "../limits.ts";

export interface Geometry {
  dataShards: number;
  parityShards: number;
  blockSizeBytes: number;
}

/** Shard bytes of a full block: ceil(B / D). */
export function shardSizeBytes(geometry: Geometry): number {
  return Math.ceil(geometry.blockSizeBytes / geometry.dataShards);
}

/** Shard bytes (without hashes) one drive stores for a part of `partSizeBytes`. */
export function shardFileSizeBytes(geometry: Geometry, partSizeBytes: number): number {
  if (partSizeBytes < 0) return -1;
  const fullBlocks = Math.floor(partSizeBytes / geometry.blockSizeBytes);
  const tailBytes = partSizeBytes % geometry.blockSizeBytes;
  return fullBlocks * shardSizeBytes(geometry) + Math.ceil(tailBytes / geometry.dataShards);
}

/** Bytes of the bitrot-framed shard file for a part: shard bytes plus one hash per block. */
export function framedFileSizeBytes(geometry: Geometry, partSizeBytes: number): number {
  if (partSizeBytes < 0) return -1;
  return shardFileSizeBytes(geometry, partSizeBytes) +
    blockCount(geometry, partSizeBytes) * bitrotHashBytes;
}

export function blockCount(geometry: Geometry, partSizeBytes: number): number {
  return Math.ceil(partSizeBytes / geometry.blockSizeBytes);
}

/** Where block `blockIndex` of a part lies: its data length, shard length and frame offset. */
export function blockLayout(
  geometry: Geometry,
  partSizeBytes: number,
  blockIndex: number,
): { blockBytes: number; shardBytes: number; frameOffset: number; frameBytes: number } {
  const blockBytes = Math.min(
    geometry.blockSizeBytes,
    partSizeBytes - blockIndex * geometry.blockSizeBytes,
  );
  const shardBytes = Math.ceil(blockBytes / geometry.dataShards);
  const frameOffset = blockIndex * (shardSizeBytes(geometry) + bitrotHashBytes);
  return { blockBytes, shardBytes, frameOffset, frameBytes: bitrotHashBytes + shardBytes };
}
