/**
 * The streaming half of a write: body → 1 MiB blocks → Reed-Solomon + bitrot frames → one
 * sink per drive, with backpressure, the MD5 of the body and a quorum check after every block.
 *
 * A sink is a shard file in `.minio.sys/tmp` (durable on close) or an in-memory buffer for
 * inline objects. Memory: the block being written plus the block being encoded
 * (`limits.putBlocksInFlightMax`), each as D + P framed shards, in buffers reused block after
 * block: one block buffer and two frame sets, or for large bodies two wasm workspaces (no
 * copies in and out of wasm memory). Nothing is allocated per block. That matters: V8 frees
 * dead buffers only after 64 MiB of them have piled up, so fresh buffers per block cost tens
 * of MiB of RSS per request (bench/memory.ts).
 */
import {
  encodeFramedBlockInto,
  ErasureWorkspace,
  type ErasureWorkspacePool,
  framedShardLengthBytes,
  type ReedSolomon,
} from "../kernels/mod.ts";
import { putBlocksInFlightMax, putWorkspaceMinBytes } from "../limits.ts";
import { createHash } from "../platform/crypto.ts";
import { ObjectError } from "./object_layer.ts";
import { describeError } from "./quorum.ts";

/**
 * Where one drive's framed shards go. `frame` is lent for the duration of the call: once the
 * returned promise settles its bytes are overwritten by a later block, so a sink that keeps
 * them must copy them.
 */
export interface ShardSink {
  write(frame: Uint8Array): Promise<void>;
}

