/**
 * The topology of a deployment from the command line and environment: pools of drives cut into
 * erasure sets, and the parity of each storage class (spec/minio-format.md §2).
 *
 * Each argument with `{A...B}` ranges is one pool; arguments without ranges together form one
 * pool (legacy style); mixing the two is refused. A single plain drive is a set of one.
 */
import { expandPattern, findPatterns, hasEllipsis } from "./ellipsis.ts";
import { chooseParity } from "./parity.ts";
import { chooseSetDriveCount } from "./set_sizing.ts";
import { TopologyError } from "./topology_error.ts";

export { TopologyError } from "./topology_error.ts";
export { expandPattern } from "./ellipsis.ts";
export { defaultParity, parseStorageClass } from "./parity.ts";

export interface Pool {
  /** Drives in order: set i is drives[i*setDriveCount ... (i+1)*setDriveCount - 1]. */
  drives: string[];
  setDriveCount: number;
  setCount: number;
}

export interface Topology {
  pools: Pool[];
  standardParity: number;
  rrsParity: number;
}

export interface TopologyEnv {
  /** MINIO_ERASURE_SET_DRIVE_COUNT */
  setDriveCount?: string;
  /** MINIO_STORAGE_CLASS_STANDARD, e.g. "EC:4" */
  standard?: string;
  /** MINIO_STORAGE_CLASS_RRS, e.g. "EC:1" */
  rrs?: string;
}

export function parseTopology(args: string[], env: TopologyEnv): Topology {
  if (args.length === 0) {
    throw new TopologyError(
      "Cannot start without drives: give at least one drive, e.g. /mnt/disk{1...4}",
    );
  }
  const forced = parseForcedSetDriveCount(env.setDriveCount);
  const pools = args.some(hasEllipsis)
    ? args.map((arg) => ellipsisPool(arg, args, forced))
    : [legacyPool(args, forced)];
  checkNoDuplicates(pools);
  const { standardParity, rrsParity } = chooseParity(pools.map((p) => p.setDriveCount), env);
  return { pools, standardParity, rrsParity };
}

function ellipsisPool(arg: string, allArgs: string[], forced: number): Pool {
  if (!hasEllipsis(arg)) {
    throw new TopologyError(
      `Cannot use "${arg}" beside "${
        allArgs.find(hasEllipsis)
      }": when one argument uses {A...B} ranges every argument is a pool and needs ranges; write e.g. ${arg}{1...4}`,
    );
  }
  const drives = expandPattern(arg);
  const patternLengths = [findPatterns(arg).map((p) => p.values.length)];
  const setDriveCount = chooseSetDriveCount({
    args: [arg],
    argSizes: [drives.length],
    patternLengths,
    forcedSetDriveCount: forced,
  });
  return { drives, setDriveCount, setCount: drives.length / setDriveCount };
}

function legacyPool(args: string[], forced: number): Pool {
  if (args.length === 1) {
    if (forced > 1) {
      throw new TopologyError(
        `Cannot use MINIO_ERASURE_SET_DRIVE_COUNT=${forced} with the single drive "${
          args[0]
        }": one drive forms no erasure set; unset it or give more drives`,
      );
    }
    return { drives: [...args], setDriveCount: 1, setCount: 1 };
  }
  const setDriveCount = chooseSetDriveCount({
    args,
    argSizes: [args.length],
    forcedSetDriveCount: forced,
  });
  return { drives: [...args], setDriveCount, setCount: args.length / setDriveCount };
}

function parseForcedSetDriveCount(value: string | undefined): number {
  if (value === undefined || value === "") return 0;
  if (!/^[0-9]+$/.test(value) || Number(value) < 2 || Number(value) > 16) {
    throw new TopologyError(
      `Cannot use MINIO_ERASURE_SET_DRIVE_COUNT="${value}": it must be a whole number of drives from 2 to 16; set e.g. 8 or unset it`,
    );
  }
  return Number(value);
}

function checkNoDuplicates(pools: Pool[]): void {
  const seen = new Set<string>();
  for (const pool of pools) {
    for (const drive of pool.drives) {
      const normalized = normalizeDrive(drive);
      if (seen.has(normalized)) {
        throw new TopologyError(
          `Cannot use drive "${drive}" twice: every drive must appear once in the command line; remove the repeat`,
        );
      }
      seen.add(normalized);
    }
  }
}

/** `/a//b/` and `/a/b` name the same directory. */
function normalizeDrive(drive: string): string {
  const collapsed = drive.replace(/(?<!:)\/{2,}/g, "/");
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, "") : collapsed;
}
