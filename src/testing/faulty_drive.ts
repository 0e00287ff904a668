/**
 * A drive wrapper that injects seeded faults, for durability tests of the object layer:
 * errors of a chosen DriveErrorCode (with a probability, after N calls, at most K times), bit
 * flips in bytes read back, torn shard writes (a prefix lands, then the write fails), latency,
 * and a whole-drive offline switch. Same seed, same calls → same faults.
 */
import {
  DriveError,
  type DriveErrorCode,
  type DriveInfo,
  type RenameDataOptions,
  type ShardFileReader,
  type ShardFileWriter,
  type StorageDrive,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
} from "../drive/storage_drive.ts";
import { seededRandom } from "./seeded_random.ts";

export type DriveOperation =
  | "info"
  | "makeVolume"
  | "listVolumes"
  | "statVolume"
  | "deleteVolume"
  | "readAll"
  | "writeAll"
  | "readMetadata"
  | "writeMetadata"
  | "createShardFile"
  | "shardWrite"
  | "shardClose"
  | "readFile"
  | "openShardReader"
  | "statFile"
  | "renameData"
  | "renamePath"
  | "deletePath"
  | "listDir"
  | "walk"
  | "cleanupTmp";

export interface FaultPlan {
  /** Which operations the plan applies to; "*" for all. */
  operation: DriveOperation | DriveOperation[] | "*";
  /** Only calls whose `volume/path` contains this text. */
  pathIncludes?: string;
  /** Fail the call with this code (DriveOffline for torn writes when absent). */
  error?: DriveErrorCode;
  /** Flip one random bit of the bytes returned (readAll, readMetadata, readFile, walk xl.meta). */
  bitFlip?: boolean;
  /** shardWrite: write a random strict prefix of the bytes, then fail. */
  tornWrite?: boolean;
  /** Delay each matching call by this many milliseconds. */
  latencyMs?: number;
  /** Chance per matching call (default 1). */
  probability?: number;
  /** Let this many matching calls pass untouched first (default 0). */
  afterCalls?: number;
  /** Inject at most this many faults from this plan (default unlimited). */
  times?: number;
}

export interface FaultyDriveOptions {
  /** Seed of the PRNG that decides probabilities, bit positions and torn lengths. */
  seed: number;
  plans?: FaultPlan[];
  /** How latency is waited for (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

interface ActivePlan {
  plan: FaultPlan;
  matchedCalls: number;
  faults: number;
}

/** What a matching call should suffer. */
interface Verdict {
  error?: DriveErrorCode;
  bitFlip: boolean;
  tornWrite: boolean;
  latencyMs: number;
}

export class FaultyDrive implements StorageDrive {
  readonly endpoint: string;
  readonly #inner: StorageDrive;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #plans: ActivePlan[] = [];
  #offline = false;
  /** Faults injected so far, by operation (for test assertions and messages). */
  readonly injected = new Map<DriveOperation, number>();

  constructor(inner: StorageDrive, options: FaultyDriveOptions) {
    this.endpoint = inner.endpoint;
    this.#inner = inner;
    this.#random = seededRandom(options.seed);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (const plan of options.plans ?? []) this.addFault(plan);
  }

  addFault(plan: FaultPlan): void {
    this.#plans.push({ plan, matchedCalls: 0, faults: 0 });
  }

  clearFaults(): void {
    this.#plans = [];
  }

  /** While offline every call fails with DriveOffline. */
  setOffline(offline: boolean): void {
    this.#offline = offline;
  }

  get offline(): boolean {
    return this.#offline;
  }

  get inner(): StorageDrive {
    return this.#inner;
  }

  async info(): Promise<DriveInfo> {
    await this.#enter("info", "");
    return this.#inner.info();
  }

  async makeVolume(volume: string): Promise<void> {
    await this.#enter("makeVolume", volume);
    return this.#inner.makeVolume(volume);
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    await this.#enter("listVolumes", "");
    return this.#inner.listVolumes();
  }

