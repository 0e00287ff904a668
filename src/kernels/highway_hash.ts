/**
 * HighwayHash-256 (Google's HighwayHash, as minio/highwayhash): one-shot, streaming and batch.
 * Inputs larger than `kernelHashChunkBytes` go through wasm memory a chunk at a time.
 */
import { kernelHashChunkBytes } from "../limits.ts";
import { kernels } from "./_wasm.ts";

const keyBytes = 32;
const hashBytes = 32;
const packetBytes = 32;
const stateBytes = kernels.exports.hh_state_bytes();

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== keyBytes) {
    const length = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new RangeError(`Cannot use a HighwayHash key of ${length}: it must be 32 bytes`);
  }
}

/** HighwayHash-256 of `data` with the 32-byte `key`; 32 fresh bytes. */
export function highwayHash256(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key);
  if (data.length > kernelHashChunkBytes) return new HighwayHash256(key).update(data).digest();
  const arena = kernels.arena();
  const keyOffset = arena.take(keyBytes);
  const out = arena.take(hashBytes);
  const input = arena.take(data.length);
  const memory = kernels.map(arena);
  memory.set(key, keyOffset);
  memory.set(data, input);
  kernels.exports.hh256(keyOffset, input, data.length, out);
  return memory.slice(out, out + hashBytes);
}

/** HighwayHash-256 of each slice in one wasm call; returns n*32 bytes (hash i at i*32). */
export function highwayHash256Batch(key: Uint8Array, slices: Uint8Array[]): Uint8Array {
  checkKey(key);
  const sliceBytes = slices.length === 0 ? 0 : slices[0].length;
  const odd = slices.findIndex((slice) => slice.length !== sliceBytes);
  if (odd >= 0) {
    throw new RangeError(
      `Cannot batch-hash slices of different lengths: slice ${odd} has ${
        slices[odd].length
      } bytes, slice 0 has ${sliceBytes}`,
    );
  }
  const hashes = new Uint8Array(slices.length * hashBytes);
  const perCall = sliceBytes === 0 ? slices.length : Math.floor(kernelHashChunkBytes / sliceBytes);
  if (perCall === 0) {
    slices.forEach((slice, i) => hashes.set(highwayHash256(key, slice), i * hashBytes));
    return hashes;
  }
  for (let first = 0; first < slices.length; first += perCall) {
    const group = slices.slice(first, first + perCall);
    hashes.set(hashEqualSlices(key, group, sliceBytes), first * hashBytes);
  }
  return hashes;
}

function hashEqualSlices(key: Uint8Array, slices: Uint8Array[], sliceBytes: number): Uint8Array {
  const arena = kernels.arena();
  const keyOffset = arena.take(keyBytes);
  const out = arena.take(slices.length * hashBytes);
  const input = arena.take(slices.length * sliceBytes);
  const memory = kernels.map(arena);
  memory.set(key, keyOffset);
  slices.forEach((slice, i) => memory.set(slice, input + i * sliceBytes));
  kernels.exports.hh256_batch(
    keyOffset,
    input,
    sliceBytes,
    sliceBytes,
    slices.length,
    out,
    hashBytes,
  );
  return memory.slice(out, out + slices.length * hashBytes);
}

/** Streaming HighwayHash-256. `digest()` does not end the stream: more `update`s may follow. */
export class HighwayHash256 {
  readonly #state = new Uint8Array(stateBytes);
  /** Bytes not yet absorbed: always fewer than one packet between calls. */
  readonly #pending = new Uint8Array(packetBytes);
  #pendingBytes = 0;

  constructor(key: Uint8Array) {
    checkKey(key);
    const arena = kernels.arena();
    const keyOffset = arena.take(keyBytes);
    const state = arena.take(stateBytes);
    const memory = kernels.map(arena);
    memory.set(key, keyOffset);
    kernels.exports.hh_init(keyOffset, state);
    this.#state.set(memory.subarray(state, state + stateBytes));
  }

  update(data: Uint8Array): this {
    let offset = 0;
    if (this.#pendingBytes > 0) {
      offset = Math.min(packetBytes - this.#pendingBytes, data.length);
      this.#pending.set(data.subarray(0, offset), this.#pendingBytes);
      this.#pendingBytes += offset;
      if (this.#pendingBytes < packetBytes) return this;
      this.#absorb(this.#pending);
      this.#pendingBytes = 0;
    }
    while (data.length - offset >= packetBytes) {
      const wholeBytes = (data.length - offset) - (data.length - offset) % packetBytes;
      const chunkBytes = Math.min(wholeBytes, kernelHashChunkBytes);
      this.#absorb(data.subarray(offset, offset + chunkBytes));
      offset += chunkBytes;
    }
    this.#pending.set(data.subarray(offset));
    this.#pendingBytes = data.length - offset;
    return this;
  }

  digest(): Uint8Array {
    const arena = kernels.arena();
    const state = arena.take(stateBytes);
    const rem = arena.take(packetBytes);
    const out = arena.take(hashBytes);
    const memory = kernels.map(arena);
    memory.set(this.#state, state);
    memory.set(this.#pending.subarray(0, this.#pendingBytes), rem);
    kernels.exports.hh_finish256(state, rem, this.#pendingBytes, out);
    return memory.slice(out, out + hashBytes);
  }

  /** Absorbs whole packets (`packets.length` is a multiple of 32). */
  #absorb(packets: Uint8Array): void {
    const arena = kernels.arena();
    const state = arena.take(stateBytes);
    const input = arena.take(packets.length);
    const memory = kernels.map(arena);
    memory.set(this.#state, state);
    memory.set(packets, input);
    kernels.exports.hh_update(state, input, packets.length);
    this.#state.set(memory.subarray(state, state + stateBytes));
  }
}
