/**
 * The lifecycle scanner: every `intervalMs` it walks the buckets that have a lifecycle
 * configuration and applies what lifecycle.ts decides at the injected clock's time: expired
 * current versions (a delete marker in versioned buckets, the delete in unversioned ones),
 * noncurrent versions past their days, delete markers left alone, and stale multipart uploads.
 *
 * It works through the ObjectLayer like any client, so Object Lock is honoured by the same
 * checks (a locked version is skipped and counted), and it holds one listing page plus one
 * key's versions at a time. One run at a time; `stop()` waits for the run in progress, which
 * checks between keys whether it should end.
 */
import { lifecycleScanPageKeys, lifecycleVersionsPerKeyMax } from "../limits.ts";
import {
  evaluateKey,
  type LifecycleAction,
  type LifecycleConfig,
  parseLifecycleXml,
  uploadAbortRule,
} from "./lifecycle.ts";
import { ObjectError, type ObjectInfo, type ObjectLayer } from "./object_layer.ts";

/** What the scanner uses of the object layer. */
export type LifecycleLayer = Pick<
  ObjectLayer,
  | "listBuckets"
  | "getBucketConfig"
  | "listObjectVersions"
  | "getObjectInfo"
  | "deleteObject"
  | "listMultipartUploads"
  | "abortMultipartUpload"
>;

export interface LifecycleScannerOptions {
  layer: LifecycleLayer;
  clock: { nowNs(): bigint };
  /** Time between the end of one run and the start of the next; 0 = only `runOnce()`. */
  intervalMs: number;
  /** One structured line per run and per failure. */
  log?: (line: object) => void;
}

export interface LifecycleScanReport {
  bucketsScanned: number;
  versionsChecked: number;
  /** Current versions expired (delete marker added, or deleted when unversioned). */
  currentExpired: number;
  /** Noncurrent versions and delete markers removed. */
  versionsRemoved: number;
  uploadsAborted: number;
  /** Removals refused by Object Lock (retention or legal hold). */
  lockedSkipped: number;
  /** Actions or buckets that failed otherwise (logged). */
  failures: number;
}

function emptyReport(): LifecycleScanReport {
  return {
    bucketsScanned: 0,
    versionsChecked: 0,
    currentExpired: 0,
    versionsRemoved: 0,
    uploadsAborted: 0,
    lockedSkipped: 0,
    failures: 0,
  };
}

export class LifecycleScanner {
  readonly #options: LifecycleScannerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<LifecycleScanReport> | undefined;
  #stopped = false;

  constructor(options: LifecycleScannerOptions) {
    this.#options = options;
  }

  /** Schedule runs every intervalMs (nothing when it is 0). */
  start(): void {
    if (this.#options.intervalMs <= 0 || this.#stopped) return;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.runOnce()
        .catch((error) => this.#log({ event: "lifecycle-run-failed", error: describe(error) }))
        .finally(() => this.#schedule());
    }, this.#options.intervalMs);
  }

  /** No further runs; resolves when the run in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  /** One pass over every bucket (joins the pass in progress when there is one). */
  runOnce(): Promise<LifecycleScanReport> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<LifecycleScanReport> {
    const report = emptyReport();
    for (const bucket of await this.#options.layer.listBuckets()) {
      if (this.#stopped) break;
      try {
        const config = await this.#configOf(bucket.name);
        if (config === undefined) continue;
        report.bucketsScanned++;
        await this.#scanVersions(bucket.name, config, report);
        await this.#abortUploads(bucket.name, config, report);
      } catch (error) {
        report.failures++;
        this.#log({
          event: "lifecycle-bucket-failed",
          bucket: bucket.name,
          error: describe(error),
        });
      }
    }
    this.#log({ event: "lifecycle-run", ...report });
    return report;
  }

  async #configOf(bucket: string): Promise<LifecycleConfig | undefined> {
    const { lifecycleXml } = await this.#options.layer.getBucketConfig(bucket);
    return lifecycleXml === undefined ? undefined : parseLifecycleXml(lifecycleXml);
  }

