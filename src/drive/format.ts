/**
 * `.minio.sys/format.json` (spec/minio-format.md §1.2): the identity of a drive — which
 * deployment it belongs to and which position of which erasure set it holds — and the start-up
 * routine that formats fresh drives, checks existing ones and formats empty replacements.
 */
import { formatPath, metaVolume } from "./drive_path.ts";
import { DriveError, type StorageDrive } from "./storage_drive.ts";

export const distributionAlgoCurrent = "SIPMOD+PARITY";
const distributionAlgos = ["CRCMOD", "SIPMOD", "SIPMOD+PARITY"];

/** The drive UUID MinIO writes for an offline drive. */
export const offlineDriveUuid = "ffffffff-ffff-ffff-ffff-ffffffffffff";

export interface DriveFormat {
  version: "1";
  format: "xl" | "xl-single";
  /** Deployment id: keys SipHash placement; the same on every drive of every pool. */
  id: string;
  xl: {
    version: "3";
    /** This drive's UUID; it appears in `sets`. */
    this: string;
    /** sets[i][j] = UUID of position j of erasure set i of this pool. */
    sets: string[][];
    distributionAlgo: string;
  };
}

/** A format.json that cannot be used, or drives that do not fit the deployment. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormatError";
  }
}

/** JSON with Go's field order and no whitespace, as MinIO writes it. */
export function encodeFormat(format: DriveFormat): Uint8Array {
  const ordered = {
    version: format.version,
    format: format.format,
    id: format.id,
    xl: {
      version: format.xl.version,
      this: format.xl.this,
      sets: format.xl.sets,
      distributionAlgo: format.xl.distributionAlgo,
    },
  };
  return new TextEncoder().encode(JSON.stringify(ordered));
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parse and validate one format.json (version "1", xl/xl-single, xl.version "3", rectangular sets). */
export function parseFormat(bytes: Uint8Array): DriveFormat {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new FormatError("format.json is not JSON");
  }
  const doc = value as Record<string, unknown>;
  const xl = doc?.xl as Record<string, unknown> | undefined;
  if (typeof doc !== "object" || doc === null || typeof xl !== "object" || xl === null) {
    throw new FormatError("format.json has no xl section");
  }
  if (doc.version !== "1") {
    throw new FormatError(`format.json version ${JSON.stringify(doc.version)} is not "1"`);
  }
  if (doc.format !== "xl" && doc.format !== "xl-single") {
    throw new FormatError(
      `format.json backend ${JSON.stringify(doc.format)} is not "xl" or "xl-single"`,
    );
  }
  if (xl.version !== "3") {
    throw new FormatError(
      `format.json xl.version ${
        JSON.stringify(xl.version)
      } is not "3" (older formats need MinIO to migrate them first)`,
    );
  }
  if (typeof doc.id !== "string" || !uuidPattern.test(doc.id)) {
    throw new FormatError("format.json id is not a UUID");
  }
  if (typeof xl.this !== "string") throw new FormatError("format.json xl.this is not a string");
  if (typeof xl.distributionAlgo !== "string" || !distributionAlgos.includes(xl.distributionAlgo)) {
    throw new FormatError(
      `format.json distributionAlgo ${JSON.stringify(xl.distributionAlgo)} is unknown`,
    );
  }
  const sets = parseSets(xl.sets);
  if (!sets.some((set) => set.includes(xl.this as string))) {
    throw new FormatError(`format.json xl.this ${xl.this} is not among its sets`);
  }
  return {
    version: "1",
    format: doc.format,
    id: doc.id,
    xl: { version: "3", this: xl.this, sets, distributionAlgo: xl.distributionAlgo },
  };
}

function parseSets(value: unknown): string[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new FormatError("format.json xl.sets is empty");
  }
  const width = Array.isArray(value[0]) ? value[0].length : -1;
  for (const set of value) {
    if (
      !Array.isArray(set) || set.length !== width || width === 0 ||
      set.some((d) => typeof d !== "string")
    ) {
      throw new FormatError(
        "format.json xl.sets is not a list of equally long lists of drive UUIDs",
      );
    }
  }
  return value as string[][];
}

/** A fresh format for a pool; `this` is filled per drive by `formatForPosition`. */
export function newPoolFormat(
  shape: { setCount: number; setDriveCount: number; deploymentId: string },
  randomUuid: () => string,
): DriveFormat {
  const sets = Array.from(
    { length: shape.setCount },
    () => Array.from({ length: shape.setDriveCount }, randomUuid),
  );
  return {
    version: "1",
    format: shape.setCount * shape.setDriveCount === 1 ? "xl-single" : "xl",
    id: shape.deploymentId,
    xl: { version: "3", this: "", sets, distributionAlgo: distributionAlgoCurrent },
  };
}

