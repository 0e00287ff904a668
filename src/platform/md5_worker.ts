/**
 * The MD5 worker: hashes the bodies of several PUTs at once, each by request id, so a PUT's
 * main thread encodes and writes while this thread hashes (see `hash_offload.ts`).
 *
 * Messages in (in order per id): `update` (bytes, transferred), `digest`, `abort`. Bytes
 * travel as an ArrayBuffer and a length, not as a Uint8Array: Deno's node worker copies a
 * typed array inside a message about 50 times slower than it transfers a buffer.
 * Messages out: `ack` after each update (its buffer transferred back for reuse), `digest`
 * with the 16 bytes, `error` when a request cannot be served.
 *
 * Runs as a `node:worker_threads` worker (Deno) or a web Worker (Bun); both deliver the same
 * messages, only the port differs.
 */
import { createHash, type Hash } from "node:crypto";
import { parentPort } from "node:worker_threads";

/** Main thread → worker. */
export type Md5Request =
  | { op: "update"; id: number; buffer: ArrayBuffer; sizeBytes: number }
  | { op: "digest"; id: number }
  | { op: "abort"; id: number };

/** Worker → main thread. */
export type Md5Reply =
  | { op: "ack"; id: number; buffer: ArrayBuffer; sizeBytes: number }
  | { op: "digest"; id: number; md5: ArrayBuffer }
  | { op: "error"; id: number; message: string };

interface Port {
  post(reply: Md5Reply, transfer: ArrayBuffer[]): void;
  listen(handle: (request: Md5Request) => void): void;
}

function openPort(): Port {
  if (parentPort !== null && !("Bun" in globalThis)) {
    const port = parentPort;
    return {
      post: (reply, transfer) => port.postMessage(reply, transfer),
      listen: (handle) => port.on("message", handle),
    };
  }
  const scope = globalThis as unknown as {
    postMessage(message: unknown, transfer: Transferable[]): void;
    addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  };
  return {
    post: (reply, transfer) => scope.postMessage(reply, transfer),
    listen: (handle) => scope.addEventListener("message", (event) => handle(event.data)),
  };
}

/** Serve requests on `port` until the main thread terminates this worker. */
function serve(port: Port): void {
  // The hashes of the PUTs in progress; each lives from its first update to its digest or abort.
  const hashes = new Map<number, Hash>();
  port.listen((request) => {
    try {
      handle(request, hashes, port);
    } catch (error) {
      hashes.delete(request.id);
      port.post({ op: "error", id: request.id, message: String(error) }, []);
    }
  });
}

function handle(request: Md5Request, hashes: Map<number, Hash>, port: Port): void {
  switch (request.op) {
    case "update": {
      let hash = hashes.get(request.id);
      if (hash === undefined) {
        hash = createHash("md5");
        hashes.set(request.id, hash);
      }
      hash.update(new Uint8Array(request.buffer, 0, request.sizeBytes));
      const { id, buffer, sizeBytes } = request;
      port.post({ op: "ack", id, buffer, sizeBytes }, [buffer]);
      return;
    }
    case "digest": {
      const md5 = new Uint8Array((hashes.get(request.id) ?? createHash("md5")).digest()).buffer;
      hashes.delete(request.id);
      port.post({ op: "digest", id: request.id, md5 }, [md5]);
      return;
    }
    case "abort":
      hashes.delete(request.id);
      return;
  }
}

serve(openPort());
