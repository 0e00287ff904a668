/**
 * A drive wrapper that notices a drive failing at run time and takes it back when it answers.
 *
 * - A call failing with DriveOffline, or not answering within `callTimeoutMs`, marks the drive
 *   offline. While offline every call fails at once with DriveOffline, so requests pay no
 *   timeouts and the object layer counts the drive out of its quorums.
 * - A call failing with FileNotFound / VolumeNotFound is also what a vanished mount answers
 *   (the drive's directory renamed away or unmounted), so it starts a probe of the drive, at
 *   most once per `suspicionProbeMinIntervalMs`; the call itself keeps its own error.
 * - While offline the drive is probed (`info()`) every `probeIntervalMs`; when it answers it
 *   is online again and `onStateChange` hears of it (serve.ts starts a heal of the drive).
 */
import {
  DriveError,
  type DriveInfo,
  type RenameDataOptions,
  type ShardFileReader,
  type ShardFileWriter,
  type StorageDrive,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
} from "./storage_drive.ts";

export type DriveState = "online" | "offline";

export interface HealthCheckedDriveOptions {
  /** A call slower than this marks the drive offline (limits.ts `driveCallTimeoutMs`). */
  callTimeoutMs: number;
  /** How often an offline drive is probed (limits.ts `driveProbeIntervalMs`). */
  probeIntervalMs: number;
  /** Least time between probes started by "not found" answers (limits.ts). */
  suspicionProbeMinIntervalMs: number;
  clock: { nowMs(): number };
  /** Told of every change of state, with the reason; `online` after `offline` means "heal me". */
  onStateChange?: (drive: HealthCheckedDrive, state: DriveState, reason: string) => void;
  /** Told of every failed call (for metrics), with the DriveError code or "Timeout". */
  onError?: (drive: HealthCheckedDrive, code: string) => void;
}

export class HealthCheckedDrive implements StorageDrive {
  readonly endpoint: string;
  /** The drive itself; a stand-in that fails every call until `#open` succeeds. */
  #inner: StorageDrive;
  #open: (() => Promise<StorageDrive>) | undefined;
  readonly #options: HealthCheckedDriveOptions;
  #state: DriveState = "online";
  #offlineReason = "";
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #probing = false;
  #lastSuspicionProbeMs = -Infinity;
  #closed = false;
  /** The format.json UUID first seen ("" until the drive is formatted). */
  #knownId = "";
  readonly #timeouts = new WeakSet<object>();

  constructor(inner: StorageDrive, options: HealthCheckedDriveOptions) {
    this.#inner = inner;
    this.endpoint = inner.endpoint;
    this.#options = options;
  }

  /**
   * A drive that is opened by `open()`. When opening fails (the mount is missing at start-up)
   * the drive starts offline and every probe tries to open it again.
   */
  static async opening(
    endpoint: string,
    open: () => Promise<StorageDrive>,
    options: HealthCheckedDriveOptions,
  ): Promise<HealthCheckedDrive> {
    const drive = new HealthCheckedDrive(unopenedDrive(endpoint), options);
    drive.#open = open;
    await drive.probe();
    return drive;
  }

  get state(): DriveState {
    return this.#state;
  }

  /** Stop probing (at shutdown). Calls after this still reach the inner drive. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  /** Mark the drive offline now (a failed call, or an operator's decision in tests). */
  markOffline(reason: string): void {
    if (this.#state === "offline") return;
    this.#state = "offline";
    this.#offlineReason = reason;
    this.#options.onStateChange?.(this, "offline", reason);
    this.#scheduleProbe();
  }

  /** Probe the drive once: online when `info()` answers in time. Returns the state after. */
  async probe(): Promise<DriveState> {
    if (this.#probing) return this.#state;
    this.#probing = true;
    try {
      if (this.#open !== undefined) {
        this.#inner = await this.#withTimeout(this.#open(), "open");
        this.#open = undefined;
      }
      this.#checkIdentity(await this.#withTimeout(this.#inner.info(), "info"));
      if (this.#state === "offline") {
        this.#state = "online";
        clearTimeout(this.#probeTimer);
        this.#probeTimer = undefined;
        this.#options.onStateChange?.(this, "online", "answers again");
      }
    } catch (error) {
      this.markOffline(describe(error));
    } finally {
      this.#probing = false;
    }
    return this.#state;
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#probeTimer !== undefined) return;
    this.#probeTimer = setTimeout(async () => {
      this.#probeTimer = undefined;
      if (this.#closed || this.#state === "online") return;
      await this.probe();
      if (this.#state === "offline") this.#scheduleProbe();
    }, this.#options.probeIntervalMs);
  }

  #suspect(): void {
    const nowMs = this.#options.clock.nowMs();
    if (nowMs - this.#lastSuspicionProbeMs < this.#options.suspicionProbeMinIntervalMs) return;
    this.#lastSuspicionProbeMs = nowMs;
    void this.probe();
  }

  async #call<T>(name: string, operation: () => Promise<T>): Promise<T> {
    if (this.#state === "offline") {
      throw new DriveError(
        "DriveOffline",
        this.endpoint,
        `offline (${this.#offlineReason}); ${name} not tried`,
      );
    }
    try {
      return await this.#withTimeout(operation(), name);
    } catch (error) {
      this.#observe(error);
      throw error;
    }
  }

  #observe(error: unknown): void {
    const code = this.#timeouts.has(error as object)
      ? "Timeout"
      : error instanceof DriveError
      ? error.code
      : "Unknown";
    this.#options.onError?.(this, code);
    if (code === "DriveOffline" || code === "Timeout") this.markOffline(describe(error));
    else if (code === "FileNotFound" || code === "VolumeNotFound") this.#suspect();
  }

  #withTimeout<T>(promise: Promise<T>, name: string): Promise<T> {
    const timeoutMs = this.#options.callTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DriveError(
          "DriveOffline",
          this.endpoint,
          `${name} did not answer within ${timeoutMs} ms`,
        );
        this.#timeouts.add(error);
        reject(error);
      }, timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  // StorageDrive, each call through #call.

