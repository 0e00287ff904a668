/**
 * MD5 on another thread: a PUT's ETag is the MD5 of its body, and hashing it inline costs
 * about as much CPU as encoding and writing the body together. `createOffloadedMd5` sends
 * each block to one shared worker thread (`md5_worker.ts`) and the main thread goes on.
 *
 * - `update` copies the bytes at call time (callers reuse their buffers) into a buffer of the
 *   hash's own, transferred to the worker and back, reused: nothing is allocated per block.
 * - At most `limits.md5OffloadQueuedBytesMax` bytes per hash wait for the worker; `ready()`
 *   resolves when the queue is below that again (backpressure).
 * - A failed worker fails the hashes it was serving with a `HashOffloadError` (their bytes are
 *   gone), and the next hash starts a fresh worker. Where no worker can be started, hashes
 *   are computed inline with node:crypto, through the same interface.
 * - The worker holds the process open only while a reply is awaited, so an idle server exits
 *   on SIGTERM and `deno test` sees no leak.
 *
 * Deno: a `node:worker_threads` worker (Deno's web Worker cannot be unref'd). Bun: a web
 * Worker (Bun's node worker does not let the process exit when unref'd). In the binary built
 * by `compile.sh` (bun build --compile, one bundle) the worker is an extra entrypoint, at the
 * same path under the bundle's root as in the source tree.
 */
import * as nodeCrypto from "node:crypto";
import { Worker as NodeWorker } from "node:worker_threads";
import { md5OffloadQueuedBytesMax } from "../limits.ts";
import type { Md5Reply, Md5Request } from "./md5_worker.ts";

/** An incremental MD5 whose work may happen elsewhere. */
export interface OffloadedHash {
  /** Hash `bytes` next; they are copied before this returns, so the caller may reuse them. */
  update(bytes: Uint8Array): void;
  /** Resolves once at most `queuedBytesMax` bytes wait to be hashed; rejects if the hash failed. */
  ready(): Promise<void>;
  /** The MD5 of everything updated; the hash is done after this. */
  digest(): Promise<Uint8Array>;
  /** Drop the hash (the body was refused); its pending bytes are discarded. */
  abort(): void;
}

/** The worker thread failed or went away while hashing: the digest cannot be produced. */
export class HashOffloadError extends Error {
  override name = "HashOffloadError";
}

export interface OffloadOptions {
  /** Bytes queued for the worker before `ready()` waits (default `limits.md5OffloadQueuedBytesMax`). */
  queuedBytesMax?: number;
}

/**
 * The process's one MD5 worker, created at first use. This is the module's only mutable state:
 * a thread is costly to start (tens of ms) and serves any number of hashes, so it is shared
 * by all requests rather than threaded through every caller; `null` means workers are
 * unavailable here and hashes run inline.
 */
let sharedWorker: Md5Worker | null | undefined;

/** An MD5 computed on the shared worker thread, or inline when there is none. */
export function createOffloadedMd5(options: OffloadOptions = {}): OffloadedHash {
  if (sharedWorker?.failure !== undefined) {
    // A worker that never answered cannot load here (e.g. missing from a bundle): go inline.
    sharedWorker = sharedWorker.everReplied ? undefined : null;
  }
  if (sharedWorker === undefined) sharedWorker = Md5Worker.start(md5WorkerUrl());
  if (sharedWorker === null) return createInlineMd5();
  return sharedWorker.createHash(options.queuedBytesMax ?? md5OffloadQueuedBytesMax);
}

/** The same interface over node:crypto on this thread (small bodies, no workers). */
export function createInlineMd5(): OffloadedHash {
  const hash = nodeCrypto.createHash("md5");
  return {
    update: (bytes) => void hash.update(bytes),
    ready: () => Promise.resolve(),
    digest: () => Promise.resolve(new Uint8Array(hash.digest())),
    abort: () => {},
  };
}

/** The worker module, in the source tree or in the binary's bundle (see the module comment). */
export function md5WorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith("/hash_offload.ts")
    ? new URL("./md5_worker.ts", here)
    : new URL("./src/platform/md5_worker.ts", here);
}

/** A worker thread as both runtimes offer it. */
interface WorkerPort {
  post(request: Md5Request, transfer: ArrayBuffer[]): void;
  ref(): void;
  unref(): void;
  terminate(): void;
}

interface WorkerEvents {
  reply(reply: Md5Reply): void;
  failure(error: HashOffloadError): void;
}

function spawn(url: URL, events: WorkerEvents): WorkerPort {
  return "Bun" in globalThis ? spawnWebWorker(url, events) : spawnNodeWorker(url, events);
}