/** Collects one drive's frames in memory (inline objects: the value stored in xl.meta). */
export class InlineSink implements ShardSink {
  #frames: Uint8Array[] = [];
  write(frame: Uint8Array): Promise<void> {
    this.#frames.push(frame.slice());
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return concatBytes(this.#frames);
  }
}

export interface EncodeOptions {
  rs: ReedSolomon;
  blockSizeBytes: number;
  /** One sink per drive position; null for a drive already failed or offline. */
  sinks: (ShardSink | null)[];
  /** distribution[d] = 1-based shard index written to drive position d (EcDist). */
  distribution: number[];
  writeQuorum: number;
  /** Declared size, -1 when unknown. */
  declaredSizeBytes: number;
  /** Largest accepted body (S3 limit for a PUT or a part). */
  maxSizeBytes: number;
  /** Bodies declared this large or larger use wasm workspaces (default `limits.putWorkspaceMinBytes`). */
  workspaceMinBytes?: number;
  /**
   * Workspaces reused across requests (one per object layer). With it every body of more than
   * one block uses workspaces, taken from and given back to the pool; without it only bodies
   * of `workspaceMinBytes` do, with workspaces of their own.
   */
  workspacePool?: ErasureWorkspacePool;
}

export interface EncodeResult {
  sizeBytes: number;
  md5Hex: string;
  /** Per drive position: why its sink failed (undefined = all frames written). */
  failures: (unknown | undefined)[];
}

/** Stream `body` through the erasure code into the sinks; throws WriteQuorum, IncompleteBody, EntityTooLarge. */
export async function encodeToSinks(
  body: ReadableStream<Uint8Array>,
  options: EncodeOptions,
): Promise<EncodeResult> {
  const failures: (unknown | undefined)[] = options.sinks.map((sink) =>
    sink === null ? new Error("drive offline before the write") : undefined
  );
  requireWriteQuorum(failures, options.writeQuorum);
  const offlineBefore = failures.map((failure) => failure !== undefined);
  const md5 = createHash("md5");
  const encoder: BlockEncoder = usesWorkspaces(options)
    ? new WorkspaceEncoder(options.rs, options.blockSizeBytes, options.workspacePool)
    : new PlainEncoder(options.rs, blockBufferBytes(options));
  let sizeBytes = 0;
  let pending: Promise<void> = Promise.resolve();
  try {
    // Block k + 1 is read, hashed and encoded while block k's frames are written.
    for await (const block of readBlocksInto(body, () => encoder.next())) {
      sizeBytes += block.length;
      checkNotTooLong(sizeBytes, options);
      md5.update(block);
      const frames = encoder.encode(block);
      await pending;
      requireWriteQuorum(failures, options.writeQuorum);
      pending = writeFrames(frames, options, failures);
    }
  } finally {
    await pending;
    // Free the buffers now rather than at a GC (see the module comment); the frames only if
    // no write failed, as a failed one (a timeout) may still be reading them.
    encoder.release(
      failures.every((failure, position) => failure === undefined || offlineBefore[position]),
    );
  }
  requireWriteQuorum(failures, options.writeQuorum);
  if (options.declaredSizeBytes >= 0 && sizeBytes < options.declaredSizeBytes) {
    throw new ObjectError(
      "IncompleteBody",
      `Cannot store the body: it ended after ${sizeBytes} of ${options.declaredSizeBytes} declared bytes`,
    );
  }
  return { sizeBytes, md5Hex: toHex(md5.digest()), failures };
}

function checkNotTooLong(sizeBytes: number, options: EncodeOptions): void {
  if (options.declaredSizeBytes >= 0 && sizeBytes > options.declaredSizeBytes) {
    throw new ObjectError(
      "IncompleteBody",
      `Cannot store the body: it is longer than the ${options.declaredSizeBytes} declared bytes`,
    );
  }
  if (sizeBytes > options.maxSizeBytes) {
    throw new ObjectError(
      "EntityTooLarge",
      `Cannot store the body: it exceeds ${options.maxSizeBytes} bytes`,
    );
  }
}

/**
 * Write one block's frames to every live sink in parallel; a failing sink is retired. The
 * frames are views of a frame set that is refilled two blocks later, after these writes have
 * settled (a write that timed out may still be under way then, but its sink is retired and
 * its shard file aborted).
 */
async function writeFrames(
  frames: Uint8Array[],
  options: EncodeOptions,
  failures: (unknown | undefined)[],
): Promise<void> {
  await Promise.all(options.sinks.map(async (sink, position) => {
    if (sink === null || failures[position] !== undefined) return;
    try {
      await sink.write(frames[options.distribution[position] - 1]);
    } catch (error) {
      failures[position] = error;
    }
  }));
}

function usesWorkspaces(options: EncodeOptions): boolean {
  const minBytes = options.workspacePool !== undefined
    ? options.blockSizeBytes + 1
    : options.workspaceMinBytes ?? putWorkspaceMinBytes;
  return options.declaredSizeBytes >= minBytes;
}

/**
 * The block buffer: one block, or the declared size when the body fits in one block (most
 * objects are small). A body longer than declared refills it, and is then refused.
 */
function blockBufferBytes(options: EncodeOptions): number {
  const fitsOneBlock = options.declaredSizeBytes >= 0 &&
    options.declaredSizeBytes <= options.blockSizeBytes;
  return fitsOneBlock ? Math.max(1, options.declaredSizeBytes) : options.blockSizeBytes;
}

/** Where each block of the body is copied, and how it becomes D + P frames. */
interface BlockEncoder {
  /** The buffer the next block goes into (never empty). */
  next(): Uint8Array;
  /** The frames of `block` (a view of the last `next()` buffer), lent to the sinks. */
  encode(block: Uint8Array): Uint8Array[];
  /** Free the buffers at the end; the frames only when `framesIdle` (no sink holds one). */
  release(framesIdle: boolean): void;
}

/** One block buffer, copied into the shared kernel instance, frames copied out into two sets. */
class PlainEncoder implements BlockEncoder {
  readonly #block: Uint8Array;
  readonly #frames: FrameSets;

  constructor(readonly rs: ReedSolomon, blockBufferBytes: number) {
    this.#block = new Uint8Array(blockBufferBytes);
    this.#frames = new FrameSets(rs);
  }

  next(): Uint8Array {
    return this.#block;
  }

