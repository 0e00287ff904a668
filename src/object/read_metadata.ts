/**
 * Reading `xl.meta` from every drive of the set and choosing the version to serve by quorum
 * (spec §8.3): the latest via the non-strict version merge, or a named version id.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import { decodeXlMeta, mergeVersions } from "../metadata/xl_meta.ts";
import type { ErasureInfo, ObjectVersion, Version, XlMeta } from "../metadata/types.ts";
import { ObjectError, type VersioningState } from "./object_layer.ts";
import { apiVersionId } from "./object_info.ts";
import { isNotFound, maxParity, metadataMergeQuorum, readQuorum } from "./quorum.ts";

/** What every drive answered for one object path. */
export interface DriveMetas {
  /** Decoded xl.meta per drive position (with inline data); undefined when absent/unreadable. */
  metas: (XlMeta | undefined)[];
  /** The raw bytes per drive position (to restore on undo). */
  raw: (Uint8Array | undefined)[];
  /** Per drive position: "ok", "missing" (FileNotFound), "corrupt" (undecodable) or "offline". */
  states: ("ok" | "missing" | "corrupt" | "offline")[];
}

export async function readAllMetadata(
  drives: readonly StorageDrive[],
  volume: string,
  path: string,
): Promise<DriveMetas> {
  const answers = await Promise.all(drives.map(async (drive) => {
    let raw: Uint8Array;
    try {
      raw = await drive.readMetadata(volume, path);
    } catch (error) {
      return { state: isNotFound(error) ? "missing" as const : "offline" as const };
    }
    try {
      return { state: "ok" as const, raw, meta: decodeXlMeta(raw, { withInlineData: true }) };
    } catch {
      return { state: "corrupt" as const, raw };
    }
  }));
  return {
    metas: answers.map((answer) => ("meta" in answer ? answer.meta : undefined)),
    raw: answers.map((answer) => ("raw" in answer ? answer.raw : undefined)),
    states: answers.map((answer) => answer.state),
  };
}

/** The chosen version and the drive positions whose xl.meta holds that same version. */
export interface PickedVersion {
  version: Version;
  /** Per drive position: that drive's copy of the version (its EcIndex differs), or undefined. */
  copies: (Version | undefined)[];
  /** true when it is the latest version of the object (for ObjectInfo.isLatest). */
  isLatest: boolean;
}

/**
 * The version to serve: the latest by quorum merge when `versionId` is undefined, else that
 * id ("" = null version). Throws NoSuchKey / NoSuchVersion / ReadQuorum (and NoSuchKey or
 * MethodNotAllowed carrying `deleteMarker` when the choice is a delete marker and
 * `allowDeleteMarker` is false).
 */
export function pickVersion(
  found: DriveMetas,
  options: {
    versionId?: string;
    versioning: VersioningState;
    allowDeleteMarker: boolean;
    what: string;
  },
): PickedVersion {
  const driveCount = found.metas.length;
  const answered = found.states.filter((state) => state === "ok" || state === "missing").length;
  if (answered < metadataMergeQuorum(driveCount)) {
    throw new ObjectError(
      "ReadQuorum",
      `Cannot read ${options.what}: only ${answered} of ${driveCount} drives answered`,
    );
  }
  const latest = latestByQuorum(found);
  const versionId = options.versionId ?? latest?.versionId;
  if (versionId === undefined) {
    throw notFoundOrQuorum(found, "NoSuchKey", `Cannot find ${options.what}`);
  }
  const picked = agreeingCopies(found, versionId);
  if (picked === undefined) {
    const code = options.versionId === undefined ? "NoSuchKey" : "NoSuchVersion";
    throw notFoundOrQuorum(
      found,
      code,
      `Cannot find version "${versionId}" of ${options.what}`,
      versionId,
    );
  }
  const isLatest = latest !== undefined && latest.versionId === picked.version.versionId;
  if (picked.version.kind === "deleteMarker" && !options.allowDeleteMarker) {
    const deleteMarker = { versionId: apiVersionId(picked.version.versionId, options.versioning) };
    if (options.versionId === undefined) {
      throw new ObjectError(
        "NoSuchKey",
        `Cannot read ${options.what}: its latest version is a delete marker`,
        {
          deleteMarker,
        },
      );
    }
    throw new ObjectError(
      "MethodNotAllowed",
      `Cannot read ${options.what}: the version is a delete marker`,
      {
        deleteMarker,
      },
    );
  }
  return { ...picked, isLatest };
}