  info(): Promise<DriveInfo> {
    return this.#call("info", async () => this.#checkIdentity(await this.#inner.info()));
  }

  /**
   * The drive's format.json UUID, once seen, must stay: a drive whose UUID vanished or changed
   * is not the drive we had (its directory renamed away and re-created, another disk mounted,
   * or wiped while serving), so it is offline until the right one answers again, or until
   * `acceptUnformatted()` (a heal that will format it) says otherwise.
   */
  #checkIdentity(info: DriveInfo): DriveInfo {
    if (this.#knownId === "") {
      this.#knownId = info.id;
    } else if (info.id !== this.#knownId) {
      throw new DriveError(
        "DriveOffline",
        this.endpoint,
        `Cannot use drive: its format.json id is "${info.id}", expected "${this.#knownId}" (vanished, swapped or wiped)`,
      );
    }
    return info;
  }

  /** Forget the drive's identity and probe now: an unformatted drive comes back, to be formatted. */
  async acceptUnformatted(): Promise<DriveState> {
    this.#knownId = "";
    return await this.probe();
  }

  makeVolume(volume: string): Promise<void> {
    return this.#call("makeVolume", () => this.#inner.makeVolume(volume));
  }

  listVolumes(): Promise<VolumeInfo[]> {
    return this.#call("listVolumes", () => this.#inner.listVolumes());
  }

  statVolume(volume: string): Promise<VolumeInfo> {
    return this.#call("statVolume", () => this.#inner.statVolume(volume));
  }

  deleteVolume(volume: string, options: { force: boolean }): Promise<void> {
    return this.#call("deleteVolume", () => this.#inner.deleteVolume(volume, options));
  }

  readAll(volume: string, path: string): Promise<Uint8Array> {
    return this.#call("readAll", () => this.#inner.readAll(volume, path));
  }

  writeAll(volume: string, path: string, bytes: Uint8Array): Promise<void> {
    return this.#call("writeAll", () => this.#inner.writeAll(volume, path, bytes));
  }

  readMetadata(volume: string, path: string): Promise<Uint8Array> {
    return this.#call("readMetadata", () => this.#inner.readMetadata(volume, path));
  }

  writeMetadata(volume: string, path: string, xlMeta: Uint8Array): Promise<void> {
    return this.#call("writeMetadata", () => this.#inner.writeMetadata(volume, path, xlMeta));
  }

  async createShardFile(volume: string, path: string, sizeBytes: number): Promise<ShardFileWriter> {
    const writer = await this.#call(
      "createShardFile",
      () => this.#inner.createShardFile(volume, path, sizeBytes),
    );
    return {
      write: (bytes) => this.#call("write", () => writer.write(bytes)),
      close: () => this.#call("close", () => writer.close()),
      abort: () => writer.abort(),
    };
  }

  readFile(volume: string, path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#call("readFile", () => this.#inner.readFile(volume, path, offset, length));
  }

  /** The open and every read are calls like `readFile` (timeouts, offline); close passes through. */
  async openShardReader(volume: string, path: string): Promise<ShardFileReader> {
    const reader = await this.#call(
      "openShardReader",
      () => this.#inner.openShardReader(volume, path),
    );
    return {
      read: (offset, length) => this.#call("readFile", () => reader.read(offset, length)),
      close: () => reader.close(),
    };
  }

  statFile(volume: string, path: string): Promise<{ sizeBytes: number; modTime: Date }> {
    return this.#call("statFile", () => this.#inner.statFile(volume, path));
  }

  renameData(dstVolume: string, dstPath: string, options: RenameDataOptions): Promise<void> {
    return this.#call("renameData", () => this.#inner.renameData(dstVolume, dstPath, options));
  }

  renamePath(
    srcVolume: string,
    srcPath: string,
    dstVolume: string,
    dstPath: string,
  ): Promise<void> {
    return this.#call(
      "renamePath",
      () => this.#inner.renamePath(srcVolume, srcPath, dstVolume, dstPath),
    );
  }

  deletePath(volume: string, path: string, options: { recursive: boolean }): Promise<void> {
    return this.#call("deletePath", () => this.#inner.deletePath(volume, path, options));
  }

  listDir(volume: string, path: string): Promise<string[]> {
    return this.#call("listDir", () => this.#inner.listDir(volume, path));
  }

  async *walk(volume: string, options: WalkOptions): AsyncIterable<WalkEntry> {
    const iterator = this.#inner.walk(volume, options)[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = await this.#call("walk", () => iterator.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  cleanupTmp(): Promise<void> {
    return this.#call("cleanupTmp", () => this.#inner.cleanupTmp());
  }
}

/** Every call fails with DriveOffline: the drive could not be opened yet. */
function unopenedDrive(endpoint: string): StorageDrive {
  const fail = () =>
    Promise.reject(new DriveError("DriveOffline", endpoint, "Cannot reach drive: not opened"));
  return new Proxy({ endpoint } as Record<string | symbol, unknown>, {
    get: (target, name) => name in target || name === "then" ? target[name] : fail,
  }) as unknown as StorageDrive;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
