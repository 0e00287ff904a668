/**
 * Reed-Solomon erasure coding with MinIO's matrix (klauspost/reedsolomon default: Vandermonde
 * times the inverse of its top square, GF(2^8) with polynomial 0x11D; spec §6).
 */
import { shardCountMax } from "../limits.ts";
import { kernels } from "./_wasm.ts";

/** Fewer than `dataShards` shards survive: the block cannot be rebuilt. */
export class TooFewShardsError extends Error {
  constructor(readonly presentShards: number, readonly dataShards: number) {
    super(
      `Cannot reconstruct from ${presentShards} shards: at least ${dataShards} (the data shard count) are needed`,
    );
    this.name = "TooFewShardsError";
  }
}

export class ReedSolomon {
  readonly dataShards: number;
  readonly parityShards: number;
  /** Rows D..D+P-1 of the encoding matrix (parityShards × dataShards, row-major); this
   * instance's own copy. */
  readonly parityMatrix: Uint8Array;

  /** Throws RangeError unless 1 ≤ dataShards, 0 ≤ parityShards and the sum is ≤ 256. */
  constructor(dataShards: number, parityShards: number) {
    checkShardCounts(dataShards, parityShards);
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.parityMatrix = encodingMatrix(dataShards, parityShards).slice(dataShards * dataShards);
  }

  get totalShards(): number {
    return this.dataShards + this.parityShards;
  }

  /** Shard length for a block of n bytes: ceil(n / dataShards) (0 for n = 0). */
  shardLengthBytes(blockLengthBytes: number): number {
    if (!Number.isSafeInteger(blockLengthBytes) || blockLengthBytes < 0) {
      throw new RangeError(
        `Cannot size shards for a block of ${blockLengthBytes} bytes: not a non-negative integer`,
      );
    }
    return Math.ceil(blockLengthBytes / this.dataShards);
  }

  /**
   * Split the block into D zero-padded data shards and compute P parity shards; returns D+P
   * fresh arrays (views into one new ArrayBuffer, shared by nothing else).
   */
  encodeBlock(block: Uint8Array): Uint8Array[] {
    const shardBytes = this.shardLengthBytes(block.length);
    const { memory, shards } = this.#encodeInWasm(block, shardBytes);
    return copyShards(memory, shards, shardBytes, this.totalShards);
  }

  /**
   * `encodeBlock` without allocating: writes the D+P shards of `block` into the caller's `out`
   * (D+P arrays of exactly `shardLengthBytes(block.length)` bytes, overlapping neither each
   * other nor wasm memory; they may overlap `block`, which is read first) and returns `out`.
   * Throws RangeError naming the first bad output. Copies the block in and the shards out; the
   * zero-copy path is `ErasureWorkspace`.
   */
  encodeBlockInto(block: Uint8Array, out: Uint8Array[]): Uint8Array[] {
    const shardBytes = this.shardLengthBytes(block.length);
    checkOutputs(out, this.totalShards, shardBytes, "encode into");
    const { memory, shards } = this.#encodeInWasm(block, shardBytes);
    copyShardsInto(memory, shards, shardBytes, out);
    return out;
  }