export function formatForPosition(
  reference: DriveFormat,
  setIndex: number,
  position: number,
): DriveFormat {
  return { ...reference, xl: { ...reference.xl, this: reference.xl.sets[setIndex][position] } };
}

// Start-up.

export type DriveSlotState = "ok" | "formatted" | "offline";

export interface DriveSlot {
  drive: StorageDrive;
  /** ok: formatted for this slot; formatted: was empty, formatted now, needs healing; offline. */
  state: DriveSlotState;
  /** Why the drive is offline, when it is. */
  reason?: string;
}

export interface InitFormatsResult {
  deploymentId: string;
  /** drives[pool][set][position]. */
  drives: DriveSlot[][][];
  /** The reference format of each pool (`this` = ""). */
  formats: DriveFormat[];
  /** Indexes of the pools formatted now (all of them for a new deployment). */
  createdPools: number[];
}

export interface PoolDrives {
  /** The pool's drives in command-line order: set i holds drives[i*setDriveCount ...]. */
  drives: StorageDrive[];
  setDriveCount: number;
}

type ReadResult =
  | { kind: "format"; format: DriveFormat }
  | { kind: "unformatted" }
  /** A format.json that does not parse: never overwritten, the drive is left out. */
  | { kind: "corrupt"; reason: string }
  | { kind: "offline"; reason: string };

/**
 * Bring every drive of every pool to a known format. A deployment with no formatted drive is
 * created (every drive must take its format); otherwise each pool's reference format is the one
 * at least half its drives agree on, foreign or misplaced drives are refused with a FormatError,
 * empty drives are formatted into their slot, and a pool with no formatted drive joins the
 * deployment under its id.
 */
export async function initFormats(
  pools: PoolDrives[],
  randomUuid: () => string,
): Promise<InitFormatsResult> {
  const reads = await Promise.all(pools.map((pool) => Promise.all(pool.drives.map(readFormat))));
  const references = pools.map((pool, p) => referenceFormat(pool, reads[p], p));
  const deploymentId = agreedDeploymentId(references) ?? randomUuid();
  const formats: DriveFormat[] = [];
  const drives: DriveSlot[][][] = [];
  const createdPools: number[] = [];
  for (const [p, pool] of pools.entries()) {
    const fresh = references[p] === undefined;
    const reference = references[p] ??
      newPoolFormat({ ...shapeOf(pool), deploymentId }, randomUuid);
    formats.push({ ...reference, xl: { ...reference.xl, this: "" } });
    if (fresh) createdPools.push(p);
    drives.push(
      fresh
        ? await formatFreshPool(pool, reference)
        : await checkPool({ pool, reads: reads[p], reference, poolIndex: p, references }),
    );
  }
  return { deploymentId, drives, formats, createdPools };
}

async function readFormat(drive: StorageDrive): Promise<ReadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await drive.readAll(metaVolume, formatPath);
  } catch (error) {
    if (
      error instanceof DriveError &&
      (error.code === "FileNotFound" || error.code === "VolumeNotFound")
    ) {
      return { kind: "unformatted" };
    }
    return { kind: "offline", reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    return { kind: "format", format: parseFormat(bytes) };
  } catch (error) {
    throw new FormatError(
      `Cannot use drive "${drive.endpoint}": ${
        (error as Error).message
      }; repair or remove .minio.sys/format.json on it`,
    );
  }
}

function shapeOf(pool: PoolDrives): { setCount: number; setDriveCount: number } {
  return { setCount: pool.drives.length / pool.setDriveCount, setDriveCount: pool.setDriveCount };
}

