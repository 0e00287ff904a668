/**
 * The allocation-free paths (`ErasureWorkspace`, `encodeBlockInto`, `encodeFramedBlockInto`)
 * against independent oracles (`@subspace/reed-solomon-erasure.wasm` for parity, `highwayhasher`
 * for the frame hashes) and against the fresh-array path, with reused buffers across blocks of
 * changing lengths, interleaved workspaces and calls on the shared instance in between.
 */
import { ReedSolomonErasure } from "@subspace/reed-solomon-erasure.wasm";
import { WasmHighwayHash } from "highwayhasher";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import {
  bitrotKey,
  encodeFramedBlock,
  encodeFramedBlockInto,
  ErasureWorkspace,
  framedShardLengthBytes,
  highwayHash256,
  ReedSolomon,
  TooFewShardsError,
} from "./mod.ts";
import { kernels } from "./_wasm.ts";
import { kernelCallMaxBytes } from "../limits.ts";
import { randomSource } from "../testing/seeded_random.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`erasure_workspace_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

const rsOracle = await ReedSolomonErasure.fromCurrentDirectory();
const hashOracle = await WasmHighwayHash.loadModule();

/** The D+P shards of `block` by the reference library alone (zero-padded data, then parity). */
function oracleShards(block: Uint8Array, d: number, p: number): Uint8Array[] {
  const shardBytes = Math.ceil(block.length / d);
  if (shardBytes === 0) return Array.from({ length: d + p }, () => new Uint8Array(0));
  const all = new Uint8Array(shardBytes * (d + p));
  all.set(block);
  if (p > 0) assertEquals(rsOracle.encode(all, d, p), ReedSolomonErasure.RESULT_OK);
  return Array.from(
    { length: d + p },
    (_, i) => all.slice(i * shardBytes, (i + 1) * shardBytes),
  );
}

/** Bitrot frames by the oracles alone: highwayhasher(bitrotKey, shard) ‖ shard. */
function oracleFrames(block: Uint8Array, d: number, p: number): Uint8Array[] {
  return oracleShards(block, d, p).map((shard) => {
    if (shard.length === 0) return shard;
    const frame = new Uint8Array(32 + shard.length);
    frame.set(hashOracle.hash256(bitrotKey, shard));
    frame.set(shard, 32);
    return frame;
  });
}

const copies = (arrays: Uint8Array[]) => arrays.map((a) => a.slice());

/** Block lengths that hit the edges: empty, shorter than D, around SIMD widths, full. */
function edgeLengths(d: number, blockBytesMax: number): number[] {
  const lengths = [0, 1, d - 1, d, d + 1, 16 * d - 1, 16 * d + 5, 4096 * d + 3, blockBytesMax - 1];
  return [...lengths, blockBytesMax].filter((n) => n >= 0 && n <= blockBytesMax);
}

Deno.test("a workspace's encode() equals the reference library and encodeBlock(), block after block in one workspace", () => {
  const random = randomSource(seed);
  for (const [d, p] of [[12, 4], [8, 4], [4, 2], [2, 2], [5, 11], [1, 1], [3, 0], [16, 16]]) {
    const rs = new ReedSolomon(d, p);
    const blockBytesMax = 20000 + random.int(50000);
    const workspace = new ErasureWorkspace(rs, blockBytesMax);
    // Long blocks first, then short ones: stale bytes of a longer block must never leak into
    // the padding or the parity of a shorter one.
    const lengths = edgeLengths(d, blockBytesMax).reverse();
    for (const lengthBytes of [...lengths, ...lengths.reverse()]) {
      const block = random.bytes(lengthBytes);
      workspace.blockInput(lengthBytes).set(block);
      const shards = workspace.encode(lengthBytes);
      const label = `${d}+${p}, block ${lengthBytes}`;
      assertEquals(copies(shards), oracleShards(block, d, p), label);
      assertEquals(copies(shards), rs.encodeBlock(block), label);
    }
  }
});

Deno.test("a workspace's encodeFramed() equals highwayhasher ‖ reference shards and encodeFramedBlock(), block after block", () => {
  const random = randomSource(seed + 1);
  for (const [d, p] of [[12, 4], [4, 2], [2, 2], [3, 2], [7, 9], [1, 0], [16, 16]]) {
    const rs = new ReedSolomon(d, p);
    const blockBytesMax = 30000 + random.int(40000);
    const workspace = new ErasureWorkspace(rs, blockBytesMax);
    const lengths = edgeLengths(d, blockBytesMax);
    for (const lengthBytes of [...lengths.reverse(), ...lengths.reverse()]) {
      const block = random.bytes(lengthBytes);
      workspace.input.set(block);
      const frames = workspace.encodeFramed(lengthBytes);
      const label = `${d}+${p}, block ${lengthBytes}`;
      assertEquals(copies(frames), oracleFrames(block, d, p), label);
      assertEquals(copies(frames), encodeFramedBlock(rs, block), label);
    }
  }
});

