/**
 * The zero-copy path for a stream of blocks: the caller writes each block straight into a
 * private wasm memory and gets its shards (or bitrot frames) back as views of that memory.
 *
 * Lifetimes, precisely:
 * - Each workspace owns its own wasm instance and linear memory, sized once by the constructor
 *   and never grown, so no view it hands out is ever detached, and no other call (another
 *   workspace, the shared `kernels` instance, any `ReedSolomon` or hash function) writes into it.
 * - Its shard area holds one block at a time: `input` (the same view for the workspace's whole
 *   life; `blockInput(n)` is its start) and the slots `shardInputs(n)` returns (which extend past
 *   `input` for the parity shards). `encode(n)` / `encodeFramed(n)` read the first n bytes of
 *   `input` and leave `input`'s contents unspecified (they pad, move and overwrite in place);
 *   `reconstruct` reads the present slots and writes the missing ones.
 * - Every view a call returns (shards, frames, hashes) stays valid (unchanged) until the caller
 *   next writes into the shard area or calls `encode`, `encodeFramed`, `reconstruct` or
 *   `shardHashes` on the same workspace; then its contents are unspecified. Copy it (or finish
 *   writing it out) first. To write one block while encoding the next, use two workspaces.
 * - Memory: about (D+P)·(32 + ⌈blockBytesMax/D⌉) bytes plus the module's 128 KiB stack, freed by
 *   the GC with the workspace. Engines reserve address space per wasm memory, so keep workspaces
 *   per stream (or pooled), not per block.
 */
import { bitrotHashBytes } from "../limits.ts";
import { WasmKernels } from "./_wasm.ts";
import { bitrotKey } from "./bitrot.ts";
import { decodingMatrix, type ReedSolomon, TooFewShardsError } from "./reed_solomon.ts";

const pointerBytes = 4;

export class ErasureWorkspace {
  readonly rs: ReedSolomon;
  readonly blockBytesMax: number;
  /**
   * Where the caller writes the next block (`blockBytesMax` bytes of this workspace's wasm
   * memory); valid for the workspace's life, contents unspecified after each encode call (see
   * the module comment).
   */
  readonly input: Uint8Array;
  readonly #kernels: WasmKernels;
  readonly #memory: Uint8Array;
  readonly #coef: number;
  readonly #key: number;
  /** A decoding matrix (≤ P×D), then input and output pointer tables for gf_matmul_gather. */
  readonly #decodeCoef: number;
  readonly #inputPointers: number;
  readonly #outputPointers: number;
  /** HighwayHash256(bitrotKey) of each shard slot (`shardHashes`), 32 bytes each. */
  readonly #hashes: number;
  /** Frame 0 starts here; the block (and shard 0) 32 bytes later, at `#block`. */
  readonly #frames: number;
  readonly #block: number;

  /**
   * A workspace for blocks of up to `blockBytesMax` bytes coded with `rs`. Throws RangeError
   * unless blockBytesMax is a positive integer whose layout fits `kernelCallMaxBytes`.
   */
  constructor(rs: ReedSolomon, blockBytesMax: number) {
    if (!Number.isSafeInteger(blockBytesMax) || blockBytesMax < 1) {
      throw new RangeError(
        `Cannot make a workspace for blocks of ${blockBytesMax} bytes: not a positive integer`,
      );
    }
    this.rs = rs;
    this.blockBytesMax = blockBytesMax;
    this.#kernels = new WasmKernels();
    const arena = this.#kernels.arena();
    this.#coef = arena.take(rs.parityMatrix.length);
    this.#key = arena.take(bitrotKey.length);
    this.#decodeCoef = arena.take(rs.parityMatrix.length);
    this.#inputPointers = arena.take(rs.dataShards * pointerBytes);
    this.#outputPointers = arena.take(rs.parityShards * pointerBytes);
    this.#hashes = arena.take(rs.totalShards * bitrotHashBytes);
    const shardBytesMax = rs.shardLengthBytes(blockBytesMax);
    this.#frames = arena.take(rs.totalShards * (bitrotHashBytes + shardBytesMax));
    this.#block = this.#frames + bitrotHashBytes;
    this.#memory = this.#kernels.map(arena);
    this.#memory.set(rs.parityMatrix, this.#coef);
    this.#memory.set(bitrotKey, this.#key);
    this.input = this.#memory.subarray(this.#block, this.#block + blockBytesMax);
  }