  /** Copy the block into the shared wasm memory as zero-padded data shards and add parity. */
  #encodeInWasm(block: Uint8Array, shardBytes: number): { memory: Uint8Array; shards: number } {
    const arena = kernels.arena();
    const coef = arena.take(this.parityMatrix.length);
    const shards = arena.take(this.totalShards * shardBytes);
    const memory = kernels.map(arena);
    memory.set(this.parityMatrix, coef);
    memory.set(block, shards);
    memory.fill(0, shards + block.length, shards + this.dataShards * shardBytes);
    const parity = shards + this.dataShards * shardBytes;
    kernels.exports.gf_matmul(
      coef,
      this.parityShards,
      this.dataShards,
      shardBytes,
      shards,
      shardBytes,
      parity,
      shardBytes,
    );
    return { memory, shards };
  }

  /** Parity for D given data shards of equal length; returns P fresh arrays (one new buffer). */
  encodeParity(dataShards: Uint8Array[]): Uint8Array[] {
    if (dataShards.length !== this.dataShards) {
      throw new RangeError(
        `Cannot encode ${dataShards.length} data shards: this code has ${this.dataShards}`,
      );
    }
    const shardBytes = commonLength(dataShards, "encode");
    const arena = kernels.arena();
    const coef = arena.take(this.parityMatrix.length);
    const inputs = arena.take(this.dataShards * shardBytes);
    const outputs = arena.take(this.parityShards * shardBytes);
    const memory = kernels.map(arena);
    memory.set(this.parityMatrix, coef);
    dataShards.forEach((shard, i) => memory.set(shard, inputs + i * shardBytes));
    kernels.exports.gf_matmul(
      coef,
      this.parityShards,
      this.dataShards,
      shardBytes,
      inputs,
      shardBytes,
      outputs,
      shardBytes,
    );
    return copyShards(memory, outputs, shardBytes, this.parityShards);
  }

  /**
   * shards.length = D+P, null (or undefined) where missing; fills in missing ones (only data ones when
   * dataOnly: missing parity entries then stay null), returns the complete array (the same
   * array, filled in place with fresh arrays). Present shards are used as given, not checked.
   * Throws TooFewShardsError when fewer than D shards are present, RangeError when lengths differ.
   */
  reconstruct(shards: (Uint8Array | null)[], options: { dataOnly: boolean }): Uint8Array[] {
    if (shards.length !== this.totalShards) {
      throw new RangeError(
        `Cannot reconstruct ${shards.length} shards: this code has ${this.totalShards}`,
      );
    }
    const present = presentIndexes(shards);
    const shardBytes = commonLength(present.map((i) => shards[i]!), "reconstruct");
    if (present.length < this.dataShards) {
      throw new TooFewShardsError(present.length, this.dataShards);
    }
    const wantedCount = options.dataOnly ? this.dataShards : this.totalShards;
    const missing = [...Array(wantedCount).keys()].filter((i) => shards[i] == null);
    if (missing.length > 0) {
      const inputs = present.slice(0, this.dataShards);
      const rebuilt = this.#rebuild(shards as Uint8Array[], inputs, missing, shardBytes);
      missing.forEach((index, i) => shards[index] = rebuilt[i]);
    }
    return shards as Uint8Array[];
  }

  #rebuild(shards: Uint8Array[], inputs: number[], missing: number[], shardBytes: number) {
    const matrix = decodingMatrix(this.dataShards, this.parityShards, inputs, missing);
    const arena = kernels.arena();
    const coef = arena.take(matrix.length);
    const inputsOffset = arena.take(inputs.length * shardBytes);
    const outputs = arena.take(missing.length * shardBytes);
    const memory = kernels.map(arena);
    memory.set(matrix, coef);
    inputs.forEach((index, i) => memory.set(shards[index], inputsOffset + i * shardBytes));
    kernels.exports.gf_matmul(
      coef,
      missing.length,
      this.dataShards,
      shardBytes,
      inputsOffset,
      shardBytes,
      outputs,
      shardBytes,
    );
    return copyShards(memory, outputs, shardBytes, missing.length);
  }
}

function checkShardCounts(dataShards: number, parityShards: number): void {
  const counts = `ReedSolomon(${dataShards}, ${parityShards})`;
  if (!Number.isInteger(dataShards) || dataShards < 1) {
    throw new RangeError(`Cannot create ${counts}: data shards must be an integer ≥ 1`);
  }
  if (!Number.isInteger(parityShards) || parityShards < 0) {
    throw new RangeError(`Cannot create ${counts}: parity shards must be an integer ≥ 0`);
  }
  if (dataShards + parityShards > shardCountMax) {
    throw new RangeError(
      `Cannot create ${counts}: data + parity shards must be ≤ ${shardCountMax} in GF(2^8)`,
    );
  }
}

/** The length all `shards` share; RangeError naming the first one that differs. */
function commonLength(shards: Uint8Array[], action: string): number {
  const shardBytes = shards.length === 0 ? 0 : shards[0].length;
  const odd = shards.findIndex((shard) => shard.length !== shardBytes);
  if (odd >= 0) {
    throw new RangeError(
      `Cannot ${action} shards of different lengths: ${
        shards[odd].length
      } bytes after ${shardBytes}`,
    );
  }
  return shardBytes;
}

function presentIndexes(shards: (Uint8Array | null)[]): number[] {
  const present: number[] = [];
  shards.forEach((shard, i) => {
    if (shard != null) present.push(i);
  });
  return present;
}

/**
 * RangeError unless `out` is `count` arrays of `lengthBytes` each, no two overlapping, none in
 * the shared wasm memory (a later call could grow and detach it, or overwrite it).
 */
