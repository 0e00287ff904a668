/**
 * Test helpers for the object core (named *_test.ts so the import rules treat it as a test; it has no tests): sets over MemoryDrive, seeded bytes,
 * body streams cut into uneven chunks, and reading a body back.
 */
import type { StorageDrive } from "../drive/storage_drive.ts";
import type { ErasureWorkspacePool } from "../kernels/mod.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { randomUuid } from "../platform/crypto.ts";
import { ErasureSet } from "./erasure_set.ts";
import { NamespaceLocks } from "./namespace_lock.ts";

export { seededBytes, seededRandom } from "../testing/seeded_random.ts";

/** A body stream delivering `bytes` in chunks of pseudo-random sizes (1..chunkMaxBytes). */
export function bodyOf(
  bytes: Uint8Array,
  random: () => number = Math.random,
  chunkMaxBytes = 300_000,
) {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const take = 1 + Math.floor(random() * chunkMaxBytes);
      controller.enqueue(bytes.slice(offset, offset + take));
      offset += take;
    },
  });
}

export async function readBody(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A clock that advances by one millisecond on every call (distinct, ordered mod times). */
export function steppingClock(startNs = 1_700_000_000_000_000_000n): { nowNs(): bigint } {
  let now = startNs;
  return {
    nowNs() {
      now += 1_000_000n;
      return now;
    },
  };
}

export const testDeploymentId = "f5c58c61-7175-4018-ab5e-a94fe9c2de4e";

export async function memoryDrives(
  count: number,
  buckets: string[] = ["bucket"],
): Promise<MemoryDrive[]> {
  const drives = Array.from({ length: count }, (_, i) => new MemoryDrive(`mem${i + 1}`));
  for (const drive of drives) for (const bucket of buckets) await drive.makeVolume(bucket);
  return drives;
}

export function makeSet(
  drives: StorageDrive[],
  options: {
    standardParity?: number;
    rrsParity?: number;
    clock?: { nowNs(): bigint };
    workspacePool?: ErasureWorkspacePool;
  } = {},
): ErasureSet {
  return new ErasureSet({
    drives,
    poolIndex: 0,
    setIndex: 0,
    deploymentId: testDeploymentId,
    standardParity: options.standardParity ?? Math.floor(drives.length / 2),
    rrsParity: options.rrsParity ?? 1,
    locks: new NamespaceLocks({ timeoutMs: 5_000 }),
    clock: options.clock ?? steppingClock(),
    randomUuid,
    ...(options.workspacePool === undefined ? {} : { workspacePool: options.workspacePool }),
  });
}

/** MD5 through node:crypto, an oracle independent of the platform wrapper used by src/. */
export async function md5HexOf(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("md5").update(bytes).digest("hex");
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
