/**
 * Quorum arithmetic (spec §2.3, §2.4) and the counting of per-drive outcomes.
 *
 * A set of N drives stores an object as D data + P parity shards (D + P = N). Every
 * multi-drive step collects one outcome per drive and then asks whether enough succeeded.
 */
import { DriveError } from "../drive/storage_drive.ts";
import { ObjectError } from "./object_layer.ts";

/** Drives that must accept a write: D, plus one when D == P so two halves cannot both win. */
export function writeQuorum(dataShards: number, parityShards: number): number {
  return dataShards === parityShards ? dataShards + 1 : dataShards;
}

/** Drives that must return a good shard (or agreeing metadata) for a read: D. */
export function readQuorum(dataShards: number): number {
  return dataShards;
}

/** Deletes use a fixed quorum regardless of the object's parity (spec §8.2). */
export function deleteQuorum(driveCount: number): number {
  return Math.floor(driveCount / 2) + 1;
}

/** Quorum used to merge the version lists of the drives (spec §8.3 step 2). */
export function metadataMergeQuorum(driveCount: number): number {
  return Math.floor((driveCount + 1) / 2);
}

/** Highest parity a set allows (also the parity of internal config objects, "MaxParity"). */
export function maxParity(driveCount: number): number {
  return Math.floor(driveCount / 2);
}

/**
 * Parity for a new object: the storage class's parity raised by the number of offline drives
 * (availability-optimised, spec §2.3), capped at N/2. Throws WriteQuorum when half or more of
 * the drives are offline (nothing could reach write quorum).
 */
export function parityForNewObject(
  options: { driveCount: number; classParity: number; offlineCount: number },
): { parityShards: number; upgradedFrom?: number } {
  const { driveCount, classParity, offlineCount } = options;
  if (driveCount > 1 && offlineCount >= Math.ceil(driveCount / 2)) {
    throw new ObjectError(
      "WriteQuorum",
      `Cannot write: ${offlineCount} of ${driveCount} drives of the set are offline`,
    );
  }
  if (driveCount === 1 && offlineCount > 0) {
    throw new ObjectError("WriteQuorum", "Cannot write: the only drive of the set is offline");
  }
  const parityShards = Math.min(classParity + offlineCount, maxParity(driveCount));
  return parityShards === classParity
    ? { parityShards }
    : { parityShards, upgradedFrom: classParity };
}

/** One drive's outcome of a step: a value or the error it failed with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Run `step` on every drive in parallel; never rejects, one outcome per drive in order. */
export function onAllDrives<D, T>(
  drives: readonly D[],
  step: (drive: D, position: number) => Promise<T>,
): Promise<Outcome<T>[]> {
  return Promise.all(drives.map(async (drive, position): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await step(drive, position) };
    } catch (error) {
      return { ok: false, error };
    }
  }));
}

export function countOk<T>(outcomes: readonly Outcome<T>[]): number {
  return outcomes.filter((outcome) => outcome.ok).length;
}

export function isDriveError(error: unknown, code: DriveError["code"]): boolean {
  return error instanceof DriveError && error.code === code;
}

/** "Not there" as opposed to "could not ask": the drive answered that the path is absent. */
export function isNotFound(error: unknown): boolean {
  return isDriveError(error, "FileNotFound") || isDriveError(error, "VolumeNotFound");
}

/** Throw `code` unless at least `quorum` outcomes succeeded; the message names the first failure. */
export function requireQuorum<T>(
  outcomes: readonly Outcome<T>[],
  quorum: number,
  code: "ReadQuorum" | "WriteQuorum",
  action: string,
): void {
  const okCount = countOk(outcomes);
  if (okCount >= quorum) return;
  const firstFailure = outcomes.find((outcome) => !outcome.ok);
  const reason = firstFailure && !firstFailure.ok ? describeError(firstFailure.error) : "";
  const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error]));
  if (failures.filter((error) => isDriveError(error, "VolumeNotFound")).length >= quorum) {
    throw new ObjectError("NoSuchBucket", `Cannot ${action}: the bucket does not exist`);
  }
  if (outcomes.some((o) => !o.ok && isDriveError(o.error, "DriveFull")) && code === "WriteQuorum") {
    throw new ObjectError("DriveFull", `Cannot ${action}: drives are full (${reason})`);
  }
  throw new ObjectError(
    code,
    `Cannot ${action}: ${okCount} of ${outcomes.length} drives succeeded, ${quorum} needed (${reason})`,
    { cause: firstFailure && !firstFailure.ok ? firstFailure.error : undefined },
  );
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
