/**
 * The compute kernels, a typed facade over the embedded WebAssembly module built from wasm/:
 * Reed-Solomon erasure coding (MinIO's matrix) and HighwayHash-256 (MinIO's bitrot hash).
 *
 * Every call copies its inputs into wasm memory and returns fresh arrays, so results may be held
 * across awaits. One wasm call per block (or per batch of slices), never per shard.
 */
export { ReedSolomon, TooFewShardsError } from "./reed_solomon.ts";
export { HighwayHash256, highwayHash256, highwayHash256Batch } from "./highway_hash.ts";
export { bitrotKey, encodeFramedBlock } from "./bitrot.ts";
