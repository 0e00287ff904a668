/**
 * The workspace pool hands idle workspaces back out for the same split and block size only,
 * keeps at most `idleMax`, refuses a double release, and a reused workspace still encodes
 * exactly what the reference library does.
 */
import { ReedSolomonErasure } from "@subspace/reed-solomon-erasure.wasm";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { ErasureWorkspacePool, ReedSolomon } from "./mod.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`erasure_workspace_pool_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

const oracle = await ReedSolomonErasure.fromCurrentDirectory();

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

Deno.test("a released workspace comes back only for the same split and block size", () => {
  const pool = new ErasureWorkspacePool(4);
  const first = pool.acquire(new ReedSolomon(4, 2), 4096);
  pool.release(first);
  assertEquals(pool.idleCount, 1);
  assert(pool.acquire(new ReedSolomon(4, 2), 8192) !== first, "other block size");
  assert(pool.acquire(new ReedSolomon(2, 4), 4096) !== first, "other split");
  assert(pool.acquire(new ReedSolomon(4, 2), 4096) === first, "same split, another instance");
  assertEquals(pool.idleCount, 0);
  assert(pool.acquire(new ReedSolomon(4, 2), 4096) !== first, "handed out once only");
});

Deno.test("the pool keeps at most idleMax idle workspaces and refuses a double release", () => {
  const pool = new ErasureWorkspacePool(2);
  const rs = new ReedSolomon(2, 2);
  const all = [1, 2, 3].map(() => pool.acquire(rs, 1000));
  all.forEach((workspace) => pool.release(workspace));
  assertEquals(pool.idleCount, 2);
  assertThrows(() => pool.release(all[1]), Error, "released twice");
  assertThrows(() => new ErasureWorkspacePool(-1), RangeError, "non-negative integer");
  const none = new ErasureWorkspacePool(0);
  none.release(none.acquire(rs, 1000));
  assertEquals(none.idleCount, 0);
});

Deno.test("a reused workspace, left dirty by a longer block, encodes a shorter one as the reference does", () => {
  const pool = new ErasureWorkspacePool();
  const rs = new ReedSolomon(12, 4);
  const used = pool.acquire(rs, 1 << 20);
  used.input.set(randomBytes(1 << 20, seed));
  used.encodeFramed(1 << 20);
  pool.release(used);
  const reused = pool.acquire(new ReedSolomon(12, 4), 1 << 20);
  assert(reused === used);
  const block = randomBytes(100_001, seed + 1);
  reused.input.set(block);
  const shards = reused.encode(block.length).map((shard) => shard.slice());
  const expected = new Uint8Array(16 * shards[0].length);
  expected.set(block);
  assertEquals(oracle.encode(expected, 12, 4), ReedSolomonErasure.RESULT_OK);
  shards.forEach((shard, i) =>
    assertEquals(shard, expected.subarray(i * shard.length, (i + 1) * shard.length))
  );
});