  async statVolume(volume: string): Promise<VolumeInfo> {
    await this.#enter("statVolume", volume);
    return this.#inner.statVolume(volume);
  }

  async deleteVolume(volume: string, options: { force: boolean }): Promise<void> {
    await this.#enter("deleteVolume", volume);
    return this.#inner.deleteVolume(volume, options);
  }

  async readAll(volume: string, path: string): Promise<Uint8Array> {
    const verdict = await this.#enter("readAll", `${volume}/${path}`);
    return this.#maybeFlip(verdict, "readAll", await this.#inner.readAll(volume, path));
  }

  async writeAll(volume: string, path: string, bytes: Uint8Array): Promise<void> {
    await this.#enter("writeAll", `${volume}/${path}`);
    return this.#inner.writeAll(volume, path, bytes);
  }

  async readMetadata(volume: string, path: string): Promise<Uint8Array> {
    const verdict = await this.#enter("readMetadata", `${volume}/${path}`);
    return this.#maybeFlip(verdict, "readMetadata", await this.#inner.readMetadata(volume, path));
  }

  async writeMetadata(volume: string, path: string, xlMeta: Uint8Array): Promise<void> {
    await this.#enter("writeMetadata", `${volume}/${path}`);
    return this.#inner.writeMetadata(volume, path, xlMeta);
  }

  async createShardFile(volume: string, path: string, sizeBytes: number): Promise<ShardFileWriter> {
    await this.#enter("createShardFile", `${volume}/${path}`);
    const writer = await this.#inner.createShardFile(volume, path, sizeBytes);
    return this.#faultyWriter(writer, `${volume}/${path}`);
  }

  async readFile(
    volume: string,
    path: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array> {
    const verdict = await this.#enter("readFile", `${volume}/${path}`);
    return this.#maybeFlip(
      verdict,
      "readFile",
      await this.#inner.readFile(volume, path, offset, length),
    );
  }

  /**
   * The open is judged as "openShardReader"; each read of the reader as a "readFile" call
   * (faults, latency, bit flips and the offline switch apply to it as to `readFile`).
   */
  async openShardReader(volume: string, path: string): Promise<ShardFileReader> {
    const where = `${volume}/${path}`;
    await this.#enter("openShardReader", where);
    const reader = await this.#inner.openShardReader(volume, path);
    return {
      read: async (offset, length) => {
        const verdict = await this.#enter("readFile", where);
        return this.#maybeFlip(verdict, "readFile", await reader.read(offset, length));
      },
      close: () => reader.close(),
    };
  }

  async statFile(volume: string, path: string): Promise<{ sizeBytes: number; modTime: Date }> {
    await this.#enter("statFile", `${volume}/${path}`);
    return this.#inner.statFile(volume, path);
  }

  async renameData(dstVolume: string, dstPath: string, options: RenameDataOptions): Promise<void> {
    await this.#enter("renameData", `${dstVolume}/${dstPath}`);
    return this.#inner.renameData(dstVolume, dstPath, options);
  }

  async renamePath(
    srcVolume: string,
    srcPath: string,
    dstVolume: string,
    dstPath: string,
  ): Promise<void> {
    await this.#enter("renamePath", `${srcVolume}/${srcPath} ${dstVolume}/${dstPath}`);
    return this.#inner.renamePath(srcVolume, srcPath, dstVolume, dstPath);
  }

  async deletePath(volume: string, path: string, options: { recursive: boolean }): Promise<void> {
    await this.#enter("deletePath", `${volume}/${path}`);
    return this.#inner.deletePath(volume, path, options);
  }

  async listDir(volume: string, path: string): Promise<string[]> {
    await this.#enter("listDir", `${volume}/${path}`);
    return this.#inner.listDir(volume, path);
  }

