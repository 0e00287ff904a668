/**
 * The reading half: for each needed block, read D bitrot frames (data shards first), verify
 * them with one HighwayHash batch call, replace a missing or corrupt shard by reading another
 * drive, reconstruct the data shards when one is missing, and stream the bytes out.
 *
 * Sources are indexed by 0-based shard index (EcIndex - 1), taken from each drive's stored
 * xl.meta, never from a recomputed order. Memory: one block (D + P frames) at a time.
 */
import type { ShardFileReader } from "../drive/storage_drive.ts";
import { bitrotKey, highwayHash256Batch, type ReedSolomon } from "../kernels/mod.ts";
import { bitrotHashBytes } from "../limits.ts";
import { blockLayout, type Geometry } from "./erasure_geometry.ts";
import { concatBytes } from "./erasure_encode.ts";
import { ObjectError } from "./object_layer.ts";
import { describeError } from "./quorum.ts";

/** One shard's framed bytes for a part: a file on a drive or an inline value. */
export interface ShardSource {
  readFrame(offset: number, length: number): Promise<Uint8Array>;
  /** Release what reading took (an open file); never throws. Reads after it fail. */
  close?(): Promise<void>;
}

/**
 * A shard file read through one reader, opened at the first read (a shard that is never read,
 * as parity usually is, costs no open) and released by `close()`, which waits for an open in
 * progress. An open that failed fails every read with its error.
 */
export function readerSource(open: () => Promise<ShardFileReader>): ShardSource {
  let opened: Promise<ShardFileReader> | undefined;
  let closed = false;
  return {
    async readFrame(offset, length) {
      if (closed) throw new Error("Bug: a shard read after its source was closed");
      opened ??= open();
      return await (await opened).read(offset, length);
    },
    async close() {
      closed = true;
      const reader = await opened?.catch(() => undefined);
      await reader?.close();
    },
  };
}