function spawnNodeWorker(url: URL, events: WorkerEvents): WorkerPort {
  // Node and Deno take a URL object (a file:// string would be read as a path); the types lag.
  const worker = new NodeWorker(url as unknown as string);
  let terminated = false;
  worker.on("message", (reply: Md5Reply) => events.reply(reply));
  worker.on("error", (error: unknown) => {
    events.failure(new HashOffloadError(`MD5 worker failed: ${error}`, { cause: error }));
  });
  worker.on("exit", (code: number) => {
    if (!terminated) events.failure(new HashOffloadError(`MD5 worker exited (code ${code})`));
  });
  return {
    post: (request, transfer) => worker.postMessage(request, transfer),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
}

/** Bun's web Worker, which has `ref`/`unref` (not in the DOM types). */
type RefWorker = Worker & { ref(): void; unref(): void };

function spawnWebWorker(url: URL, events: WorkerEvents): WorkerPort {
  const worker = new Worker(url.href, { type: "module" }) as RefWorker;
  worker.onmessage = (event: MessageEvent<Md5Reply>) => events.reply(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    events.failure(new HashOffloadError(`MD5 worker failed: ${event.message}`));
  };
  let terminated = false;
  worker.addEventListener("close", () => {
    if (!terminated) events.failure(new HashOffloadError("MD5 worker exited"));
  });
  return {
    post: (request, transfer) => worker.postMessage(request, transfer),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => {
      terminated = true;
      worker.terminate();
    },
  };
}

/** The shared worker: hashes by id, and the count of replies that hold the process open. */
class Md5Worker {
  readonly #port: WorkerPort;
  readonly #hashes = new Map<number, RemoteMd5>();
  #nextId = 1;
  #repliesAwaited = 0;
  everReplied = false;
  failure: HashOffloadError | undefined;

  private constructor(url: URL) {
    this.#port = spawn(url, {
      reply: (reply) => this.#onReply(reply),
      failure: (error) => this.#fail(error),
    });
    this.#port.unref();
  }

  /** A worker on `url`, or null when this runtime cannot start one. */
  static start(url: URL): Md5Worker | null {
    try {
      return new Md5Worker(url);
    } catch {
      return null;
    }
  }

  createHash(queuedBytesMax: number): OffloadedHash {
    const id = this.#nextId++;
    const hash = new RemoteMd5(id, this, queuedBytesMax);
    this.#hashes.set(id, hash);
    return hash;
  }

  /** Send a request; `expectsReply` keeps the process open until the reply arrives. */
  send(request: Md5Request, transfer: ArrayBuffer[], expectsReply: boolean): void {
    if (expectsReply && this.#repliesAwaited++ === 0) this.#port.ref();
    this.#port.post(request, transfer);
  }

  forget(id: number): void {
    this.#hashes.delete(id);
  }

  #onReply(reply: Md5Reply): void {
    this.everReplied = true;
    if (--this.#repliesAwaited === 0) this.#port.unref();
    const hash = this.#hashes.get(reply.id);
    if (hash === undefined) return; // aborted meanwhile
    if (reply.op === "ack") hash.onAck(reply.buffer, reply.sizeBytes);
    else if (reply.op === "digest") hash.onDigest(new Uint8Array(reply.md5));
    else hash.onFailure(new HashOffloadError(`MD5 worker: ${reply.message}`));
  }

  #fail(error: HashOffloadError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.#repliesAwaited = 0;
    this.#port.terminate();
    for (const hash of this.#hashes.values()) hash.onFailure(error);
    this.#hashes.clear();
  }
}

/** One body's MD5 on the worker, with its queue of copies in flight. */
class RemoteMd5 implements OffloadedHash {
  #queuedBytes = 0;
  /** Copy buffers the worker gave back, reused by later updates. */
  readonly #spares: ArrayBuffer[] = [];
  #waiters: { resolve(): void; reject(error: unknown): void }[] = [];
  #result: { resolve(md5: Uint8Array): void; reject(error: unknown): void } | undefined;
  #failure: HashOffloadError | undefined;
  #closed = false;

  constructor(
    readonly id: number,
    readonly worker: Md5Worker,
    readonly queuedBytesMax: number,
  ) {
    if (worker.failure !== undefined) this.#failure = worker.failure;
  }

  /** Bytes sent and not yet hashed. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  update(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("Bug: MD5 updated after digest or abort");
    if (this.#failure !== undefined || bytes.length === 0) return;
    const buffer = this.#takeBuffer(bytes.length);
    new Uint8Array(buffer, 0, bytes.length).set(bytes);
    this.#queuedBytes += bytes.length;
    const request = { op: "update", id: this.id, buffer, sizeBytes: bytes.length } as const;
    this.worker.send(request, [buffer], true);
  }

  ready(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#queuedBytes <= this.queuedBytesMax) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  digest(): Promise<Uint8Array> {
    if (this.#closed) throw new Error("Bug: MD5 digested twice or after abort");
    this.#closed = true;
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#result = { resolve, reject };
      this.worker.send({ op: "digest", id: this.id }, [], true);
    });
  }

  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#spares.length = 0;
    this.worker.forget(this.id);
    if (this.#failure === undefined) this.worker.send({ op: "abort", id: this.id }, [], false);
  }

  onAck(buffer: ArrayBuffer, sizeBytes: number): void {
    this.#queuedBytes -= sizeBytes;
    if (!this.#closed) this.#spares.push(buffer);
    if (this.#queuedBytes > this.queuedBytesMax) return;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  onDigest(md5: Uint8Array): void {
    this.worker.forget(this.id);
    this.#spares.length = 0;
    this.#result?.resolve(md5);
  }

  onFailure(error: HashOffloadError): void {
    this.#failure = error;
    this.worker.forget(this.id);
    this.#spares.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#result?.reject(error);
  }

  /** A returned buffer of at least `sizeBytes`, else a new one (spares too small are dropped). */
  #takeBuffer(sizeBytes: number): ArrayBuffer {
    while (this.#spares.length > 0) {
      const spare = this.#spares.pop()!;
      if (spare.byteLength >= sizeBytes) return spare;
    }
    return new ArrayBuffer(sizeBytes);
  }
}
