/**
 * Runs heals one at a time: those asked for by `admin heal`, and those a drive coming back
 * online asks for. A heal of everything is one pass of `healFormat(onProgress)`: format the
 * drives that lost it, then system objects, buckets and every object, each reported, counted
 * in the metrics, and the unrecoverable ones counted.
 */
import type { AdminLayer, HealResult } from "./admin_layer.ts";
import type { ServerMetrics } from "./server_metrics.ts";

/** The volume of system objects (bucket metadata, config), healed first by healFormat. */
const systemVolume = ".minio.sys";

export interface HealSummary {
  objectsChecked: number;
  objectsHealed: number;
  objectsUnrecoverable: number;
  drivesFormatted: string[];
}

/** Refused because another heal is running; the caller may retry when it ends. */
export class HealBusyError extends Error {
  constructor(running: string) {
    super(`Cannot start a heal: one is running (${running}); try again when it ends`);
    this.name = "HealBusyError";
  }
}

export interface HealerOptions {
  /** Hears each background round (drives that came back) and its result. */
  onBackgroundHeal?: (endpoints: string[], result: HealSummary | Error) => void;
  /** Before a heal of everything: let unformatted drives back in, so that they get formatted. */
  beforeHealAll?: () => Promise<void>;
}

export class Healer {
  readonly #layer: AdminLayer;
  readonly #metrics: ServerMetrics;
  #running: string | undefined;
  readonly #drivesBack = new Set<string>();
  #driveHeal: Promise<void> | undefined;
  readonly #options: HealerOptions;

  constructor(layer: AdminLayer, metrics: ServerMetrics, options: HealerOptions = {}) {
    this.#layer = layer;
    this.#metrics = metrics;
    this.#options = options;
  }

  /** What the running heal covers, undefined when none runs. */
  get running(): string | undefined {
    return this.#running;
  }

  /** Whether a background heal (drives back online or formatted at start) is under way. */
  get backgroundRunning(): boolean {
    return this.#driveHeal !== undefined;
  }

  /** Heal `bucket` under `prefix` ("" bucket: everything, formats first). One heal at a time. */
  async heal(
    bucket: string,
    prefix: string,
    onProgress: (result: HealResult) => void,
  ): Promise<HealSummary> {
    if (this.#running !== undefined) throw new HealBusyError(this.#running);
    this.#running = bucket === "" ? "everything" : `${bucket}/${prefix}`;
    try {
      return bucket === ""
        ? await this.#healAll(onProgress)
        : await this.#healBucket(bucket, prefix, onProgress);
    } finally {
      this.#running = undefined;
    }
  }

  /**
   * A drive came back (or was replaced): heal everything in the background. Drives that come
   * back while it runs cause one more round, not one each; `onBackgroundHeal` hears each
   * round's endpoints and result.
   */
  healAfterReconnect(endpoint: string): void {
    this.healInBackground([endpoint]);
  }

  /**
   * Heal everything in the background on behalf of `endpoints` (drives formatted at start,
   * i.e. replaced or wiped, or drives that came back); joins the round that is waiting.
   */
  healInBackground(endpoints: readonly string[]): void {
    for (const endpoint of endpoints) this.#drivesBack.add(endpoint);
    if (this.#driveHeal !== undefined) return;
    this.#driveHeal = (async () => {
      while (this.#drivesBack.size > 0) {
        const endpoints = [...this.#drivesBack];
        this.#drivesBack.clear();
        await this.#waitForIdle();
        try {
          this.#options.onBackgroundHeal?.(endpoints, await this.heal("", "", () => {}));
        } catch (error) {
          this.#options.onBackgroundHeal?.(endpoints, error as Error);
        }
      }
      this.#driveHeal = undefined;
    })();
  }

  /** Resolves when no background drive heal is running (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.#driveHeal !== undefined) await this.#driveHeal;
  }

  async #waitForIdle(): Promise<void> {
    while (this.#running !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  async #healAll(onProgress: (result: HealResult) => void): Promise<HealSummary> {
    await this.#options.beforeHealAll?.();
    // "Checked" counts the buckets' objects; "healed" also the system objects (bucket metadata).
    let checked = 0;
    let unrecoverable = 0;
    const formatted = await this.#layer.healFormat((result) => {
      if (result.bucket !== systemVolume) checked++;
      if (result.state === "unrecoverable") unrecoverable++;
      this.#metrics.recordHeal(result);
      onProgress(result);
    });
    return {
      objectsChecked: checked,
      objectsHealed: formatted.objectsHealed,
      objectsUnrecoverable: unrecoverable,
      drivesFormatted: formatted.drivesFormatted,
    };
  }

  async #healBucket(
    bucket: string,
    prefix: string,
    onProgress: (result: HealResult) => void,
  ): Promise<HealSummary> {
    let unrecoverable = 0;
    const counts = await this.#layer.healBucket(bucket, prefix, (result) => {
      if (result.state === "unrecoverable") unrecoverable++;
      this.#metrics.recordHeal(result);
      onProgress(result);
    });
    return { ...counts, objectsUnrecoverable: unrecoverable, drivesFormatted: [] };
  }
}