Deno.test("encode() and encodeFramed() alternate on one workspace without corrupting each other", () => {
  const random = randomSource(seed + 2);
  const rs = new ReedSolomon(12, 4);
  const workspace = new ErasureWorkspace(rs, 1 << 20);
  for (let round = 0; round < 6; round++) {
    const lengthBytes = round % 2 === 0 ? 1 << 20 : 1 + random.int(1 << 20);
    const block = random.bytes(lengthBytes);
    workspace.input.set(block);
    if (round % 3 === 0) {
      assertEquals(copies(workspace.encode(lengthBytes)), oracleShards(block, 12, 4));
    } else {
      assertEquals(copies(workspace.encodeFramed(lengthBytes)), oracleFrames(block, 12, 4));
    }
  }
});

Deno.test("views from one workspace survive other workspaces' calls and shared-instance calls that grow its memory", () => {
  const random = randomSource(seed + 3);
  const rs = new ReedSolomon(4, 2);
  const [a, b] = [new ErasureWorkspace(rs, 65536), new ErasureWorkspace(rs, 65536)];
  const blockA = random.bytes(65536);
  a.input.set(blockA);
  const framesA = a.encodeFramed(blockA.length);
  const shardsA = (a.input.set(blockA), a.encode(blockA.length));
  const expected = oracleShards(blockA, 4, 2);
  // Double buffering: b encodes the next block while a's shards are still being written.
  const blockB = random.bytes(60000);
  b.input.set(blockB);
  assertEquals(copies(b.encodeFramed(blockB.length)), oracleFrames(blockB, 4, 2));
  // The shared instance lays out far more than it had: its memory grows (and detaches).
  const sharedBufferBefore = kernels.exports.memory.buffer;
  const big = random.bytes(3 << 20);
  assertEquals(highwayHash256(bitrotKey, big), hashOracle.hash256(bitrotKey, big));
  // 4+2 lays out 1.5x the block: more than the shared memory holds now.
  rs.encodeBlock(random.bytes(sharedBufferBefore.byteLength));
  assert(kernels.exports.memory.buffer !== sharedBufferBefore, "the shared memory grew");
  assertEquals(copies(shardsA), expected);
  assert(framesA[0].buffer === shardsA[0].buffer, "views of the same private memory");
  assert(shardsA[0].buffer !== kernels.exports.memory.buffer, "not the shared memory");
});

Deno.test("the next encode on the same workspace reuses its memory, as documented", () => {
  const rs = new ReedSolomon(2, 2);
  const workspace = new ErasureWorkspace(rs, 1024);
  workspace.input.set(new Uint8Array(1024).fill(1));
  const first = workspace.encode(1024);
  workspace.input.set(new Uint8Array(1024).fill(2));
  const second = workspace.encode(1024);
  // Same bytes of memory: the first views now show the second block. Callers copy first.
  assertEquals(copies(first), copies(second));
  assertEquals(first[0], new Uint8Array(512).fill(2));
  assert(workspace.blockInput(10).buffer === workspace.input.buffer);
});

Deno.test("a workspace rejects lengths outside 0..blockBytesMax and impossible sizes with a RangeError", () => {
  const rs = new ReedSolomon(4, 2);
  const workspace = new ErasureWorkspace(rs, 1000);
  assertEquals(workspace.input.length, 1000);
  for (const bad of [1001, -1, 1.5, NaN]) {
    assertThrows(() => workspace.encode(bad), RangeError, "0..1000");
    assertThrows(() => workspace.encodeFramed(bad), RangeError, "0..1000");
    assertThrows(() => workspace.blockInput(bad), RangeError, "0..1000");
  }
  for (const bad of [0, -5, 2.5, Infinity]) {
    assertThrows(() => new ErasureWorkspace(rs, bad), RangeError, "not a positive integer");
  }
  assertThrows(() => new ErasureWorkspace(rs, kernelCallMaxBytes), RangeError, "the limit is");
  assertEquals(workspace.encode(0), Array.from({ length: 6 }, () => new Uint8Array(0)));
  assertEquals(workspace.encodeFramed(0), Array.from({ length: 6 }, () => new Uint8Array(0)));
});

