/**
 * MinIO's streaming bitrot framing (spec §7): each shard chunk is written as
 * HighwayHash256(bitrotKey, chunk) ‖ chunk.
 */
import { bitrotHashBytes } from "../limits.ts";
import { kernels } from "./_wasm.ts";
import { copyShards, type ReedSolomon } from "./reed_solomon.ts";

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
  return copyShards(memory, frames, frameBytes, totalShards);
}
