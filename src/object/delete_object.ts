/**
 * DeleteObject on one erasure set (spec §8.2): remove the null version (unversioned), add a
 * delete marker (enabled: new id; suspended: the null marker replaces the null version), or
 * remove exactly one version. Delete quorum is N/2 + 1 whatever the object's parity.
 */
import { deleteVersion, encodeXlMeta, findVersion } from "../metadata/xl_meta.ts";
import type { DeleteMarkerVersion, Version, XlMeta } from "../metadata/types.ts";
import { commitVersion } from "./commit.ts";
import { apiVersionId, storedVersionId } from "./object_info.ts";
import {
  type DeleteObjectOptions,
  type DeleteObjectResult,
  ObjectError,
  type VersioningState,
} from "./object_layer.ts";
import { deleteQuorum, onAllDrives, requireQuorum } from "./quorum.ts";
import { type DriveMetas, readAllMetadata } from "./read_metadata.ts";
import { objectResource, type SetContext } from "./set_context.ts";

export interface DeleteOptions extends DeleteObjectOptions {
  versioning: VersioningState;
  /**
   * Called under the key's write lock with the version about to be removed (not for delete
   * markers being added); throws to refuse, e.g. ObjectLocked for a retained version.
   */
  guard?: (version: Version) => void;
}

export async function deleteObject(
  ctx: SetContext,
  bucket: string,
  path: string,
  options: DeleteOptions,
): Promise<DeleteObjectResult> {
  const unlock = await ctx.locks.lock(objectResource(bucket, path), "write");
  try {
    const current = await readAllMetadata(ctx.drives, bucket, path);
    const answered = current.states.filter((state) => state === "ok" || state === "missing").length;
    const quorum = deleteQuorum(ctx.drives.length);
    if (answered < quorum) {
      throw new ObjectError(
        "WriteQuorum",
        `Cannot delete ${bucket}/${path}: ${answered} of ${ctx.drives.length} drives answered, ${quorum} needed`,
      );
    }
    const versionId = storedVersionId(options.versionId);
    if (versionId !== undefined || options.versioning === "Unversioned") {
      const target = firstCopyOf(current, versionId ?? "");
      if (target !== undefined) options.guard?.(target);
      const removed = await removeVersion(ctx, {
        bucket,
        path,
        current,
        versionId: versionId ?? "",
      });
      return {
        versionId: apiVersionId(versionId ?? "", options.versioning),
        deleteMarker: removed?.kind === "deleteMarker",
      };
    }
    const marker: DeleteMarkerVersion = {
      kind: "deleteMarker",
      versionId: options.versioning === "Enabled" ? ctx.randomUuid() : "",
      modTimeNs: ctx.clock.nowNs(),
      metaSys: new Map(),
    };
    // A marker is committed like a new version on every drive (creating xl.meta where none
    // exists); a suspended bucket's null marker replaces the null version, whose data dir
    // is trashed after quorum.
    let result;
    try {
      result = await commitVersion(ctx.drives, {
        volume: bucket,
        path,
        versionFor: () => marker,
        current,
        writeQuorum: quorum,
        what: `delete marker of ${bucket}/${path}`,
      });
    } catch (error) {
      // A key that cannot exist (its parent is an object, or it is a prefix): nothing to delete.
      if (isNamespaceConflict(error)) return { versionId: "", deleteMarker: false };
      throw error;
    }
    if (result.failedPositions.length > 0) ctx.queueHeal(bucket, path, marker.versionId);
    return { versionId: apiVersionId(marker.versionId, options.versioning), deleteMarker: true };
  } finally {
    unlock();
  }
}

/** The version as the first drive holding it stores it (drives agree on what matters to a guard). */
function firstCopyOf(current: DriveMetas, versionId: string): Version | undefined {
  for (const meta of current.metas) {
    const version = meta && findVersion(meta, versionId);
    if (version) return version;
  }
  return undefined;
}

function isNamespaceConflict(error: unknown): boolean {
  return error instanceof ObjectError &&
    (error.code === "ParentIsObject" || error.code === "ObjectExistsAsDirectory");
}

/**
 * Remove one version from every drive's xl.meta. Per drive: rewrite xl.meta without it (or
 * delete xl.meta when nothing remains), then trash its data dir. A crash between the two
 * leaves an unreferenced data dir (garbage, invisible to readers).
 */
async function removeVersion(
  ctx: SetContext,
  input: { bucket: string; path: string; current: DriveMetas; versionId: string },
): Promise<Version | undefined> {
  let removedAny: Version | undefined;
  const outcomes = await onAllDrives(ctx.drives, async (drive, position) => {
    if (input.current.states[position] === "offline") throw new Error("drive offline");
    const meta = input.current.metas[position];
    if (meta === undefined) return;
    const copy: XlMeta = { versions: [...meta.versions], inlineData: new Map(meta.inlineData) };
    const removed = deleteVersion(copy, input.versionId);
    if (removed === undefined) return;
    removedAny ??= removed;
    if (copy.versions.length === 0) {
      await drive.deletePath(input.bucket, `${input.path}/xl.meta`, { recursive: false });
    } else {
      await drive.writeMetadata(input.bucket, input.path, encodeXlMeta(copy));
    }
    if (
      removed.kind === "object" &&
      !copy.versions.some((v) => v.kind === "object" && v.dataDir === removed.dataDir)
    ) {
      await drive.deletePath(input.bucket, `${input.path}/${removed.dataDir}`, { recursive: true });
    }
  });
  requireQuorum(
    outcomes,
    deleteQuorum(ctx.drives.length),
    "WriteQuorum",
    `delete ${input.bucket}/${input.path}`,
  );
  return removedAny;
}