Deno.test("encodeBlockInto() equals the reference library, reusing the same output arrays block after block", () => {
  const random = randomSource(seed + 4);
  for (const [d, p] of [[12, 4], [4, 2], [2, 2], [5, 11], [1, 1]]) {
    const rs = new ReedSolomon(d, p);
    for (const lengthBytes of [70001, 70001 - d + 1, 70001 - d + 1, 64 * d]) {
      const shardBytes = rs.shardLengthBytes(lengthBytes);
      const out = Array.from({ length: d + p }, () => new Uint8Array(shardBytes).fill(0xee));
      for (let round = 0; round < 2; round++) {
        const block = random.bytes(lengthBytes);
        assert(rs.encodeBlockInto(block, out) === out);
        assertEquals(out, oracleShards(block, d, p), `${d}+${p}, block ${lengthBytes}`);
      }
    }
  }
});

Deno.test("encodeBlockInto() may write the data shards over the block itself", () => {
  const random = randomSource(seed + 5);
  const rs = new ReedSolomon(4, 2);
  const buffer = random.bytes(6 * 1000);
  const expected = oracleShards(buffer.slice(0, 4000), 4, 2);
  const out = Array.from({ length: 6 }, (_, i) => buffer.subarray(i * 1000, (i + 1) * 1000));
  rs.encodeBlockInto(buffer.subarray(0, 4000), out);
  assertEquals(copies(out), expected);
});

Deno.test("encodeFramedBlockInto() equals highwayhasher ‖ reference shards, reusing the same frames", () => {
  const random = randomSource(seed + 6);
  for (const [d, p] of [[12, 4], [3, 2], [1, 0]]) {
    const rs = new ReedSolomon(d, p);
    const lengthBytes = 100000 + random.int(1000);
    const out = Array.from(
      { length: d + p },
      () => new Uint8Array(framedShardLengthBytes(rs, lengthBytes)),
    );
    for (let round = 0; round < 2; round++) {
      const block = random.bytes(lengthBytes);
      encodeFramedBlockInto(rs, block, out);
      assertEquals(out, oracleFrames(block, d, p), `${d}+${p}, block ${lengthBytes}`);
    }
  }
  const rs = new ReedSolomon(2, 2);
  assertEquals(framedShardLengthBytes(rs, 0), 0);
  const empty = Array.from({ length: 4 }, () => new Uint8Array(0));
  assertEquals(encodeFramedBlockInto(rs, new Uint8Array(0), empty), empty);
});

Deno.test("outputs of the wrong count, length, overlapping each other or in wasm memory get a RangeError", () => {
  const rs = new ReedSolomon(2, 2);
  const block = new Uint8Array(10);
  const sized = (n: number) => Array.from({ length: 4 }, () => new Uint8Array(n));
  assertThrows(() => rs.encodeBlockInto(block, sized(5).slice(1)), RangeError, "4 output arrays");
  assertThrows(() => rs.encodeBlockInto(block, sized(6)), RangeError, "output 0 of 6 bytes");
  const wrongLast = sized(5);
  wrongLast[3] = new Uint8Array(4);
  assertThrows(() => rs.encodeBlockInto(block, wrongLast), RangeError, "output 3 of 4 bytes");
  const shared = new Uint8Array(20);
  const overlapping = [0, 5, 9, 15].map((start) => shared.subarray(start, start + 5));
  assertThrows(() => rs.encodeBlockInto(block, overlapping), RangeError, "outputs 1 and 2");
  assertThrows(() => encodeFramedBlockInto(rs, block, sized(5)), RangeError, "must be 37 bytes");
  const inWasm = rs.encodeBlock(block).map((_, i) =>
    new Uint8Array(kernels.exports.memory.buffer, kernels.exports.heap_base() + 64 * i, 5)
  );
  assertThrows(() => rs.encodeBlockInto(block, inWasm), RangeError, "shared wasm memory");
});

/** Lost-shard sets of up to `maxSize` of `n` indexes. */
function subsets(n: number, maxSize: number): number[][] {
  const all: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    for (const set of all.slice()) if (set.length < maxSize) all.push([...set, i]);
  }
  return all;
}

/**
 * Writes the shards of `block` that survive `lost` into the workspace (the lost slots hold
 * garbage), reconstructs, and checks every shard against the reference library's.
 */
