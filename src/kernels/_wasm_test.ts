/**
 * The two builds of wasm/ (baseline SIMD128 and relaxed_swizzle) compute identical bytes; the
 * facade's tests check whichever one this engine runs against the reference libraries.
 */
import { assertEquals } from "../testing/assert.ts";
import { kernels, preferredVariant, WasmKernels } from "./_wasm.ts";

const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 2 ** 31);
console.log(`_wasm_test seed ${seed} (rerun with AISTOR_SEED=${seed})`);

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** gf_matmul of `rows`×`cols` random coefficients over random shards, in one build. */
function matmul(build: WasmKernels, rows: number, cols: number, shardBytes: number): Uint8Array {
  const arena = build.arena();
  const coef = arena.take(rows * cols);
  const inputs = arena.take(cols * shardBytes);
  const outputs = arena.take(rows * shardBytes);
  const memory = build.map(arena);
  memory.set(randomBytes(rows * cols, seed), coef);
  memory.set(randomBytes(cols * shardBytes, seed + 1), inputs);
  const e = build.exports;
  e.gf_matmul(coef, rows, cols, shardBytes, inputs, shardBytes, outputs, shardBytes);
  return memory.slice(outputs, outputs + rows * shardBytes);
}

function hashes(build: WasmKernels, count: number, sliceBytes: number): Uint8Array {
  const arena = build.arena();
  const key = arena.take(32);
  const data = arena.take(count * sliceBytes);
  const out = arena.take(count * 32);
  const memory = build.map(arena);
  memory.set(randomBytes(32, seed + 2), key);
  memory.set(randomBytes(count * sliceBytes, seed + 3), data);
  build.exports.hh256_batch(key, data, sliceBytes, sliceBytes, count, out, 32);
  return memory.slice(out, out + count * 32);
}

Deno.test("this engine (Deno's V8) runs the relaxed build", () => {
  assertEquals(preferredVariant(), "relaxed");
  assertEquals(kernels.variant, "relaxed");
});

Deno.test("the baseline and relaxed builds compute identical products and hashes", () => {
  const baseline = new WasmKernels("baseline");
  const relaxed = new WasmKernels("relaxed");
  for (const [rows, cols, shardBytes] of [[4, 12, 87382], [16, 16, 4099], [7, 3, 33], [1, 1, 15]]) {
    assertEquals(matmul(relaxed, rows, cols, shardBytes), matmul(baseline, rows, cols, shardBytes));
  }
  assertEquals(hashes(relaxed, 16, 65537), hashes(baseline, 16, 65537));
});
