/**
 * The commit of a new version on every drive of the set (spec §8.1 steps 8–10), shared by
 * PutObject, CompleteMultipartUpload and healing: build each drive's new xl.meta from its own
 * current one, `renameData` in parallel, undo on the drives that succeeded when write quorum
 * is lost, and trash the replaced data dir on success.
 *
 * Must be called under the write lock of the object, with `current` read under that lock.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import { ObjectError } from "./object_layer.ts";
import { addVersion, encodeXlMeta } from "../metadata/xl_meta.ts";
import type { Version, XlMeta } from "../metadata/types.ts";
import type { DriveMetas } from "./read_metadata.ts";
import { isDriveError, onAllDrives, type Outcome, requireQuorum } from "./quorum.ts";

export interface CommitPlan {
  volume: string;
  path: string;
  /** This drive position's copy of the new version (EcIndex set), or null to skip the drive. */
  versionFor: (position: number) => Version | null;
  /** This drive position's inline value (bitrot frames), if the version is inline. */
  inlineFor?: (position: number) => Uint8Array | undefined;
  /** Staged data dir per drive: `<volume>/<path>` is moved to `<object>/<dataDir>`. */
  staged?: { volume: string; path: string; dataDir: string };
  current: DriveMetas;
  writeQuorum: number;
  what: string;
}

export interface CommitResult {
  outcomes: Outcome<void>[];
  /** Drive positions that did not take the new version (to heal later). */
  failedPositions: number[];
}

/** Key of a version's entry in the inline data section ("null" for the null version). */
export function inlineKey(versionId: string): string {
  return versionId === "" ? "null" : versionId;
}

export async function commitVersion(
  drives: readonly StorageDrive[],
  plan: CommitPlan,
): Promise<CommitResult> {
  const oldDataDirs: (string | undefined)[] = drives.map(() => undefined);
  // Step 1: renameData on every drive. A crash during this step leaves each drive either
  // with its old xl.meta (and the staged dir in tmp, removed at next start) or with the new
  // xl.meta, the new data dir and `<oldDataDir>/xl.meta.bkp`; readers pick by quorum.
  const outcomes = await onAllDrives(drives, async (drive, position) => {
    const version = plan.versionFor(position);
    if (version === null) throw new Error("drive skipped: its shard was not written");
    const { xlMeta, oldDataDir, previous } = nextXlMeta(plan, position, version);
    oldDataDirs[position] = oldDataDir;
    await drive.renameData(plan.volume, plan.path, {
      xlMeta,
      ...(plan.staged ? { stagedDataDir: plan.staged } : {}),
      ...(oldDataDir !== undefined && previous !== undefined
        ? { backup: { oldDataDir, previousXlMeta: previous } }
        : {}),
    });
  });
  try {
    requireNoNamespaceConflict(outcomes, plan.writeQuorum, `commit ${plan.what}`);
    requireQuorum(outcomes, plan.writeQuorum, "WriteQuorum", `commit ${plan.what}`);
  } catch (error) {
    // Step 2 (quorum lost): restore the previous xl.meta where the commit landed. A crash
    // here leaves a minority of drives with the new version; the read quorum merge ignores
    // it and heal removes it as dangling.
    await undoCommit(drives, plan, outcomes);
    throw error;
  }
  // Step 3 (committed): trash replaced data dirs. A crash here leaves an unreferenced data
  // dir with an xl.meta.bkp inside: garbage that healing or a later overwrite removes.
  await onAllDrives(drives, async (drive, position) => {
    const oldDataDir = oldDataDirs[position];
    if (!outcomes[position].ok || oldDataDir === undefined) return;
    await drive.deletePath(plan.volume, `${plan.path}/${oldDataDir}`, { recursive: true });
  });
  return {
    outcomes,
    failedPositions: outcomes.flatMap((outcome, position) => (outcome.ok ? [] : [position])),
  };
}

/**
 * MinIO's object-or-prefix rule: when a write quorum of drives refused the name because its
 * parent is an object (or objects live under it), that is the answer, not a lost quorum.
 */
export function requireNoNamespaceConflict(
  outcomes: readonly Outcome<unknown>[],
  quorum: number,
  action: string,
): void {
  for (const code of ["ParentIsObject", "ObjectExistsAsDirectory"] as const) {
    const count = outcomes.filter((o) => !o.ok && isDriveError(o.error, code)).length;
    if (count < quorum) continue;
    const why = code === "ParentIsObject"
      ? "a parent of the key is an object"
      : "objects exist under the key as a prefix";
    throw new ObjectError(code, `Cannot ${action}: ${why}`);
  }
}

/**
 * The drive's new xl.meta: its current one (or empty) plus the version. When the version
 * replaces one with a data dir no other version uses, that dir is the `oldDataDir`.
 */
function nextXlMeta(
  plan: CommitPlan,
  position: number,
  version: Version,
): { xlMeta: Uint8Array; oldDataDir?: string; previous?: Uint8Array } {
  const current = plan.current.metas[position];
  const meta: XlMeta = current === undefined
    ? { versions: [], inlineData: new Map() }
    : { versions: [...current.versions], inlineData: new Map(current.inlineData) };
  const oldDataDir = replacedDataDir(meta, version);
  meta.inlineData.delete(inlineKey(version.versionId));
  const inline = plan.inlineFor?.(position);
  addVersion(meta, version, inline);
  return {
    xlMeta: encodeXlMeta(meta),
    ...(oldDataDir === undefined ? {} : { oldDataDir }),
    ...(plan.current.raw[position] === undefined ? {} : { previous: plan.current.raw[position] }),
  };
}

function replacedDataDir(meta: XlMeta, version: Version): string | undefined {
  const previous = meta.versions.find((v) => v.versionId === version.versionId);
  if (previous === undefined || previous.kind !== "object") return undefined;
  if (version.kind === "object" && version.dataDir === previous.dataDir) return undefined;
  if (meta.inlineData.has(inlineKey(previous.versionId))) return undefined;
  const shared = meta.versions.some((v) =>
    v !== previous && v.kind === "object" && v.dataDir === previous.dataDir
  );
  return shared ? undefined : previous.dataDir;
}

async function undoCommit(
  drives: readonly StorageDrive[],
  plan: CommitPlan,
  outcomes: Outcome<void>[],
): Promise<void> {
  await onAllDrives(drives, async (drive, position) => {
    if (!outcomes[position].ok) return;
    const previous = plan.current.raw[position];
    if (previous !== undefined) await drive.writeMetadata(plan.volume, plan.path, previous);
    else await drive.deletePath(plan.volume, `${plan.path}/xl.meta`, { recursive: false });
    if (plan.staged !== undefined) {
      const previousVersion = plan.current.metas[position]?.versions.find((v) =>
        v.kind === "object" && v.dataDir === plan.staged!.dataDir
      );
      if (previousVersion === undefined) {
        await drive.deletePath(plan.volume, `${plan.path}/${plan.staged.dataDir}`, {
          recursive: true,
        });
      }
    }
  });
}
