/**
 * Metadata-only change of one version (tags, metadata replace on self-copy), in place on
 * every drive that holds the version (spec §8.2). Each drive's xl.meta is rewritten
 * atomically by the drive; a crash part-way leaves some drives with the old metadata, which
 * the quorum read and healing reconcile.
 */
import { addVersion, encodeXlMeta } from "../metadata/xl_meta.ts";
import type { ObjectVersion, XlMeta } from "../metadata/types.ts";
import { inlineKey } from "./commit.ts";
import {
  buildMetaUser,
  encodeTags,
  metaUserValue,
  taggingKey,
  toObjectInfo,
} from "./object_info.ts";
import { ObjectError, type ObjectInfo, type VersioningState } from "./object_layer.ts";
import { onAllDrives, requireQuorum, writeQuorum } from "./quorum.ts";
import { withPickedVersion } from "./get_object.ts";
import { decodeDirObject } from "./placement.ts";
import type { SetContext } from "./set_context.ts";

export async function updateObjectMetadata(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: {
    versionId?: string;
    metadata?: Record<string, string>;
    tags?: Record<string, string>;
    versioning: VersioningState;
    /**
     * A last change of the MetaUsr, decided under the write lock on the version as stored
     * (Object Lock retention and legal hold); it may throw to refuse the update.
     */
    patchMetaUser?: (metaUser: ReadonlyMap<string, string>) => Map<string, string>;
  },
): Promise<ObjectInfo> {
  const target = { bucket, path, mode: "write" as const };
  return await withPickedVersion(ctx, target, options, async (found, picked) => {
    if (picked.version.kind !== "object") {
      throw new ObjectError("MethodNotAllowed", `Cannot update ${bucket}/${path}: legacy version`);
    }
    const nextUser = nextMetaUser(picked.version, options);
    const updatedUser = options.patchMetaUser?.(nextUser) ?? nextUser;
    const outcomes = await onAllDrives(ctx.drives, async (drive, position) => {
      const copy = picked.copies[position];
      const meta = found.metas[position];
      if (copy === undefined || copy.kind !== "object" || meta === undefined) {
        throw new Error("stale copy");
      }
      const next: XlMeta = { versions: [...meta.versions], inlineData: new Map(meta.inlineData) };
      addVersion(
        next,
        { ...copy, metaUser: updatedUser },
        meta.inlineData.get(inlineKey(copy.versionId)),
      );
      await drive.writeMetadata(bucket, path, encodeXlMeta(next));
    });
    const { dataShards, parityShards } = picked.version.erasure;
    requireQuorum(
      outcomes,
      writeQuorum(dataShards, parityShards),
      "WriteQuorum",
      `update ${bucket}/${path}`,
    );
    if (outcomes.some((outcome) => !outcome.ok)) {
      ctx.queueHeal(bucket, path, picked.version.versionId);
    }
    return toObjectInfo(
      bucket,
      decodeDirObject(path),
      { ...picked.version, metaUser: updatedUser },
      {
        versioning: options.versioning,
        isLatest: picked.isLatest,
      },
    );
  });
}

/** The version's MetaUsr with metadata replaced and/or tags replaced; etag always kept. */
function nextMetaUser(
  version: ObjectVersion,
  options: { metadata?: Record<string, string>; tags?: Record<string, string> },
): Map<string, string> {
  const etag = metaUserValue(version, "etag") ?? "";
  const tagging = metaUserValue(version, taggingKey);
  let next = new Map(version.metaUser);
  if (options.metadata !== undefined) {
    next = buildMetaUser({
      metadata: options.metadata,
      contentType: options.metadata["content-type"],
    }, etag);
    if (tagging !== undefined) next.set(taggingKey, tagging);
  }
  if (options.tags !== undefined) {
    for (const key of [...next.keys()]) {
      if (key.toLowerCase() === taggingKey.toLowerCase()) next.delete(key);
    }
    if (Object.keys(options.tags).length > 0) next.set(taggingKey, encodeTags(options.tags));
  }
  return next;
}
