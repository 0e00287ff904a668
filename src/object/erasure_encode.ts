/**
 * The streaming half of a write: body → 1 MiB blocks → Reed-Solomon + bitrot frames → one
 * sink per drive, with backpressure, the MD5 of the body and a quorum check after every block.
 *
 * A sink is a shard file in `.minio.sys/tmp` (durable on close) or an in-memory buffer for
 * inline objects. Memory: the block being written plus the block being encoded
 * (`limits.putBlocksInFlightMax`), each as D + P framed shards; the body is cut into one
 * reused block buffer, and each block's frames are freed as soon as every sink has written
 * them. Freeing matters: V8 frees dead buffers only after 64 MiB of them have piled up, so
 * fresh buffers left to the GC cost tens of MiB of RSS per request (bench/memory.ts).
 */
import { encodeFramedBlock, type ReedSolomon } from "../kernels/mod.ts";
import { createHash } from "../platform/crypto.ts";
import { ObjectError } from "./object_layer.ts";
import { describeError } from "./quorum.ts";

/**
 * Where one drive's framed shards go. `frame` is lent for the duration of the call: once the
 * returned promise resolves its memory is freed (the buffer detached), so a sink that keeps
 * the bytes must copy them.
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
  const md5 = createHash("md5");
  let sizeBytes = 0;
  let pending: Promise<void> = Promise.resolve();
  try {
    // Block k + 1 is hashed and encoded while block k's frames are being written.
    for await (const block of readBlocks(body, options.blockSizeBytes)) {
      sizeBytes += block.length;
      checkNotTooLong(sizeBytes, options);
      md5.update(block);
      const frames = encodeFramedBlock(options.rs, block);
      await pending;
      requireWriteQuorum(failures, options.writeQuorum);
      pending = writeFrames(frames, options, failures);
    }
  } finally {
    await pending;
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
 * Free an ArrayBuffer nobody else holds now (detach it), instead of leaving it to the GC:
 * V8 lets 64 MiB of such young buffers pile up before it scavenges them.
 */
export function releaseBuffer(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer && !buffer.detached && buffer.byteLength > 0) {
    buffer.transfer(0);
  }
}

/**
 * Write one block's frames to every live sink in parallel; a failing sink is retired. When
 * every write resolved, no sink holds the frames any more and their memory is freed; after a
 * failure (perhaps a timeout with the write still under way) they are left to the GC.
 */
async function writeFrames(
  frames: Uint8Array[],
  options: EncodeOptions,
  failures: (unknown | undefined)[],
): Promise<void> {
  let failed = false;
  await Promise.all(options.sinks.map(async (sink, position) => {
    if (sink === null || failures[position] !== undefined) return;
    try {
      await sink.write(frames[options.distribution[position] - 1]);
    } catch (error) {
      failures[position] = error;
      failed = true;
    }
  }));
  if (!failed) {
    for (const buffer of new Set(frames.map((frame) => frame.buffer))) releaseBuffer(buffer);
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
 * Re-chunk a byte stream into blocks of exactly `blockSizeBytes` (the last one shorter, none
 * when empty). A yielded block is valid until the next one is asked for: the buffer is reused.
 */
export async function* readBlocks(
  body: ReadableStream<Uint8Array>,
  blockSizeBytes: number,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const block = new Uint8Array(blockSizeBytes);
  let filled = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      // Whole blocks inside a large chunk are passed on without copying.
      while (filled === 0 && value.length - offset >= blockSizeBytes) {
        yield value.subarray(offset, offset + blockSizeBytes);
        offset += blockSizeBytes;
      }
      while (offset < value.length) {
        const take = Math.min(blockSizeBytes - filled, value.length - offset);
        block.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === blockSizeBytes) {
          yield block;
          filled = 0;
        }
      }
    }
    if (filled > 0) yield block.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
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