function checkWorkspaceReconstruct(
  workspace: ErasureWorkspace,
  block: Uint8Array,
  lost: number[],
  dataOnly: boolean,
  garbage: Uint8Array,
): void {
  const { dataShards: d, parityShards: p } = workspace.rs;
  const expected = oracleShards(block, d, p);
  const slots = workspace.shardInputs(block.length);
  slots.forEach((slot, i) =>
    slot.set(lost.includes(i) ? garbage.subarray(0, slot.length) : expected[i])
  );
  const present = slots.map((_, i) => !lost.includes(i));
  const shards = workspace.reconstruct(block.length, present, { dataOnly });
  const label = `${d}+${p} block ${block.length} lost ${lost} dataOnly ${dataOnly}`;
  shards.forEach((shard, i) => {
    if (dataOnly && i >= d && lost.includes(i)) assertEquals(shard, null, label);
    else assertEquals(shard?.slice(), expected[i], `${label}: shard ${i}`);
  });
}

Deno.test("a workspace's reconstruct() rebuilds every erasure pattern of up to P shards for D+P ≤ 7, in place", () => {
  const random = randomSource(seed + 7);
  const garbage = random.bytes(1 << 16).fill(0xa5, 0, 100);
  for (let d = 1; d <= 5; d++) {
    for (let p = 0; d + p <= 7; p++) {
      const workspace = new ErasureWorkspace(new ReedSolomon(d, p), 5000);
      for (const lost of subsets(d + p, p)) {
        const block = random.bytes(1 + random.int(5000));
        checkWorkspaceReconstruct(workspace, block, lost, lost.length % 2 === 0, garbage);
      }
    }
  }
});

Deno.test("a workspace's reconstruct() rebuilds 1 MiB 12+4 blocks and sampled 16+16 patterns, after encodes in the same workspace", () => {
  const random = randomSource(seed + 8);
  const garbage = random.bytes(1 << 20);
  const workspace = new ErasureWorkspace(new ReedSolomon(12, 4), 1 << 20);
  for (const lost of [[0, 1, 2, 3], [3, 7, 12, 15], [11], [], [12, 13, 14, 15]]) {
    const block = random.bytes(1 << 20);
    workspace.input.set(block);
    workspace.encodeFramed(block.length);
    checkWorkspaceReconstruct(workspace, block, lost, false, garbage);
    checkWorkspaceReconstruct(workspace, block.subarray(0, 777777), lost, true, garbage);
  }
  const wide = new ErasureWorkspace(new ReedSolomon(16, 16), 100000);
  for (let round = 0; round < 8; round++) {
    const lost = [...Array(32).keys()].sort(() => random.int(3) - 1).slice(0, random.int(17));
    checkWorkspaceReconstruct(wide, random.bytes(1 + random.int(100000)), lost, false, garbage);
  }
});

Deno.test("a workspace's reconstruct() with fewer than D shards or a wrong presence list throws", () => {
  const workspace = new ErasureWorkspace(new ReedSolomon(4, 2), 1000);
  const three = [true, false, true, false, true, false];
  assertThrows(() => workspace.reconstruct(1000, three, { dataOnly: true }), TooFewShardsError);
  assertThrows(
    () => workspace.reconstruct(1000, [true, true], { dataOnly: true }),
    RangeError,
    "2 presence flags",
  );
  assertThrows(() => workspace.shardInputs(1001), RangeError, "0..1000");
  assertEquals(workspace.shardInputs(0), Array.from({ length: 6 }, () => new Uint8Array(0)));
});

Deno.test("a workspace's shardHashes() equal highwayhasher(bitrotKey, shard) for the present shards only", () => {
  const random = randomSource(seed + 9);
  const workspace = new ErasureWorkspace(new ReedSolomon(12, 4), 1 << 20);
  for (const lengthBytes of [1 << 20, 12 * 31 + 5, 1, 0]) {
    const block = random.bytes(lengthBytes);
    const shards = oracleShards(block, 12, 4);
    workspace.shardInputs(lengthBytes).forEach((slot, i) => slot.set(shards[i]));
    for (const lost of [[], [0], [15], [3, 4, 9, 10], [0, 2, 4, 6]]) {
      const present = shards.map((_, i) => !lost.includes(i));
      const hashes = workspace.shardHashes(lengthBytes, present);
      const expected = shards.map((shard, i) =>
        present[i] ? hashOracle.hash256(bitrotKey, shard) : null
      );
      assertEquals(hashes.map((hash) => hash?.slice() ?? null), expected, `lost ${lost}`);
    }
  }
  assertThrows(() => workspace.shardHashes(10, [true]), RangeError, "1 presence flags");
});