  encode(block: Uint8Array): Uint8Array[] {
    const frameBytes = framedShardLengthBytes(this.rs, block.length);
    return encodeFramedBlockInto(this.rs, block, this.#frames.take(frameBytes));
  }

  release(framesIdle: boolean): void {
    releaseBuffer(this.#block.buffer);
    if (framesIdle) this.#frames.release();
  }
}

/**
 * Two erasure workspaces, used in turn: the body is copied straight into a workspace's wasm
 * memory and its frames are encoded there, lent as views of it. The workspace written two
 * blocks ago is free again. Workspaces come from the pool, or are made for this body (large
 * bodies only: see `limits.putWorkspaceMinBytes`).
 */
class WorkspaceEncoder implements BlockEncoder {
  readonly #all: ErasureWorkspace[] = [];
  #at = -1;

  constructor(
    readonly rs: ReedSolomon,
    readonly blockSizeBytes: number,
    readonly pool: WorkspaceSource = new UnpooledWorkspaces(),
  ) {
    checkTwoInFlight();
  }

  next(): Uint8Array {
    this.#at = (this.#at + 1) % putBlocksInFlightMax;
    this.#all[this.#at] ??= this.pool.acquire(this.rs, this.blockSizeBytes);
    return this.#all[this.#at].input;
  }

  encode(block: Uint8Array): Uint8Array[] {
    const workspace = this.#all[this.#at];
    if (
      block.buffer !== workspace.input.buffer || block.byteOffset !== workspace.input.byteOffset
    ) {
      throw new Error("Bug: a block is encoded in the workspace it was read into");
    }
    return workspace.encodeFramed(block.length);
  }

  /** Back to the pool when no write may still read them; else (or with no pool) to the GC. */
  release(framesIdle: boolean): void {
    if (framesIdle) { for (const workspace of this.#all) this.pool.release(workspace); }
    this.#all.length = 0;
  }
}

/** Where workspaces come from and go back to: an `ErasureWorkspacePool`, or none. */
interface WorkspaceSource {
  acquire(rs: ReedSolomon, blockBytesMax: number): ErasureWorkspace;
  release(workspace: ErasureWorkspace): void;
}

/** No pool: a new workspace each time, dropped at release (a wasm memory cannot be freed early). */
class UnpooledWorkspaces implements WorkspaceSource {
  acquire(rs: ReedSolomon, blockBytesMax: number): ErasureWorkspace {
    return new ErasureWorkspace(rs, blockBytesMax);
  }
  release(_workspace: ErasureWorkspace): void {}
}

function checkTwoInFlight(): void {
  if (putBlocksInFlightMax < 2) {
    throw new Error("Bug: a block is encoded while the previous one is written: two buffers");
  }
}

/**
 * The frames of the blocks in flight (`limits.putBlocksInFlightMax`), in buffers reused block
 * after block: `take` hands out the least recently used set, whose writes were awaited before
 * the next block's began. Nothing is allocated per block.
 */
class FrameSets {
  readonly #sets: Uint8Array[] = [];
  #at = -1;

  constructor(readonly rs: ReedSolomon) {
    checkTwoInFlight();
  }

  /** D + P views of `frameBytes` each, in the next set. */
  take(frameBytes: number): Uint8Array[] {
    this.#at = (this.#at + 1) % putBlocksInFlightMax;
    const totalBytes = this.rs.totalShards * frameBytes;
    if ((this.#sets[this.#at]?.length ?? -1) < totalBytes) {
      this.#sets[this.#at] = new Uint8Array(totalBytes);
    }
    const set = this.#sets[this.#at];
    return Array.from(
      { length: this.rs.totalShards },
      (_, i) => set.subarray(i * frameBytes, (i + 1) * frameBytes),
    );
  }

  /** Free the sets; only when no sink holds a frame any more. */
  release(): void {
    for (const set of this.#sets) releaseBuffer(set.buffer);
    this.#sets.length = 0;
  }
}

/**
 * Free an ArrayBuffer nobody else holds now (detach it: every view of it becomes empty)
 * instead of leaving it to the GC.
 */
export function releaseBuffer(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !buffer.detached && buffer.byteLength > 0) {
    buffer.transfer(0);
  }
}

function requireWriteQuorum(failures: (unknown | undefined)[], quorum: number): void {
  const healthy = failures.filter((failure) => failure === undefined).length;
  if (healthy >= quorum) return;
  const first = failures.find((failure) => failure !== undefined);
  throw new ObjectError(
    "WriteQuorum",
    `Cannot write the shards: ${healthy} of ${failures.length} drives healthy, ${quorum} needed (${
      describeError(first)
    })`,
    { cause: first },
  );
}

/**
 * Re-chunk a byte stream into blocks (the last one shorter, none when the body is empty),
 * copied into the buffers `nextTarget()` hands out, one per block, each as long as a block.
 * A target is asked for when its block's first byte arrives; the yielded block is a view of it.
 */
export async function* readBlocksInto(
  body: ReadableStream<Uint8Array>,
  nextTarget: () => Uint8Array,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let target: Uint8Array | undefined;
  let filled = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.length) {
        target ??= nonEmpty(nextTarget());
        const take = Math.min(target.length - filled, value.length - offset);
        target.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === target.length) {
          const block = target;
          target = undefined;
          filled = 0;
          yield block;
        }
      }
    }
    if (target !== undefined && filled > 0) yield target.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
}

function nonEmpty(target: Uint8Array): Uint8Array {
  if (target.length === 0) throw new Error("Bug: an empty buffer for a block");
  return target;
}

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
