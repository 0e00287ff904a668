/**
 * Per-(bucket, key) read/write locks held in memory (spec §8.5, single node).
 *
 * FIFO-fair: a request waits behind every earlier waiter, so a stream of readers cannot
 * starve a writer. Consecutive readers at the head of the queue are granted together.
 * Every wait has a timeout; an idle resource leaves no entry behind.
 */
import { ObjectError } from "./object_layer.ts";

export type LockMode = "read" | "write";

/**
 * Waiting longer than the timeout for a namespace lock. MinIO answers 503 (OperationTimedOut);
 * ObjectErrorCode has no code of its own for it, so it carries the quorum code of its mode,
 * which the API also answers with a retryable 503.
 */
export class LockTimeoutError extends ObjectError {
  constructor(readonly resource: string, readonly mode: LockMode, readonly timeoutMs: number) {
    super(
      mode === "read" ? "ReadQuorum" : "WriteQuorum",
      `Cannot ${mode}-lock "${resource}": still held by others after ${timeoutMs} ms`,
    );
    this.name = "LockTimeoutError";
  }
}

interface Waiter {
  mode: LockMode;
  grant: () => void;
  granted: boolean;
}

interface LockState {
  readers: number;
  writer: boolean;
  queue: Waiter[];
}

/** Releases a held lock; calling it more than once is a bug. */
export type Unlock = () => void;

export class NamespaceLocks {
  readonly #states = new Map<string, LockState>();

  constructor(readonly options: { timeoutMs: number }) {}

  /** Acquire `resource` in `mode`; rejects with LockTimeoutError after `timeoutMs`. */
  lock(resource: string, mode: LockMode, timeoutMs = this.options.timeoutMs): Promise<Unlock> {
    const state = this.#stateOf(resource);
    return new Promise<Unlock>((resolve, reject) => {
      const waiter: Waiter = { mode, granted: false, grant: () => {} };
      const timer = setTimeout(() => {
        if (waiter.granted) return;
        state.queue.splice(state.queue.indexOf(waiter), 1);
        this.#drain(resource, state);
        reject(new LockTimeoutError(resource, mode, timeoutMs));
      }, timeoutMs);
      waiter.grant = () => {
        clearTimeout(timer);
        waiter.granted = true;
        resolve(this.#unlocker(resource, state, mode));
      };
      state.queue.push(waiter);
      this.#drain(resource, state);
    });
  }

  /** Number of resources with holders or waiters (tests check that nothing leaks). */
  get activeCount(): number {
    return this.#states.size;
  }

  #stateOf(resource: string): LockState {
    let state = this.#states.get(resource);
    if (state === undefined) {
      state = { readers: 0, writer: false, queue: [] };
      this.#states.set(resource, state);
    }
    return state;
  }

  /** Grant the head of the queue while it is compatible with the holders (FIFO). */
  #drain(resource: string, state: LockState): void {
    while (state.queue.length > 0) {
      const head = state.queue[0];
      if (head.mode === "write" && (state.writer || state.readers > 0)) break;
      if (head.mode === "read" && state.writer) break;
      state.queue.shift();
      if (head.mode === "write") state.writer = true;
      else state.readers += 1;
      head.grant();
    }
    if (!state.writer && state.readers === 0 && state.queue.length === 0) {
      this.#states.delete(resource);
    }
  }

  #unlocker(resource: string, state: LockState, mode: LockMode): Unlock {
    let released = false;
    return () => {
      if (released) throw new Error(`Cannot unlock "${resource}": already released`);
      released = true;
      if (mode === "write") state.writer = false;
      else state.readers -= 1;
      this.#drain(resource, state);
    };
  }
}
