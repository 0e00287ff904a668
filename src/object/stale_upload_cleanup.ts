/**
 * The periodic purge of stale multipart uploads (MinIO's `stale_uploads_cleanup_interval` and
 * `stale_uploads_expiry`): once at start, then every `intervalMs`, each set removes uploads
 * started more than `maxAgeMs` ago. The timer is injected so that tests fire it themselves;
 * the age is measured with the sets' own clock.
 */

/** How runs are scheduled (default: the platform's setTimeout / clearTimeout). */
export interface CleanupTimer {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const defaultTimer: CleanupTimer = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface StaleUploadCleanupOptions {
  /** The sets to clean; each returns how many uploads it removed. */
  sets: readonly { cleanupStaleUploads(maxAgeMs: number): Promise<number> }[];
  intervalMs: number;
  maxAgeMs: number;
  timer?: CleanupTimer;
  /** Structured lines: each run's count, and failures. */
  log?: (line: object) => void;
}

export class StaleUploadCleanup {
  readonly #options: StaleUploadCleanupOptions;
  readonly #timer: CleanupTimer;
  #handle: unknown;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(options: StaleUploadCleanupOptions) {
    this.#options = options;
    this.#timer = options.timer ?? defaultTimer;
  }

  /** Run once now, then every intervalMs (only the first run when intervalMs is 0). */
  start(): void {
    if (this.#stopped) return;
    void this.#runThenSchedule();
  }

  /** No further runs; resolves when the run in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#handle !== undefined) this.#timer.clearTimeout(this.#handle);
    this.#handle = undefined;
    await this.#running?.catch(() => {});
  }

  /** One pass over every set (joins the pass in progress); returns the uploads removed. */
  runOnce(): Promise<number> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #runThenSchedule(): Promise<void> {
    await this.runOnce().catch((error) =>
      this.#options.log?.({ event: "stale-uploads-failed", error: String(error) })
    );
    if (this.#stopped || this.#options.intervalMs <= 0) return;
    this.#handle = this.#timer.setTimeout(() => {
      this.#handle = undefined;
      void this.#runThenSchedule();
    }, this.#options.intervalMs);
  }

  async #run(): Promise<number> {
    let removed = 0;
    for (const set of this.#options.sets) {
      if (this.#stopped) break;
      try {
        removed += await set.cleanupStaleUploads(this.#options.maxAgeMs);
      } catch (error) {
        this.#options.log?.({ event: "stale-uploads-failed", error: String(error) });
      }
    }
    if (removed > 0) this.#options.log?.({ event: "stale-uploads-removed", count: removed });
    return removed;
  }
}
