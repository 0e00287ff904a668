/**
 * Parity of the storage classes (spec/minio-format.md §2.3): the default for a set size, the
 * `EC:N` settings MINIO_STORAGE_CLASS_STANDARD / MINIO_STORAGE_CLASS_RRS, and their limits.
 */
import { TopologyError } from "./topology_error.ts";

/** MinIO `DefaultParityBlocks`: 1 → 0; 2, 3 → 1; 4, 5 → 2; 6, 7 → 3; ≥ 8 → 4. */
export function defaultParity(setDriveCount: number): number {
  if (setDriveCount <= 1) return 0;
  if (setDriveCount <= 3) return 1;
  if (setDriveCount <= 5) return 2;
  if (setDriveCount <= 7) return 3;
  return 4;
}

/** `EC:4` → 4; `variable` names the setting in messages. */
export function parseStorageClass(variable: string, value: string): number {
  const match = /^EC:([0-9]{1,3})$/.exec(value);
  if (!match) {
    throw new TopologyError(
      `Cannot use ${variable}="${value}": it is not of the form EC:<parity drives>; write e.g. EC:2`,
    );
  }
  return Number(match[1]);
}

export interface ParityChoice {
  standardParity: number;
  rrsParity: number;
}

/**
 * Standard parity from `standard` (else the default for the first pool's set size), RRS parity
 * from `rrs` (else 1, or 0 for a single drive); both at most half of every pool's set size,
 * RRS at most standard.
 */
export function chooseParity(
  setDriveCounts: number[],
  env: { standard?: string; rrs?: string },
): ParityChoice {
  const first = setDriveCounts[0];
  const standardParity = env.standard
    ? parseStorageClass("MINIO_STORAGE_CLASS_STANDARD", env.standard)
    : defaultParity(first);
  const rrsParity = env.rrs
    ? parseStorageClass("MINIO_STORAGE_CLASS_RRS", env.rrs)
    : Math.min(1, defaultParity(first));
  for (const count of setDriveCounts) {
    checkAtMostHalf("MINIO_STORAGE_CLASS_STANDARD", standardParity, count);
    checkAtMostHalf("MINIO_STORAGE_CLASS_RRS", rrsParity, count);
  }
  if (rrsParity > standardParity && standardParity > 0) {
    throw new TopologyError(
      `Cannot use MINIO_STORAGE_CLASS_RRS=EC:${rrsParity}: reduced redundancy parity must not exceed the standard parity EC:${standardParity}; lower it or raise MINIO_STORAGE_CLASS_STANDARD`,
    );
  }
  return { standardParity, rrsParity };
}

function checkAtMostHalf(variable: string, parity: number, setDriveCount: number): void {
  const max = Math.floor(setDriveCount / 2);
  if (parity <= max) return;
  throw new TopologyError(
    `Cannot use ${variable}=EC:${parity}: erasure sets of ${setDriveCount} drives allow at most EC:${max}; lower the parity or use larger sets`,
  );
}
