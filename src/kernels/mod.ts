/**
 * The compute kernels, a typed facade over the embedded WebAssembly module built from wasm/:
 * Reed-Solomon erasure coding (MinIO's matrix) and HighwayHash-256 (MinIO's bitrot hash).
 *
 * Three ways to encode a block, fastest last:
 * - `encodeBlock` / `encodeFramedBlock`: copy in, return fresh arrays (may be held across awaits).
 * - `encodeBlockInto` / `encodeFramedBlockInto`: copy in, write into the caller's reusable arrays
 *   (no allocation).
 * - `ErasureWorkspace`: the caller writes the block into the workspace's wasm memory and gets
 *   views of the shards or frames there, valid until its next write or encode on that workspace
 *   (`ErasureWorkspacePool` reuses them across requests).
 * One wasm call per block (or per batch of slices), never per shard.
 */
export { ReedSolomon, TooFewShardsError } from "./reed_solomon.ts";
export { HighwayHash256, highwayHash256, highwayHash256Batch } from "./highway_hash.ts";
export {
  bitrotKey,
  encodeFramedBlock,
  encodeFramedBlockInto,
  framedShardLengthBytes,
} from "./bitrot.ts";
export { ErasureWorkspace } from "./erasure_workspace.ts";
export { ErasureWorkspacePool } from "./erasure_workspace_pool.ts";
