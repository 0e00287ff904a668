/**
 * Erasure set size of a pool (spec/minio-format.md §2.2): the set size divides the GCD of the
 * argument sizes, is 2..16, and is "symmetric" with the last pattern visited (the leftmost
 * pattern of the last argument); the largest such size wins. MINIO_ERASURE_SET_DRIVE_COUNT
 * forces a size (it must still divide the drive count).
 */
import { setDriveCountMax } from "../limits.ts";
import { TopologyError } from "./topology_error.ts";

/** Erasure set sizes MinIO supports: 2..16. */
export const setSizes: readonly number[] = Array.from(
  { length: setDriveCountMax - 1 },
  (_, i) => i + 2,
);

export interface SetSizingInput {
  /** The pool's arguments as the user wrote them (for messages). */
  args: string[];
  /** Drives each argument expands to. */
  argSizes: number[];
  /**
   * Lengths of each argument's patterns in MinIO's visiting order (rightmost pattern first);
   * absent (legacy mode, no ellipses): every candidate counts as symmetric.
   */
  patternLengths?: number[][];
  /** A forced set size (MINIO_ERASURE_SET_DRIVE_COUNT); 0 when not set. */
  forcedSetDriveCount: number;
}

/** The set drive count for a pool of drives, or a TopologyError saying how to fix the pool. */
export function chooseSetDriveCount(input: SetSizingInput): number {
  const { args, argSizes, forcedSetDriveCount } = input;
  const shown = args.join(" ");
  for (const size of argSizes) {
    if (size < setSizes[0] || size < forcedSetDriveCount) {
      throw new TopologyError(
        `Cannot use "${shown}": ${size} drive${size === 1 ? "" : "s"} ${
          size === 1 ? "is" : "are"
        } too few for an erasure set of ${Math.max(forcedSetDriveCount, 2)}; give at least ${
          Math.max(forcedSetDriveCount, 2)
        } drives${suggestRange(args, Math.max(forcedSetDriveCount, 4))}`,
      );
    }
  }
  const commonSize = argSizes.reduce(gcd);
  const candidates = setSizes.filter((s) => commonSize % s === 0);
  if (candidates.length === 0) throw noSetError(shown, commonSize, args);
  if (forcedSetDriveCount > 0) {
    return checkForced(shown, commonSize, candidates, forcedSetDriveCount);
  }
  const symmetric = candidates.filter((s) => isSymmetric(s, input.patternLengths));
  if (symmetric.length === 0) {
    throw new TopologyError(
      `Cannot use "${shown}": ${commonSize} drives cannot be split into equal erasure sets that line up with the ranges (possible set sizes ${
        candidates.join(", ")
      } do not divide or multiply the first range's length); change the first range's length to one of ${
        candidates.join(", ")
      } or a multiple of one`,
    );
  }
  return commonSetDriveCount(commonSize, symmetric);
}

function checkForced(
  shown: string,
  commonSize: number,
  candidates: number[],
  forced: number,
): number {
  if (!candidates.includes(forced)) {
    throw new TopologyError(
      `Cannot use MINIO_ERASURE_SET_DRIVE_COUNT=${forced} with "${shown}": ${commonSize} drives split only into sets of ${
        candidates.join(", ")
      }; set it to one of those or unset it`,
    );
  }
  return forced;
}

/** MinIO's rule: only the last pattern visited decides (the flag is overwritten each time). */
function isSymmetric(setSize: number, patternLengths: number[][] | undefined): boolean {
  if (patternLengths === undefined) return true;
  let symmetric = false;
  for (const lengths of patternLengths) {
    for (const length of lengths) {
      symmetric = length > setSize ? length % setSize === 0 : setSize % length === 0;
    }
  }
  return symmetric;
}

/** The candidate giving the fewest sets (ties to the larger size); candidates ascending. */
function commonSetDriveCount(commonSize: number, candidates: number[]): number {
  if (commonSize < candidates[candidates.length - 1]) return commonSize;
  let bestQuotient = commonSize / candidates[0];
  let best = candidates[0];
  for (const candidate of candidates) {
    if (commonSize % candidate !== 0) continue;
    const quotient = commonSize / candidate;
    if (quotient <= bestQuotient) {
      bestQuotient = quotient;
      best = candidate;
    }
  }
  return best;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function noSetError(shown: string, commonSize: number, args: string[]): TopologyError {
  const usable = nearestUsableCount(commonSize);
  return new TopologyError(
    `Cannot use "${shown}": ${commonSize} drives form no erasure set (sets are 2..16 drives and must divide the drive count); use ${usable} drives${
      suggestRange(args, usable)
    }`,
  );
}

/** The closest drive count above (else below) that some set size divides. */
function nearestUsableCount(count: number): number {
  for (let delta = 1; delta < count + setDriveCountMax; delta++) {
    if (setSizes.some((s) => (count + delta) % s === 0)) return count + delta;
    if (count - delta >= 2 && setSizes.some((s) => (count - delta) % s === 0)) return count - delta;
  }
  return setSizes[0];
}

/** For a single argument with one range starting at 1, e.g. `/d{1...3}` → `, e.g. /d{1...4}`. */
function suggestRange(args: string[], count: number): string {
  if (args.length !== 1) return "";
  const match = /^([^{}]*)\{1\.\.\.[0-9]+\}([^{}]*)$/.exec(args[0]);
  return match ? `, e.g. ${match[1]}{1...${count}}${match[2]}` : "";
}
