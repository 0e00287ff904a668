/**
 * One erasure set: N drives that store every object of theirs as D data + P parity shards.
 * The operations live in their own files (put_object, get_object, delete_object,
 * multipart, heal); this class wires them to the set's drives, locks, clock and randomness,
 * and owns the bounded background heal queue fed by reads and partial writes.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import { healQueueMax, staleUploadMaxAgeMs } from "../limits.ts";
import { deleteObject, type DeleteOptions } from "./delete_object.ts";
import { concatBytes } from "./erasure_encode.ts";
import { getObject, getObjectInfo } from "./get_object.ts";
import { healObject, type HealResult } from "./heal.ts";
import {
  abortMultipartUpload,
  cleanupStaleUploads,
  completeMultipartUpload,
  deleteBucketUploads,
  listMultipartUploads,
  listObjectParts,
  newMultipartUpload,
  putObjectPart,
} from "./multipart.ts";
import type { NamespaceLocks } from "./namespace_lock.ts";
import type {
  CompleteOptions,
  CompletePart,
  DeleteObjectResult,
  GetObjectOptions,
  ListPartsResult,
  MultipartUploadInfo,
  ObjectInfo,
  ObjectReader,
  PartInfo,
  PutObjectOptions,
  VersioningState,
} from "./object_layer.ts";
import { storedVersionId } from "./object_info.ts";
import { encodeDirObject } from "./placement.ts";
import { putObject } from "./put_object.ts";
import type { ErasureWorkspacePool } from "../kernels/mod.ts";
import { type SetContext, systemVolume } from "./set_context.ts";
import { updateObjectMetadata } from "./update_metadata.ts";

export type { HealResult } from "./heal.ts";

export interface ErasureSetOptions {
  /** In set position order (position d holds shard distribution[d]). */
  drives: StorageDrive[];
  poolIndex: number;
  setIndex: number;
  /** UUID text. */
  deploymentId: string;
  standardParity: number;
  rrsParity: number;
  locks: NamespaceLocks;
  clock: { nowNs(): bigint };
  randomUuid: () => string;
  /** Erasure workspaces shared by the PUTs of every set of the layer (see `SetContext`). */
  workspacePool?: ErasureWorkspacePool;
}

type Versioned = { versioning: VersioningState };

export class ErasureSet {
  readonly drives: StorageDrive[];
  readonly poolIndex: number;
  readonly setIndex: number;
  readonly #ctx: SetContext;
  readonly #healQueue = new Map<string, { bucket: string; path: string; versionId?: string }>();
  #healWorker: Promise<void> | undefined;
  #closed = false;
  /** Counters for tests and metrics. */
  readonly healStats = { queued: 0, dropped: 0, healed: 0, failed: 0 };

