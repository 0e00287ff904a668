/**
 * What the operations side needs from the object layer: storage info for health, metrics and
 * `admin info`; heal for `admin heal` and for drives that come back. `ServerPools` provides it.
 */
import type { AdminObjectLayer, HealFormatResult, HealResult, StorageInfo } from "../object/mod.ts";
import type { ObjectLayer } from "../object/object_layer.ts";

export type { HealFormatResult, HealResult, StorageInfo };

export type AdminLayer = AdminObjectLayer & Pick<ObjectLayer, "listBuckets">;

/** One erasure set as storageInfo() reports it: its drives and its own parity. */
export interface SetLayout {
  parityDrives: number;
  drives: readonly unknown[];
}

/** Write quorum of a set from its own parity (what the set's objects are written with). */
export function setWriteQuorum(set: SetLayout): number {
  return writeQuorumOf({ setDriveCount: set.drives.length, parityDrives: set.parityDrives });
}

/** Read quorum of a set from its own parity. */
export function setReadQuorum(set: SetLayout): number {
  return readQuorumOf({ setDriveCount: set.drives.length, parityDrives: set.parityDrives });
}

/** Data and parity drives of each pool's sets, from the topology (same for every set of a pool). */
export interface PoolLayout {
  index: number;
  setCount: number;
  setDriveCount: number;
  parityDrives: number;
}

/** MinIO's write quorum of a set: data drives, plus one when data = parity (spec §2). */
export function writeQuorumOf(
  layout: Pick<PoolLayout, "setDriveCount" | "parityDrives">,
): number {
  const dataDrives = layout.setDriveCount - layout.parityDrives;
  return dataDrives === layout.parityDrives ? dataDrives + 1 : dataDrives;
}

/** MinIO's read quorum of a set: the data drives. */
export function readQuorumOf(
  layout: Pick<PoolLayout, "setDriveCount" | "parityDrives">,
): number {
  return layout.setDriveCount - layout.parityDrives;
}