/** The first entry of the quorum merge of the drives' version lists, if any. */
export function latestByQuorum(found: DriveMetas): Version | undefined {
  const merged = mergeVersions(found.metas, metadataMergeQuorum(found.metas.length));
  return merged[0];
}

/**
 * The most common variant of `versionId` across the drives and the copies that agree with it
 * (same type, ModTime, data dir and erasure layout; spec §8.3 steps 4–6); undefined unless
 * they reach the version's read quorum.
 */
function agreeingCopies(
  found: DriveMetas,
  versionId: string,
): { version: Version; copies: (Version | undefined)[] } | undefined {
  const all = found.metas.map((meta) => meta?.versions.find((v) => v.versionId === versionId));
  const reference = mostCommonCopy(all);
  if (reference === undefined) return undefined;
  const copies = all.map((
    copy,
  ) => (copy !== undefined && sameVersion(copy, reference) ? copy : undefined));
  const count = copies.filter((copy) => copy !== undefined).length;
  if (count < versionReadQuorum(reference, found.metas.length)) return undefined;
  return { version: copies.find((copy) => copy !== undefined)!, copies };
}

/** Read quorum of a version: D for objects; delete markers and empty objects count as parity N/2. */
export function versionReadQuorum(version: Version, driveCount: number): number {
  if (version.kind === "object" && version.sizeBytes > 0) {
    return readQuorum(version.erasure.dataShards);
  }
  if (version.kind === "object") {
    return Math.min(version.erasure.dataShards, driveCount - maxParity(driveCount));
  }
  return driveCount - maxParity(driveCount);
}

function mostCommonCopy(copies: (Version | undefined)[]): Version | undefined {
  let best: Version | undefined = undefined;
  let bestCount = 0;
  for (const candidate of copies) {
    if (candidate === undefined) continue;
    const count = copies.filter((other) =>
      other !== undefined && sameVersion(other, candidate)
    ).length;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Two drives' copies describe the same version (spec §8.3 steps 4–6; EcIndex differs by design). */
export function sameVersion(a: Version, b: Version): boolean {
  if (a.kind !== b.kind || a.versionId !== b.versionId || a.modTimeNs !== b.modTimeNs) return false;
  if (a.kind !== "object" || b.kind !== "object") return true;
  return a.dataDir === b.dataDir && a.sizeBytes === b.sizeBytes &&
    sameErasure(a.erasure, b.erasure) &&
    sameParts(a, b);
}

function sameErasure(a: ErasureInfo, b: ErasureInfo): boolean {
  return a.dataShards === b.dataShards && a.parityShards === b.parityShards &&
    a.blockSizeBytes === b.blockSizeBytes && a.distribution.length === b.distribution.length &&
    a.distribution.every((value, i) => value === b.distribution[i]);
}

function sameParts(a: ObjectVersion, b: ObjectVersion): boolean {
  return a.parts.length === b.parts.length &&
    a.parts.every((part, i) =>
      part.number === b.parts[i].number && part.sizeBytes === b.parts[i].sizeBytes
    );
}

/**
 * "Not found" when enough drives said so; ReadQuorum when the drives that could not answer
 * might hold enough copies (of `versionId`, when some drive has one) to change the answer.
 */
function notFoundOrQuorum(
  found: DriveMetas,
  code: "NoSuchKey" | "NoSuchVersion",
  message: string,
  versionId?: string,
): ObjectError {
  const unknown = found.states.filter((state) => state === "offline" || state === "corrupt").length;
  const driveCount = found.states.length;
  const copies = versionId === undefined
    ? []
    : found.metas.flatMap((meta) => meta?.versions.filter((v) => v.versionId === versionId) ?? []);
  const reference = mostCommonCopy(copies);
  if (
    reference !== undefined && copies.length + unknown >= versionReadQuorum(reference, driveCount)
  ) {
    return new ObjectError(
      "ReadQuorum",
      `${message}: ${copies.length} of ${driveCount} drives hold it and ${unknown} could not answer`,
    );
  }
  if (unknown > maxParity(driveCount) && unknown >= metadataMergeQuorum(driveCount)) {
    return new ObjectError(
      "ReadQuorum",
      `${message}: ${unknown} of ${driveCount} drives could not answer`,
    );
  }
  return new ObjectError(code, message);
}