  #now(): Date {
    return new Date(Number(this.#options.clock.nowNs() / 1_000_000n));
  }

  /**
   * Page through every version, key by key. A key's versions are acted on once the listing
   * has moved past the key, so the listing's markers never point at a version just removed.
   */
  async #scanVersions(
    bucket: string,
    config: LifecycleConfig,
    report: LifecycleScanReport,
  ): Promise<void> {
    let keyMarker = "";
    let versionIdMarker = "";
    let group: ObjectInfo[] = [];
    for (;;) {
      const page = await this.#options.layer.listObjectVersions(bucket, {
        prefix: "",
        delimiter: "",
        keyMarker,
        versionIdMarker,
        maxKeys: lifecycleScanPageKeys,
      });
      for (const version of page.versions) {
        if (group.length > 0 && group[0].key !== version.key) {
          if (this.#stopped) return;
          await this.#applyKey(bucket, config, group, report);
          group = [];
        }
        if (group.length < lifecycleVersionsPerKeyMax) group.push(version);
      }
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker;
      versionIdMarker = page.nextVersionIdMarker;
    }
    if (group.length > 0 && !this.#stopped) await this.#applyKey(bucket, config, group, report);
  }

  async #applyKey(
    bucket: string,
    config: LifecycleConfig,
    versions: ObjectInfo[],
    report: LifecycleScanReport,
  ): Promise<void> {
    report.versionsChecked += versions.length;
    const key = versions[0].key;
    for (const action of evaluateKey(config, key, versions, this.#now())) {
      try {
        await this.#apply(bucket, versions[0], action, report);
      } catch (error) {
        if (error instanceof ObjectError && error.code === "ObjectLocked") {
          report.lockedSkipped++;
          continue;
        }
        report.failures++;
        this.#log({ event: "lifecycle-action-failed", bucket, key, error: describe(error) });
      }
    }
  }

  async #apply(
    bucket: string,
    current: ObjectInfo,
    action: LifecycleAction,
    report: LifecycleScanReport,
  ): Promise<void> {
    const { layer } = this.#options;
    if (action.kind === "deleteVersion") {
      await layer.deleteObject(bucket, current.key, { versionId: action.versionId });
      report.versionsRemoved++;
      return;
    }
    // The current version may have been replaced since it was listed: expire only what was seen.
    const now = await layer.getObjectInfo(bucket, current.key, {}).catch(() => undefined);
    const same = now !== undefined && now.versionId === current.versionId &&
      now.etag === current.etag && now.modTime.getTime() === current.modTime.getTime();
    if (!same) return;
    await layer.deleteObject(bucket, current.key, {});
    report.currentExpired++;
  }

  async #abortUploads(
    bucket: string,
    config: LifecycleConfig,
    report: LifecycleScanReport,
  ): Promise<void> {
    if (!config.rules.some((rule) => rule.enabled && rule.abortIncompleteUploadDays)) return;
    let keyMarker = "";
    let uploadIdMarker = "";
    for (;;) {
      const page = await this.#options.layer.listMultipartUploads(bucket, {
        prefix: "",
        delimiter: "",
        keyMarker,
        uploadIdMarker,
        maxUploads: lifecycleScanPageKeys,
      });
      for (const upload of page.uploads) {
        if (this.#stopped) return;
        if (uploadAbortRule(config, upload.key, upload.initiated, this.#now()) === undefined) {
          continue;
        }
        try {
          await this.#options.layer.abortMultipartUpload(bucket, upload.key, upload.uploadId);
          report.uploadsAborted++;
        } catch (error) {
          if (error instanceof ObjectError && error.code === "NoSuchUpload") continue;
          report.failures++;
          this.#log({
            event: "lifecycle-abort-failed",
            bucket,
            key: upload.key,
            error: describe(error),
          });
        }
      }
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  #log(line: object): void {
    this.#options.log?.(line);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