  async *walk(volume: string, options: WalkOptions): AsyncIterable<WalkEntry> {
    const verdict = await this.#enter("walk", `${volume}/${options.prefix}`);
    for await (const entry of this.#inner.walk(volume, options)) {
      if (this.#offline) throw this.#offlineError();
      if (entry.kind === "object" && verdict.bitFlip) {
        yield { ...entry, xlMeta: this.#flipBit(entry.xlMeta, "walk") };
      } else {
        yield entry;
      }
    }
  }

  async cleanupTmp(): Promise<void> {
    await this.#enter("cleanupTmp", "");
    return this.#inner.cleanupTmp();
  }

  // Fault machinery.

  /** Decide this call's faults, wait out latency, throw when the call must fail. */
  async #enter(operation: DriveOperation, path: string): Promise<Verdict> {
    if (this.#offline) throw this.#offlineError();
    const verdict = this.#judge(operation, path);
    if (verdict.latencyMs > 0) await this.#sleep(verdict.latencyMs);
    if (this.#offline) throw this.#offlineError();
    if (verdict.error && !(verdict.tornWrite && operation === "shardWrite")) {
      this.#count(operation);
      throw new DriveError(
        verdict.error,
        this.endpoint,
        `injected ${verdict.error} on ${operation} ${path}`,
      );
    }
    return verdict;
  }

  #judge(operation: DriveOperation, path: string): Verdict {
    const verdict: Verdict = { bitFlip: false, tornWrite: false, latencyMs: 0 };
    for (const active of this.#plans) {
      const { plan } = active;
      if (!matches(plan, operation, path)) continue;
      active.matchedCalls++;
      if (active.matchedCalls <= (plan.afterCalls ?? 0)) continue;
      if (plan.times !== undefined && active.faults >= plan.times) continue;
      if (this.#random() >= (plan.probability ?? 1)) continue;
      active.faults++;
      verdict.latencyMs += plan.latencyMs ?? 0;
      verdict.bitFlip ||= plan.bitFlip ?? false;
      verdict.tornWrite ||= plan.tornWrite ?? false;
      verdict.error ??= plan.error ?? (plan.tornWrite ? "DriveOffline" : undefined);
    }
    return verdict;
  }

  #maybeFlip(verdict: Verdict, operation: DriveOperation, bytes: Uint8Array): Uint8Array {
    return verdict.bitFlip ? this.#flipBit(bytes, operation) : bytes;
  }

  #flipBit(bytes: Uint8Array, operation: DriveOperation): Uint8Array {
    if (bytes.length === 0) return bytes;
    const copy = bytes.slice();
    const bit = Math.floor(this.#random() * copy.length * 8);
    copy[bit >> 3] ^= 1 << (bit & 7);
    this.#count(operation);
    return copy;
  }

  #count(operation: DriveOperation): void {
    this.injected.set(operation, (this.injected.get(operation) ?? 0) + 1);
  }

  #offlineError(): DriveError {
    return new DriveError("DriveOffline", this.endpoint, "drive is offline (injected)");
  }

  #faultyWriter(writer: ShardFileWriter, path: string): ShardFileWriter {
    return {
      write: async (bytes) => {
        const verdict = await this.#enter("shardWrite", path);
        if (verdict.tornWrite) {
          const prefixBytes = Math.floor(this.#random() * bytes.length);
          if (prefixBytes > 0) await writer.write(bytes.subarray(0, prefixBytes));
          this.#count("shardWrite");
          const code = verdict.error ?? "DriveOffline";
          throw new DriveError(
            code,
            this.endpoint,
            `injected torn write (${prefixBytes} of ${bytes.length} bytes) on ${path}`,
          );
        }
        await writer.write(bytes);
      },
      close: async () => {
        await this.#enter("shardClose", path);
        await writer.close();
      },
      abort: () => writer.abort(),
    };
  }
}

function matches(plan: FaultPlan, operation: DriveOperation, path: string): boolean {
  const operations = plan.operation;
  const operationMatches = operations === "*" ||
    (Array.isArray(operations) ? operations.includes(operation) : operations === operation);
  return operationMatches && (plan.pathIncludes === undefined || path.includes(plan.pathIncludes));
}
