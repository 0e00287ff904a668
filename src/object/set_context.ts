/**
 * What every operation of one erasure set needs: its drives in position order, parity
 * settings, locks, and the injected clock and randomness. Passed explicitly; no module state.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import type { ErasureWorkspacePool } from "../kernels/mod.ts";
import type { NamespaceLocks } from "./namespace_lock.ts";

export interface SetContext {
  drives: StorageDrive[];
  deploymentId: string;
  standardParity: number;
  rrsParity: number;
  locks: NamespaceLocks;
  clock: { nowNs(): bigint };
  randomUuid: () => string;
  /** Ask for a background heal of an object (never blocks; dropped when the queue is full). */
  queueHeal: (bucket: string, path: string, versionId?: string) => void;
  /**
   * Erasure workspaces PUTs borrow and give back (one pool per object layer). Without it a PUT
   * of less than `limits.putWorkspaceMinBytes` encodes in plain buffers, a larger one in
   * workspaces of its own.
   */
  workspacePool?: ErasureWorkspacePool;
}

/** Volume of internal objects, multipart uploads and staging (spec §1.1). */
export const systemVolume = ".minio.sys";

/** Lock resource name of an object path. */
export function objectResource(bucket: string, path: string): string {
  return `${bucket}/${path}`;
}

/**
 * Whether each drive is online (for the parity upgrade of availability-optimised writes).
 * A drive that tracks its own state (`state: "online" | "offline"`, as `HealthCheckedDrive`
 * does) is taken at its word, like MinIO's `IsOnline()`; any other drive is asked `info()`.
 */
export async function onlineDrives(drives: readonly StorageDrive[]): Promise<boolean[]> {
  return await Promise.all(drives.map(async (drive) => {
    const tracked = (drive as { state?: unknown }).state;
    if (tracked === "online" || tracked === "offline") return tracked === "online";
    try {
      await drive.info();
      return true;
    } catch {
      return false;
    }
  }));
}
