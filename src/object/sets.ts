/**
 * One pool: the erasure sets built from one ellipsis argument. An object belongs to exactly one
 * set of the pool, chosen from its encoded key alone (SipHash-2-4 keyed by the deployment id,
 * spec §3.1), so finding it never needs a lookup.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import type { ErasureSet } from "./erasure_set.ts";
import type { ListSet } from "./list.ts";
import { setIndexForKey } from "./placement.ts";
import { onAllDrives } from "./quorum.ts";

export class PoolSets {
  constructor(
    readonly poolIndex: number,
    readonly sets: readonly ErasureSet[],
    readonly deploymentId: string,
  ) {}

  /** Index of the set that holds `encodedKey` (directory objects already end in `__XLDIR__`). */
  indexForKey(encodedKey: string): number {
    return setIndexForKey(encodedKey, this.deploymentId, this.sets.length);
  }

  setForKey(encodedKey: string): ErasureSet {
    return this.sets[this.indexForKey(encodedKey)];
  }

  /** The sets as listings see them: their drives, tagged with this pool. */
  listSets(): ListSet[] {
    return this.sets.map((set) => ({ poolIndex: this.poolIndex, drives: set.drives }));
  }

  /** Free bytes of the set that would hold `encodedKey`: the sum over its answering drives. */
  freeBytesForKey(encodedKey: string): Promise<number> {
    return freeBytesOf(this.setForKey(encodedKey).drives);
  }

  allDrives(): StorageDrive[] {
    return this.sets.flatMap((set) => [...set.drives]);
  }
}

/** Sum of the free bytes the drives report; drives that do not answer count as full. */
export async function freeBytesOf(drives: readonly StorageDrive[]): Promise<number> {
  const outcomes = await onAllDrives(drives, (drive) => drive.info());
  let freeBytes = 0;
  for (const outcome of outcomes) if (outcome.ok) freeBytes += outcome.value.freeBytes;
  return freeBytes;
}
