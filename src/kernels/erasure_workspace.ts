/**
 * The zero-copy path for a stream of blocks: the caller writes each block straight into a
 * private wasm memory and gets its shards (or bitrot frames) back as views of that memory.
 *
 * Lifetimes, precisely:
 * - Each workspace owns its own wasm instance and linear memory, sized once by the constructor
 *   and never grown, so no view it hands out is ever detached, and no other call (another
 *   workspace, the shared `kernels` instance, any `ReedSolomon` or hash function) writes into it.
 * - `input` is the same view for the workspace's whole life. What the caller writes there is the
 *   block; `encode(n)` / `encodeFramed(n)` read its first n bytes and then leave `input`'s
 *   contents unspecified (the call pads, moves and overwrites them in place).
 * - The views an encode call returns stay valid (unchanged) until the caller next writes into
 *   `input` or calls `encode` / `encodeFramed` on the same workspace; then their contents are
 *   unspecified. Copy them (or finish writing them out) first. To write one block while encoding
 *   the next, use two workspaces.
 * - Memory: about (D+P)·(32 + ⌈blockBytesMax/D⌉) bytes plus the module's 128 KiB stack, freed by
 *   the GC with the workspace. Engines reserve address space per wasm memory, so keep workspaces
 *   per stream (or pooled), not per block.
 */
import { bitrotHashBytes } from "../limits.ts";
import { WasmKernels } from "./_wasm.ts";
import { bitrotKey } from "./bitrot.ts";
import type { ReedSolomon } from "./reed_solomon.ts";

export class ErasureWorkspace {
  readonly rs: ReedSolomon;
  readonly blockBytesMax: number;
  /**
   * Where the caller writes the next block (`blockBytesMax` bytes of this workspace's wasm
   * memory); valid for the workspace's life, contents unspecified after each encode call.
   */
  readonly input: Uint8Array;
  readonly #kernels: WasmKernels;
  readonly #memory: Uint8Array;
  readonly #coef: number;
  readonly #key: number;
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