export function inlineSource(bytes: Uint8Array): ShardSource {
  return {
    readFrame(offset, length) {
      if (offset + length > bytes.length) {
        return Promise.reject(
          new Error(`inline shard has ${bytes.length} bytes, frame ends at ${offset + length}`),
        );
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** Called once per shard index that turned out missing or corrupt during this read. */
export type BadShardReporter = (shardIndex: number, error: unknown) => void;

export class BlockDecoder {
  readonly #bad = new Set<number>();

  constructor(
    readonly rs: ReedSolomon,
    readonly geometry: Geometry,
    readonly sources: (ShardSource | null)[],
    readonly onBadShard: BadShardReporter,
  ) {}

  /** The data bytes of block `blockIndex` of a part of `partSizeBytes`. */
  async readBlock(partSizeBytes: number, blockIndex: number): Promise<Uint8Array> {
    return concatBytes(await this.readBlockPieces(partSizeBytes, blockIndex));
  }

  /**
   * Bytes `from..to` (exclusive end, default the whole block) of block `blockIndex`, as
   * views of its data shards in order: no copy of the block is made.
   */
  async readBlockPieces(
    partSizeBytes: number,
    blockIndex: number,
    from = 0,
    to = Number.MAX_SAFE_INTEGER,
  ): Promise<Uint8Array[]> {
    const layout = blockLayout(this.geometry, partSizeBytes, blockIndex);
    const shards = await this.#readShards(layout, this.geometry.dataShards);
    const dataShards = this.geometry.dataShards;
    const complete = shards.slice(0, dataShards).every((shard) => shard !== null)
      ? (shards as Uint8Array[])
      : this.rs.reconstruct(shards, { dataOnly: true });
    const end = Math.min(to, layout.blockBytes);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < dataShards; i++) {
      const shardStart = i * layout.shardBytes;
      const pieceStart = Math.max(from, shardStart);
      const pieceEnd = Math.min(end, shardStart + layout.shardBytes);
      if (pieceEnd > pieceStart) {
        pieces.push(complete[i].subarray(pieceStart - shardStart, pieceEnd - shardStart));
      }
    }
    return pieces;
  }

  /** All D + P shards of a block (missing ones reconstructed): what healing writes. */
  async readAllShards(partSizeBytes: number, blockIndex: number): Promise<Uint8Array[]> {
    const layout = blockLayout(this.geometry, partSizeBytes, blockIndex);
    const shards = await this.#readShards(layout, this.geometry.dataShards);
    if (shards.every((shard) => shard !== null)) return shards as Uint8Array[];
    return this.rs.reconstruct(shards, { dataOnly: false });
  }

  /** Close every source (open shard files); never throws. */
  async close(): Promise<void> {
    await Promise.all(this.sources.map((source) => source?.close?.().catch(() => {})));
  }

  /** Shard indexes found missing or corrupt so far. */
  get badShards(): ReadonlySet<number> {
    return this.#bad;
  }

  /** Read until `needed` verified shards are in hand, data shards first, falling back to parity. */
  async #readShards(
    layout: ReturnType<typeof blockLayout>,
    needed: number,
  ): Promise<(Uint8Array | null)[]> {
    const shards: (Uint8Array | null)[] = this.sources.map(() => null);
    const candidates = this.sources
      .map((source, index) => (source !== null && !this.#bad.has(index) ? index : -1))
      .filter((index) => index >= 0);
    let good = 0;
    let lastError: unknown = undefined;
    while (good < needed && candidates.length > 0) {
      const round = candidates.splice(0, needed - good);
      const frames = await Promise.all(round.map((index) => this.#readFrame(index, layout)));
      const verified = this.#verify(round, frames, layout.shardBytes);
      for (let i = 0; i < round.length; i++) {
        const shard = verified[i];
        if (shard instanceof Uint8Array) {
          shards[round[i]] = shard;
          good += 1;
        } else {
          lastError = shard.error;
          this.#markBad(round[i], shard.error);
        }
      }
    }
    if (good < needed) {
      throw new ObjectError(
        "ReadQuorum",
        `Cannot read the object: ${good} of ${needed} shards readable and intact (${
          describeError(lastError)
        })`,
      );
    }
    return shards;
  }

  async #readFrame(
    index: number,
    layout: ReturnType<typeof blockLayout>,
  ): Promise<Uint8Array | { error: unknown }> {
    try {
      return await this.sources[index]!.readFrame(layout.frameOffset, layout.frameBytes);
    } catch (error) {
      return { error };
    }
  }

  /** One batch hash call for the frames of a round; returns the shard or why it was rejected. */
  #verify(
    indexes: number[],
    frames: (Uint8Array | { error: unknown })[],
    shardBytes: number,
  ): (Uint8Array | { error: unknown })[] {
    const results: (Uint8Array | { error: unknown })[] = frames.map((frame, i) => {
      if (!(frame instanceof Uint8Array)) return frame;
      if (frame.length !== bitrotHashBytes + shardBytes) {
        return {
          error: new Error(`shard ${indexes[i] + 1}: short frame of ${frame.length} bytes`),
        };
      }
      return frame;
    });
    const intact = results.filter((r): r is Uint8Array => r instanceof Uint8Array);
    if (intact.length === 0) return results;
    const hashes = highwayHash256Batch(
      bitrotKey,
      intact.map((frame) => frame.subarray(bitrotHashBytes)),
    );
    let h = 0;
    return results.map((result, i) => {
      if (!(result instanceof Uint8Array)) return result;
      const expected = result.subarray(0, bitrotHashBytes);
      const actual = hashes.subarray(h * bitrotHashBytes, (h + 1) * bitrotHashBytes);
      h += 1;
      if (!equalBytes(expected, actual)) {
        return { error: new Error(`shard ${indexes[i] + 1}: bitrot hash mismatch`) };
      }
      return result.subarray(bitrotHashBytes);
    });
  }

  #markBad(index: number, error: unknown): void {
    if (this.#bad.has(index)) return;
    this.#bad.add(index);
    this.onBadShard(index, error);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One part of the object as the reader needs it. */
export interface ReadPart {
  sizeBytes: number;
  decoder: BlockDecoder;
}

/**
 * Bytes `start..end` (inclusive) of the concatenated parts, block by block, as a web stream.
 * Errors (read quorum lost mid-way) error the stream.
 */
export function streamRange(
  parts: ReadPart[],
  range: { start: number; end: number },
  blockSizeBytes: number,
): ReadableStream<Uint8Array> {
  const iterator = rangeBlocks(parts, range, blockSizeBytes);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return(undefined);
    },
  }, { highWaterMark: 0 });
}

/** One block to serve: which part and block, and the slice of it inside the range. */
interface BlockSlice {
  part: ReadPart;
  block: number;
  from: number;
  to: number;
}

function* rangeSlices(
  parts: ReadPart[],
  range: { start: number; end: number },
  blockSizeBytes: number,
): Generator<BlockSlice> {
  let partStart = 0;
  for (const part of parts) {
    const partEnd = partStart + part.sizeBytes - 1;
    if (part.sizeBytes > 0 && partEnd >= range.start && partStart <= range.end) {
      const from = Math.max(range.start, partStart) - partStart;
      const to = Math.min(range.end, partEnd) - partStart;
      const first = Math.floor(from / blockSizeBytes);
      for (let block = first; block <= Math.floor(to / blockSizeBytes); block++) {
        const blockStart = block * blockSizeBytes;
        yield { part, block, from: Math.max(from - blockStart, 0), to: to - blockStart + 1 };
      }
    }
    partStart += part.sizeBytes;
  }
}

/**
 * The range's bytes block by block, reading block k+1 while block k is consumed (one block
 * of read-ahead: memory stays at two blocks).
 */
async function* rangeBlocks(
  parts: ReadPart[],
  range: { start: number; end: number },
  blockSizeBytes: number,
): AsyncGenerator<Uint8Array> {
  const read = (slice: BlockSlice) =>
    slice.part.decoder.readBlockPieces(slice.part.sizeBytes, slice.block, slice.from, slice.to)
      .then((pieces) => ({ pieces }), (error: unknown) => ({ error }));
  const slices = rangeSlices(parts, range, blockSizeBytes);
  let next = slices.next();
  let pending = next.done ? undefined : read(next.value);
  try {
    while (pending !== undefined) {
      const currentPart = next.value!.part;
      const current = await pending;
      next = slices.next();
      pending = next.done ? undefined : read(next.value);
      // A part whose last block is in hand has no read left: its files are closed now.
      if (next.done || next.value.part !== currentPart) await currentPart.decoder.close();
      if ("error" in current) throw current.error;
      yield* current.pieces;
    }
  } finally {
    // On every way out (end, error, cancelled body): let the read-ahead settle, then close.
    await pending;
    await Promise.all(parts.map((part) => part.decoder.close()));
  }
}
