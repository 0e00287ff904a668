/**
 * What the operations side needs from the object layer: storage info for health, metrics and
 * `admin info`; heal for `admin heal` and for drives that come back. `ServerPools` provides it.
 */
import type { HealFormatResult, HealResult, StorageInfo } from "../object/mod.ts";

export type { HealFormatResult, HealResult, StorageInfo };

export interface AdminLayer {
  storageInfo(): Promise<StorageInfo>;
  healBucket(
    bucket: string,
    prefix: string,
    onProgress: (result: HealResult) => void,
  ): Promise<{ objectsChecked: number; objectsHealed: number }>;
  healFormat(): Promise<HealFormatResult>;
  listBuckets(): Promise<{ name: string }[]>;
}

/** Data and parity drives of each pool's sets, from the topology (same for every set of a pool). */
export interface PoolLayout {
  index: number;
  setCount: number;
  setDriveCount: number;
  parityDrives: number;
}

/** MinIO's write quorum of a set: data drives, plus one when data = parity (spec §2). */
export function writeQuorumOf(layout: PoolLayout): number {
  const dataDrives = layout.setDriveCount - layout.parityDrives;
  return dataDrives === layout.parityDrives ? dataDrives + 1 : dataDrives;
}

/** MinIO's read quorum of a set: the data drives. */
export function readQuorumOf(layout: PoolLayout): number {
  return layout.setDriveCount - layout.parityDrives;
}