  /** `input`'s first `lengthBytes` bytes (RangeError beyond `blockBytesMax`). */
  blockInput(lengthBytes: number): Uint8Array {
    this.#checkLength(lengthBytes, "take input of");
    return this.input.subarray(0, lengthBytes);
  }

  /**
   * RS-encodes the block in `input[0, lengthBytes)`; returns D+P shard views of
   * ⌈lengthBytes/D⌉ bytes (data shards zero padded, as `ReedSolomon.encodeBlock`), valid as the
   * module comment says. An empty block gives D+P empty views.
   */
  encode(lengthBytes: number): Uint8Array[] {
    this.#checkLength(lengthBytes, "encode");
    const { dataShards, parityShards } = this.rs;
    const shardBytes = this.rs.shardLengthBytes(lengthBytes);
    const parity = this.#block + dataShards * shardBytes;
    this.#memory.fill(0, this.#block + lengthBytes, parity);
    this.#kernels.exports.gf_matmul(
      this.#coef,
      parityShards,
      dataShards,
      shardBytes,
      this.#block,
      shardBytes,
      parity,
      shardBytes,
    );
    return this.#views(this.#block, shardBytes, shardBytes);
  }

  /**
   * RS-encodes the block in `input[0, lengthBytes)` and frames every shard as
   * HighwayHash256(bitrotKey, shard) ‖ shard (as `encodeFramedBlock`), in one wasm call; returns
   * the D+P frame views, valid as the module comment says. An empty block gives D+P empty views.
   */
  encodeFramed(lengthBytes: number): Uint8Array[] {
    this.#checkLength(lengthBytes, "encode");
    const shardBytes = this.rs.shardLengthBytes(lengthBytes);
    if (shardBytes === 0) return this.#views(this.#frames, 0, 0);
    const frameBytes = bitrotHashBytes + shardBytes;
    this.#spreadDataShards(lengthBytes, shardBytes);
    this.#kernels.exports.rs_encode_framed(
      this.#coef,
      this.rs.dataShards,
      this.rs.parityShards,
      shardBytes,
      this.#frames,
      this.#key,
    );
    return this.#views(this.#frames, frameBytes, frameBytes);
  }

  /**
   * Where the caller writes the shards of a block of `blockLengthBytes` before `reconstruct`:
   * D+P views of ⌈blockLengthBytes/D⌉ bytes in `input` (shard i after shard i-1, as `encode`
   * returns them). Write the shards that are present; leave the others.
   */
  shardInputs(blockLengthBytes: number): Uint8Array[] {
    this.#checkLength(blockLengthBytes, "take shard inputs of");
    const shardBytes = this.rs.shardLengthBytes(blockLengthBytes);
    return this.#views(this.#block, shardBytes, shardBytes);
  }

  /**
   * Rebuilds, in place, the shards of the block of `blockLengthBytes` written into
   * `shardInputs(blockLengthBytes)` that `present` marks missing (only data shards when
   * `dataOnly`), from the first D present ones (used as written, not checked), in one wasm
   * call. Returns the D+P shard views (null for a missing parity shard when `dataOnly`), valid as
   * the module comment says. Throws TooFewShardsError when fewer than D are present, RangeError
   * when `present` does not have D+P entries.
   */
  reconstruct(
    blockLengthBytes: number,
    present: boolean[],
    options: { dataOnly: boolean },
  ): (Uint8Array | null)[] {
    this.#checkLength(blockLengthBytes, "reconstruct");
    const { dataShards, parityShards, totalShards } = this.rs;
    if (present.length !== totalShards) {
      throw new RangeError(
        `Cannot reconstruct from ${present.length} presence flags: this code has ${totalShards} shards`,
      );
    }
    const presentIndexes = present.flatMap((here, i) => (here ? [i] : []));
    if (presentIndexes.length < dataShards) {
      throw new TooFewShardsError(presentIndexes.length, dataShards);
    }
    const wantedCount = options.dataOnly ? dataShards : totalShards;
    const missing = present.slice(0, wantedCount).flatMap((here, i) => (here ? [] : [i]));
    assertAtMost(missing.length, parityShards);
    const shards: (Uint8Array | null)[] = this.shardInputs(blockLengthBytes);
    if (missing.length > 0) {
      const inputs = presentIndexes.slice(0, dataShards);
      this.#rebuild(inputs, missing, this.rs.shardLengthBytes(blockLengthBytes));
    }
    for (let i = dataShards; i < totalShards && options.dataOnly; i++) {
      if (!present[i]) shards[i] = null;
    }
    return shards;
  }

  /**
   * HighwayHash256(bitrotKey, shard) of each shard written into `shardInputs(blockLengthBytes)`
   * that `present` marks (null for the others): the bitrot check of a block read from the drives
   * before `reconstruct`, one wasm call per run of adjacent present shards. Returns 32-byte
   * views, valid as the module comment says. RangeError when `present` lacks D+P entries.
   */
  shardHashes(blockLengthBytes: number, present: boolean[]): (Uint8Array | null)[] {
    this.#checkLength(blockLengthBytes, "hash the shards of");
    if (present.length !== this.rs.totalShards) {
      throw new RangeError(
        `Cannot hash shards from ${present.length} presence flags: this code has ${this.rs.totalShards} shards`,
      );
    }
    const shardBytes = this.rs.shardLengthBytes(blockLengthBytes);
    let first = 0;
    while (first < present.length) {
      if (!present[first]) {
        first++;
        continue;
      }
      let end = first;
      while (end < present.length && present[end]) end++;
      this.#kernels.exports.hh256_batch(
        this.#key,
        this.#block + first * shardBytes,
        shardBytes,
        shardBytes,
        end - first,
        this.#hashes + first * bitrotHashBytes,
        bitrotHashBytes,
      );
      first = end;
    }
    const hashes = this.#views(this.#hashes, bitrotHashBytes, bitrotHashBytes);
    return hashes.map((hash, i) => (present[i] ? hash : null));
  }

  #rebuild(inputs: number[], missing: number[], shardBytes: number): void {
    const { dataShards, parityShards } = this.rs;
    const matrix = decodingMatrix(dataShards, parityShards, inputs, missing);
    this.#memory.set(matrix, this.#decodeCoef);
    // wasm32 pointers: little-endian u32 (DataView, whatever this host's byte order).
    const pointers = new DataView(this.#memory.buffer);
    inputs.forEach((index, c) => {
      pointers.setUint32(
        this.#inputPointers + c * pointerBytes,
        this.#block + index * shardBytes,
        true,
      );
    });
    missing.forEach((index, r) => {
      pointers.setUint32(
        this.#outputPointers + r * pointerBytes,
        this.#block + index * shardBytes,
        true,
      );
    });
    this.#kernels.exports.gf_matmul_gather(
      this.#decodeCoef,
      missing.length,
      dataShards,
      shardBytes,
      this.#inputPointers,
      this.#outputPointers,
    );
  }

  /**
   * Moves data shard i from `#block + i·s` to its frame slot `#block + i·(s + 32)`, last shard
   * first (each moves forward, onto bytes already moved or never read), and zero-pads it.
   */
  #spreadDataShards(lengthBytes: number, shardBytes: number): void {
    for (let i = this.rs.dataShards - 1; i >= 0; i--) {
      const from = this.#block + i * shardBytes;
      const to = from + i * bitrotHashBytes;
      const presentBytes = Math.max(0, Math.min(shardBytes, lengthBytes - i * shardBytes));
      if (i > 0 && presentBytes > 0) this.#memory.copyWithin(to, from, from + presentBytes);
      this.#memory.fill(0, to + presentBytes, to + shardBytes);
    }
  }

  #views(first: number, strideBytes: number, lengthBytes: number): Uint8Array[] {
    return Array.from({ length: this.rs.totalShards }, (_, i) => {
      const start = first + i * strideBytes;
      return this.#memory.subarray(start, start + lengthBytes);
    });
  }

  #checkLength(lengthBytes: number, action: string): void {
    if (!Number.isSafeInteger(lengthBytes) || lengthBytes < 0 || lengthBytes > this.blockBytesMax) {
      throw new RangeError(
        `Cannot ${action} a block of ${lengthBytes} bytes: this workspace holds 0..${this.blockBytesMax}`,
      );
    }
  }
}

/** Bug check: at most P shards can be missing once D are present. */
function assertAtMost(count: number, max: number): void {
  if (count > max) throw new Error(`Bug: ${count} shards to rebuild, more than ${max}`);
}
