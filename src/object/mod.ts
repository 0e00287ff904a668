/**
 * The object layer's entry point: from a topology and a way to open drives to a running
 * ServerPools. Start-up, step by step:
 *
 * 1. open every drive of every pool (`makeDrive`), in command-line order;
 * 2. bring their formats to agreement (`drive/format.ts`): a new deployment is formatted, an
 *    existing one checked (drives in the wrong place refuse to start), empty drives formatted
 *    into their slot (they are healed later by `healFormat`);
 * 3. clean each drive's `.minio.sys/tmp` (leftovers of a previous run);
 * 4. build the erasure sets of each pool and the pools over them;
 * 5. start the lifecycle scanner and the stale multipart upload purge (stopped by the
 *    layer's close()).
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import { type DriveSlot, initFormats, type PoolDrives } from "../drive/format.ts";
import {
  lifecycleScanIntervalMs,
  namespaceLockTimeoutMs,
  staleUploadCleanupIntervalMs,
} from "../limits.ts";
import type { Topology } from "../topology/mod.ts";
import { ErasureWorkspacePool } from "../kernels/mod.ts";
import { ErasureSet } from "./erasure_set.ts";
import { NamespaceLocks } from "./namespace_lock.ts";
import { ServerPools } from "./pools.ts";
import { PoolSets } from "./sets.ts";
import type { CleanupTimer } from "./stale_upload_cleanup.ts";

export type {
  AdminObjectLayer,
  DriveStatus,
  HealFormatResult,
  ServerPools,
  StorageInfo,
} from "./pools.ts";
export type { HealResult } from "./erasure_set.ts";
export { validateObjectKey } from "./pools.ts";
export { validateBucketName } from "./buckets.ts";

export interface OpenObjectLayerOptions {
  topology: Topology;
  makeDrive: (endpoint: string) => StorageDrive;
  clock: { nowNs(): bigint };
  randomUuid: () => string;
  /** Lifecycle scanner period (default limits.lifecycleScanIntervalMs; 0 = not scheduled). */
  lifecycleIntervalMs?: number;
  /** Stale multipart upload purge period (default limits.staleUploadCleanupIntervalMs; 0 = only at start). */
  staleUploadCleanupIntervalMs?: number;
  /** Timer of the stale-upload purge (default setTimeout; tests fire it themselves). */
  timer?: CleanupTimer;
  /** Structured lines of background work (the lifecycle scanner's runs and failures). */
  log?: (line: object) => void;
}

/** What start-up found, for the banner and the logs. */
export interface StartupReport {
  pools: { index: number; setCount: number; setDriveCount: number; driveCount: number }[];
  standardParity: number;
  rrsParity: number;
  /** Drives that were empty and were formatted now (a new deployment: all of them). */
  drivesFormatted: string[];
  /** Drives left out, with the reason (they count as offline in every quorum). */
  drivesOffline: { endpoint: string; reason: string }[];
  /** Drives whose tmp could not be cleaned (they still serve). */
  tmpCleanupFailed: { endpoint: string; reason: string }[];
}

export async function openObjectLayer(options: OpenObjectLayerOptions): Promise<{
  layer: ServerPools;
  deploymentId: string;
  report: StartupReport;
}> {
  const { topology } = options;
  // Step 1: the drives, pool by pool, in command-line order.
  const poolDrives: PoolDrives[] = topology.pools.map((pool) => ({
    drives: pool.drives.map((endpoint) => options.makeDrive(endpoint)),
    setDriveCount: pool.setDriveCount,
  }));
  // Step 2: formats agreed (throws FormatError on foreign or misplaced drives).
  const formats = await initFormats(poolDrives, options.randomUuid);
  const slots = formats.drives.flat(2);
  // Step 3: tmp cleaned on every drive that answers.
  const tmpCleanupFailed = await cleanupTmp(slots);
  // Step 4: sets and pools.
  const locks = new NamespaceLocks({ timeoutMs: namespaceLockTimeoutMs });
  const workspacePool = new ErasureWorkspacePool();
  const pools = formats.drives.map((sets, poolIndex) =>
    new PoolSets(
      poolIndex,
      sets.map((set, setIndex) =>
        new ErasureSet({
          drives: set.map((slot) => slot.drive),
          poolIndex,
          setIndex,
          deploymentId: formats.deploymentId,
          standardParity: topology.standardParity,
          rrsParity: topology.rrsParity,
          locks,
          clock: options.clock,
          randomUuid: options.randomUuid,
          workspacePool,
        })
      ),
      formats.deploymentId,
    )
  );
  const drivesFormatted = slots.filter((slot) => slot.state === "formatted").map((slot) =>
    slot.drive.endpoint
  );
  const layer = new ServerPools({
    pools,
    drivesToHeal: drivesFormatted,
    deploymentId: formats.deploymentId,
    locks,
    clock: options.clock,
    formatDrives: () => formatEmptyDrives(poolDrives, options.randomUuid),
  });
  // Step 5: background lifecycle runs, and the stale-upload purge (now, then every 6 h).
  layer.startLifecycleScanner({
    intervalMs: options.lifecycleIntervalMs ?? lifecycleScanIntervalMs,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  layer.startStaleUploadCleanup({
    intervalMs: options.staleUploadCleanupIntervalMs ?? staleUploadCleanupIntervalMs,
    ...(options.timer === undefined ? {} : { timer: options.timer }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const report: StartupReport = {
    pools: topology.pools.map((pool, index) => ({
      index,
      setCount: pool.setCount,
      setDriveCount: pool.setDriveCount,
      driveCount: pool.drives.length,
    })),
    standardParity: topology.standardParity,
    rrsParity: topology.rrsParity,
    drivesFormatted: slots.filter((slot) => slot.state === "formatted").map((slot) =>
      slot.drive.endpoint
    ),
    drivesOffline: slots.filter((slot) => slot.state === "offline").map((slot) => ({
      endpoint: slot.drive.endpoint,
      reason: slot.reason ?? "offline",
    })),
    tmpCleanupFailed,
  };
  return { layer, deploymentId: formats.deploymentId, report };
}

async function cleanupTmp(
  slots: readonly DriveSlot[],
): Promise<{ endpoint: string; reason: string }[]> {
  const failed: { endpoint: string; reason: string }[] = [];
  await Promise.all(
    slots.filter((slot) => slot.state !== "offline").map(async (slot) => {
      try {
        await slot.drive.cleanupTmp();
      } catch (error) {
        failed.push({
          endpoint: slot.drive.endpoint,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
  return failed;
}

/** healFormat's first step: format the drives that lost their format.json (wiped, replaced). */
async function formatEmptyDrives(pools: PoolDrives[], randomUuid: () => string): Promise<string[]> {
  const formats = await initFormats(pools, randomUuid);
  const formatted = formats.drives.flat(2).filter((slot) => slot.state === "formatted");
  // A freshly formatted drive gets the `.minio.sys` layout before anything is healed onto it.
  await cleanupTmp(formatted);
  return formatted.map((slot) => slot.drive.endpoint);
}
