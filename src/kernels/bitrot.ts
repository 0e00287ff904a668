/**
 * MinIO's streaming bitrot framing (spec §7): each shard chunk is written as
 * HighwayHash256(bitrotKey, chunk) ‖ chunk.
 */
import { bitrotHashBytes } from "../limits.ts";
import { kernels } from "./_wasm.ts";
import { checkOutputs, copyShards, copyShardsInto, type ReedSolomon } from "./reed_solomon.ts";

/**
 * MinIO's bitrot key (`magicHighwayHash256Key`, spec §7.1): HighwayHash-256 with the all-zero
 * key of the first 100 decimals of π (the derivation is checked in bitrot_test.ts).
 */
export const bitrotKey: Uint8Array = Uint8Array.from(
  "4be734fa8e238acd263e83e6bb968552040f935da39f441497e09d1322de36a0".match(/../g)!,
  (hex) => parseInt(hex, 16),
);

/**
 * The bitrot framing of one block in one call: RS-encode `block` and return D+P fresh buffers,
 * each = HighwayHash256(bitrotKey, shard) ‖ shard (the streaming bitrot frame of spec §7.2).
 * The buffers are views into one new ArrayBuffer. An empty block gives D+P empty buffers:
 * MinIO's bitrot writer writes nothing for it.
 */
export function encodeFramedBlock(rs: ReedSolomon, block: Uint8Array): Uint8Array[] {
  const shardBytes = rs.shardLengthBytes(block.length);
  const totalShards = rs.dataShards + rs.parityShards;
  if (shardBytes === 0) return Array.from({ length: totalShards }, () => new Uint8Array(0));
  const { memory, frames } = encodeFramedInShared(rs, block, shardBytes);
  return copyShards(memory, frames, bitrotHashBytes + shardBytes, totalShards);
}

/** Bytes of one bitrot frame for a block of `blockBytes` coded with `rs` (0 for an empty block). */
export function framedShardLengthBytes(rs: ReedSolomon, blockBytes: number): number {
  const shardBytes = rs.shardLengthBytes(blockBytes);
  return shardBytes === 0 ? 0 : bitrotHashBytes + shardBytes;
}

/**
 * `encodeFramedBlock` without allocating: writes the D+P frames into the caller's `out` (D+P
 * arrays of exactly `framedShardLengthBytes(rs, block.length)` bytes, overlapping neither each
 * other nor wasm memory; they may overlap `block`, which is read first) and returns `out`.
 * Throws RangeError naming the first bad output. Copies in and out; the zero-copy path is
 * `ErasureWorkspace.encodeFramed`.
 */
export function encodeFramedBlockInto(
  rs: ReedSolomon,
  block: Uint8Array,
  out: Uint8Array[],
): Uint8Array[] {
  const frameBytes = framedShardLengthBytes(rs, block.length);
  checkOutputs(out, rs.totalShards, frameBytes, "encode frames into");
  if (frameBytes === 0) return out;
  const { memory, frames } = encodeFramedInShared(rs, block, frameBytes - bitrotHashBytes);
  copyShardsInto(memory, frames, frameBytes, out);
  return out;
}

/** One block's frames computed in the shared instance: returns its memory and their offset. */
function encodeFramedInShared(rs: ReedSolomon, block: Uint8Array, shardBytes: number) {
  const totalShards = rs.totalShards;
  const frameBytes = bitrotHashBytes + shardBytes;
  const arena = kernels.arena();
  const coef = arena.take(rs.parityMatrix.length);
  const key = arena.take(bitrotKey.length);
  const frames = arena.take(totalShards * frameBytes);
  const memory = kernels.map(arena);
  memory.set(rs.parityMatrix, coef);
  memory.set(bitrotKey, key);
  for (let i = 0; i < rs.dataShards; i++) {
    const shard = block.subarray(i * shardBytes, (i + 1) * shardBytes);
    const start = frames + i * frameBytes + bitrotHashBytes;
    memory.set(shard, start);
    memory.fill(0, start + shard.length, start + shardBytes);
  }
  kernels.exports.rs_encode_framed(coef, rs.dataShards, rs.parityShards, shardBytes, frames, key);
  return { memory, frames };
}