  constructor(options: ErasureSetOptions) {
    this.drives = options.drives;
    this.poolIndex = options.poolIndex;
    this.setIndex = options.setIndex;
    this.#ctx = {
      drives: options.drives,
      deploymentId: options.deploymentId,
      standardParity: options.standardParity,
      rrsParity: options.rrsParity,
      locks: options.locks,
      clock: options.clock,
      randomUuid: options.randomUuid,
      queueHeal: (bucket, path, versionId) => this.#queueHeal(bucket, path, versionId),
      ...(options.workspacePool === undefined ? {} : { workspacePool: options.workspacePool }),
    };
  }

  /** `key` may be an S3 key (`photos/`) or already encoded (`photos__XLDIR__`); both map to the same path. */
  putObject(
    bucket: string,
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutObjectOptions & Versioned,
  ): Promise<ObjectInfo> {
    return putObject(this.#ctx, bucket, encodeDirObject(key), body, options);
  }

  getObject(
    bucket: string,
    key: string,
    options: GetObjectOptions & Versioned,
  ): Promise<ObjectReader> {
    return getObject(this.#ctx, bucket, encodeDirObject(key), options);
  }

  getObjectInfo(
    bucket: string,
    key: string,
    options: GetObjectOptions & Versioned,
  ): Promise<ObjectInfo> {
    return getObjectInfo(this.#ctx, bucket, encodeDirObject(key), options);
  }

  deleteObject(
    bucket: string,
    key: string,
    options: DeleteOptions,
  ): Promise<DeleteObjectResult> {
    return deleteObject(this.#ctx, bucket, encodeDirObject(key), options);
  }

  updateObjectMetadata(
    bucket: string,
    key: string,
    options: {
      versionId?: string;
      metadata?: Record<string, string>;
      tags?: Record<string, string>;
      patchMetaUser?: (metaUser: ReadonlyMap<string, string>) => Map<string, string>;
    } & Versioned,
  ): Promise<ObjectInfo> {
    return updateObjectMetadata(this.#ctx, bucket, encodeDirObject(key), options);
  }

  newMultipartUpload(
    bucket: string,
    key: string,
    options: Omit<
      PutObjectOptions,
      "sizeBytes" | "md5Hex" | "checksums" | "ifMatchEtag" | "ifNoneMatch"
    >,
  ): Promise<string> {
    return newMultipartUpload(this.#ctx, bucket, encodeDirObject(key), options);
  }

  putObjectPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array>,
    options: { sizeBytes: number; md5Hex?: string; checksums?: Record<string, string> },
  ): Promise<PartInfo> {
    return putObjectPart(
      this.#ctx,
      { bucket, path: encodeDirObject(key), uploadId, partNumber },
      body,
      options,
    );
  }

  listObjectParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { partNumberMarker: number; maxParts: number },
  ): Promise<ListPartsResult> {
    return listObjectParts(this.#ctx, { bucket, path: encodeDirObject(key), uploadId }, options);
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return abortMultipartUpload(this.#ctx, { bucket, path: encodeDirObject(key), uploadId });
  }

  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePart[],
    options: CompleteOptions & Versioned,
  ): Promise<ObjectInfo> {
    return completeMultipartUpload(
      this.#ctx,
      { bucket, path: encodeDirObject(key), uploadId },
      parts,
      options,
    );
  }

  /** Uploads of this set under `.minio.sys/multipart` for a bucket (pools.ts merges and paginates across sets). */
  listMultipartUploads(bucket: string, prefix: string): Promise<MultipartUploadInfo[]> {
    return listMultipartUploads(this.#ctx, bucket, prefix);
  }

  /** Purge multipart uploads older than `maxAgeMs` (default 24 h); returns how many. */
  cleanupStaleUploads(maxAgeMs: number = staleUploadMaxAgeMs): Promise<number> {
    return cleanupStaleUploads(this.#ctx, maxAgeMs);
  }

  /** Remove every multipart upload of `bucket` held by this set (DeleteBucket); returns how many. */
  deleteBucketUploads(bucket: string): Promise<number> {
    return deleteBucketUploads(this.#ctx, bucket);
  }

  /** Parity drives of new objects of the standard storage class in this set. */
  get standardParity(): number {
    return this.#ctx.standardParity;
  }

  /**
   * Verify and repair one object (all versions, or one; API version id, "null" for the null
   * version): heal-on-read, admin heal, drive replacement. NoSuchKey when no drive holds it.
   */
  healObject(
    bucket: string,
    key: string,
    options: { versionId?: string; deep: boolean },
  ): Promise<HealResult> {
    const versionId = storedVersionId(options.versionId);
    return healObject(this.#ctx, bucket, encodeDirObject(key), {
      deep: options.deep,
      ...(versionId === undefined ? {} : { versionId }),
    });
  }

  /** Small internal objects in `.minio.sys` (bucket metadata), parity N/2. */
  async writeSystemObject(path: string, bytes: Uint8Array): Promise<void> {
    await putObject(this.#ctx, systemVolume, path, streamOf(bytes), {
      sizeBytes: bytes.length,
      metadata: {},
      versioning: "Unversioned",
      maxParity: true,
    });
  }

  /** The whole body of an internal object; ObjectError NoSuchKey when absent. */
  async readSystemObject(path: string): Promise<Uint8Array> {
    const reader = await getObject(this.#ctx, systemVolume, path, { versioning: "Unversioned" });
    const chunks: Uint8Array[] = [];
    const stream = reader.body.getReader();
    for (let next = await stream.read(); !next.done; next = await stream.read()) {
      chunks.push(next.value);
    }
    return concatBytes(chunks);
  }

  async deleteSystemObject(path: string): Promise<void> {
    await deleteObject(this.#ctx, systemVolume, path, { versioning: "Unversioned" });
  }

  /** Resolves when the background heal queue is empty (tests, shutdown). */
  async healsIdle(): Promise<void> {
    while (this.#healWorker !== undefined) await this.#healWorker;
  }

  /** Stop background heals: drop what is queued, wait for the one running. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#healQueue.clear();
    await this.healsIdle();
  }

  #queueHeal(bucket: string, path: string, versionId?: string): void {
    if (this.#closed) return;
    const id = `${bucket}/${path}\u0000${versionId ?? ""}`;
    if (this.#healQueue.has(id)) return;
    if (this.#healQueue.size >= healQueueMax) {
      this.healStats.dropped += 1;
      return;
    }
    this.#healQueue.set(id, { bucket, path, ...(versionId === undefined ? {} : { versionId }) });
    this.healStats.queued += 1;
    this.#healWorker ??= this.#runHeals().finally(() => {
      this.#healWorker = undefined;
    });
  }

  /** Heal queued objects one at a time, in the background (never awaited by a request). */
  async #runHeals(): Promise<void> {
    await Promise.resolve();
    while (!this.#closed && this.#healQueue.size > 0) {
      const [id, item] = this.#healQueue.entries().next().value!;
      this.#healQueue.delete(id);
      try {
        await healObject(this.#ctx, item.bucket, item.path, {
          ...(item.versionId === undefined ? {} : { versionId: item.versionId }),
          deep: true,
        });
        this.healStats.healed += 1;
      } catch {
        this.healStats.failed += 1;
      }
    }
  }
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}