export function checkOutputs(
  out: Uint8Array[],
  count: number,
  lengthBytes: number,
  action: string,
): void {
  if (!Array.isArray(out) || out.length !== count) {
    const got = Array.isArray(out) ? `${out.length} arrays` : typeof out;
    throw new RangeError(`Cannot ${action} ${got}: ${count} output arrays are needed`);
  }
  out.forEach((array, i) => {
    if (!(array instanceof Uint8Array) || array.length !== lengthBytes) {
      const got = array instanceof Uint8Array ? `${array.length} bytes` : typeof array;
      throw new RangeError(
        `Cannot ${action} output ${i} of ${got}: it must be ${lengthBytes} bytes`,
      );
    }
    if (array.buffer === kernels.exports.memory.buffer) {
      throw new RangeError(`Cannot ${action} output ${i}: it is a view of the shared wasm memory`);
    }
  });
  const twin = firstOverlap(out);
  if (twin !== undefined) {
    throw new RangeError(`Cannot ${action} outputs ${twin[0]} and ${twin[1]}: they overlap`);
  }
}

/** The first pair of non-empty arrays sharing bytes of one buffer, if any. */
function firstOverlap(arrays: Uint8Array[]): [number, number] | undefined {
  for (let i = 0; i < arrays.length; i++) {
    for (let j = i + 1; j < arrays.length; j++) {
      const [a, b] = [arrays[i], arrays[j]];
      if (a.buffer !== b.buffer || a.length === 0 || b.length === 0) continue;
      const disjoint = a.byteOffset + a.length <= b.byteOffset ||
        b.byteOffset + b.length <= a.byteOffset;
      if (!disjoint) return [i, j];
    }
  }
  return undefined;
}

/** The `out.length` adjacent shards at `offset` copied into the caller's arrays. */
export function copyShardsInto(
  memory: Uint8Array,
  offset: number,
  shardBytes: number,
  out: Uint8Array[],
): void {
  out.forEach((array, i) => {
    const start = offset + i * shardBytes;
    array.set(memory.subarray(start, start + shardBytes));
  });
}

/**
 * `count` adjacent shards of `shardBytes` copied out of wasm memory at `offset`: views into one
 * fresh ArrayBuffer (one allocation per call, not per shard; allocations dominate small blocks).
 */
export function copyShards(
  memory: Uint8Array,
  offset: number,
  shardBytes: number,
  count: number,
): Uint8Array[] {
  const all = memory.slice(offset, offset + count * shardBytes);
  return Array.from(
    { length: count },
    (_, i) => all.subarray(i * shardBytes, (i + 1) * shardBytes),
  );
}

/** The (D+P)×D encoding matrix, row-major. */
export function encodingMatrix(dataShards: number, parityShards: number): Uint8Array {
  return kernels.cachedMatrix(`encode ${dataShards}+${parityShards}`, () => {
    const total = dataShards + parityShards;
    const arena = kernels.arena();
    const out = arena.take(total * dataShards);
    const scratch = arena.take(kernels.exports.rs_scratch_bytes(total));
    const memory = kernels.map(arena);
    const status = kernels.exports.rs_encoding_matrix(dataShards, parityShards, out, scratch);
    if (status !== 0) throw new Error(`Bug: singular Vandermonde square for ${dataShards}`);
    return memory.slice(out, out + total * dataShards);
  });
}

/** The missing×D matrix rebuilding shards `missing` from the D shards `inputs` (cached). */
export function decodingMatrix(
  dataShards: number,
  parityShards: number,
  inputs: number[],
  missing: number[],
): Uint8Array {
  const key = `decode ${dataShards}+${parityShards} from ${inputs} to ${missing}`;
  return kernels.cachedMatrix(key, () => {
    const arena = kernels.arena();
    const inputsOffset = arena.take(inputs.length);
    const missingOffset = arena.take(missing.length);
    const out = arena.take(missing.length * dataShards);
    const scratch = arena.take(kernels.exports.rs_scratch_bytes(dataShards + parityShards));
    const memory = kernels.map(arena);
    memory.set(inputs, inputsOffset);
    memory.set(missing, missingOffset);
    const status = kernels.exports.rs_decoding_matrix(
      dataShards,
      parityShards,
      inputsOffset,
      missingOffset,
      missing.length,
      out,
      scratch,
    );
    if (status !== 0) throw new Error(`Bug: singular decoding rows ${inputs}`);
    return memory.slice(out, out + missing.length * dataShards);
  });
}