/** The format at least half the pool's drives agree on; undefined when none is formatted. */
function referenceFormat(
  pool: PoolDrives,
  reads: ReadResult[],
  poolIndex: number,
): DriveFormat | undefined {
  const groups = new Map<string, { format: DriveFormat; count: number }>();
  for (const read of reads) {
    if (read.kind !== "format") continue;
    const key = JSON.stringify([read.format.id, read.format.xl.sets]);
    const group = groups.get(key) ?? { format: read.format, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  if (groups.size === 0) {
    const corrupt = reads.find((read) => read.kind === "corrupt");
    // Never create a deployment over drives that hold a format we cannot read.
    if (corrupt?.kind === "corrupt") throw new FormatError(corrupt.reason);
    return undefined;
  }
  const best = [...groups.values()].sort((a, b) => b.count - a.count)[0];
  if (best.count * 2 < pool.drives.length) {
    throw new FormatError(
      `Cannot agree on the format of pool ${
        poolIndex + 1
      }: only ${best.count} of ${pool.drives.length} drives share one; bring more of its drives online or check that they belong together`,
    );
  }
  checkShape(pool, best.format, poolIndex);
  return best.format;
}

function checkShape(pool: PoolDrives, format: DriveFormat, poolIndex: number): void {
  const { setCount, setDriveCount } = shapeOf(pool);
  const sets = format.xl.sets;
  if (sets.length === setCount && sets[0].length === setDriveCount) return;
  throw new FormatError(
    `Cannot use pool ${
      poolIndex + 1
    } as ${setCount} × ${setDriveCount} drives: its drives were formatted as ${sets.length} × ${
      sets[0].length
    }; give the drives (and MINIO_ERASURE_SET_DRIVE_COUNT) as when the pool was created`,
  );
}

function agreedDeploymentId(references: (DriveFormat | undefined)[]): string | undefined {
  const ids = [...new Set(references.filter((r) => r !== undefined).map((r) => r!.id))];
  if (ids.length > 1) {
    throw new FormatError(
      `Cannot combine pools of different deployments (${
        ids.join(", ")
      }); give only pools of one deployment`,
    );
  }
  return ids[0];
}

/** A new pool (or deployment): every drive must take its format. */
async function formatFreshPool(pool: PoolDrives, reference: DriveFormat): Promise<DriveSlot[][]> {
  const { setCount, setDriveCount } = shapeOf(pool);
  const slots = await Promise.all(pool.drives.map(async (drive, index) => {
    const setIndex = Math.floor(index / setDriveCount);
    try {
      await writeFormat(drive, formatForPosition(reference, setIndex, index % setDriveCount));
    } catch (error) {
      throw new FormatError(
        `Cannot format drive "${drive.endpoint}": ${
          (error as Error).message
        }; every drive must be writable to create a deployment or pool`,
      );
    }
    return { drive, state: "ok" as const };
  }));
  return Array.from(
    { length: setCount },
    (_, i) => slots.slice(i * setDriveCount, (i + 1) * setDriveCount),
  );
}

interface CheckPoolInput {
  pool: PoolDrives;
  reads: ReadResult[];
  reference: DriveFormat;
  poolIndex: number;
  references: (DriveFormat | undefined)[];
}

/** An existing pool: check each formatted drive's slot, format the empty ones. */
async function checkPool(input: CheckPoolInput): Promise<DriveSlot[][]> {
  const { pool, reads, reference } = input;
  const { setCount, setDriveCount } = shapeOf(pool);
  const slots = await Promise.all(pool.drives.map(async (drive, index): Promise<DriveSlot> => {
    const setIndex = Math.floor(index / setDriveCount);
    const position = index % setDriveCount;
    const read = reads[index];
    if (read.kind === "offline" || read.kind === "corrupt") {
      return { drive, state: "offline", reason: read.reason };
    }
    if (read.kind === "format") {
      checkSlot({ ...input, drive, format: read.format, setIndex, position });
      return { drive, state: "ok" };
    }
    try {
      await writeFormat(drive, formatForPosition(reference, setIndex, position));
      return { drive, state: "formatted" };
    } catch (error) {
      return { drive, state: "offline", reason: (error as Error).message };
    }
  }));
  return Array.from(
    { length: setCount },
    (_, i) => slots.slice(i * setDriveCount, (i + 1) * setDriveCount),
  );
}

function checkSlot(
  input: CheckPoolInput & {
    drive: StorageDrive;
    format: DriveFormat;
    setIndex: number;
    position: number;
  },
): void {
  const { drive, format, reference, setIndex, position, poolIndex, references } = input;
  const name = `Cannot use drive "${drive.endpoint}"`;
  if (format.id !== reference.id) {
    throw new FormatError(
      `${name}: it belongs to deployment ${format.id}, not ${reference.id}; give this deployment's drives or an empty one`,
    );
  }
  const expected = reference.xl.sets[setIndex][position];
  if (format.xl.this === expected) return;
  const actual = locate(references, format.xl.this);
  const where = actual
    ? `it is drive ${actual.position + 1} of set ${actual.setIndex + 1} of pool ${
      actual.poolIndex + 1
    }`
    : `its id ${format.xl.this} is not part of this deployment`;
  throw new FormatError(
    `${name}: ${where}, but the command line puts it at drive ${position + 1} of set ${
      setIndex + 1
    } of pool ${poolIndex + 1}; give the drives in their original order`,
  );
}

function locate(references: (DriveFormat | undefined)[], driveUuid: string) {
  for (const [poolIndex, reference] of references.entries()) {
    for (const [setIndex, set] of (reference?.xl.sets ?? []).entries()) {
      const position = set.indexOf(driveUuid);
      if (position >= 0) return { poolIndex, setIndex, position };
    }
  }
  return undefined;
}

function writeFormat(drive: StorageDrive, format: DriveFormat): Promise<void> {
  return drive.writeAll(metaVolume, formatPath, encodeFormat(format));
}
