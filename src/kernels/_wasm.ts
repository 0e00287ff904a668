/**
 * The embedded wasm module (compiled once) and its instances.
 *
 * `kernels` is the process-wide shared instance: each facade call on it lays out its inputs and
 * outputs above `heap_base()` with an `Arena`, maps the arena (growing memory when needed), copies
 * inputs in, makes one wasm call and copies results out. Nothing stays in its memory between
 * calls, and any call may grow (and so detach) its memory.
 *
 * An `ErasureWorkspace` owns a private instance (`new WasmKernels(variant)`): its own linear
 * memory, sized once, which only that workspace's calls touch.
 */
import { kernelCallMaxBytes, kernelMatrixCacheEntriesMax } from "../limits.ts";
import { wasmModuleBase64, wasmModuleRelaxedBase64 } from "./wasm_module.generated.ts";

/** The exports of wasm/src/lib.rs (pointers and lengths are wasm32 usize = JS numbers). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  rs_scratch_bytes(totalShards: number): number;
  rs_encoding_matrix(data: number, parity: number, out: number, scratch: number): number;
  rs_decoding_matrix(
    data: number,
    parity: number,
    present: number,
    missing: number,
    missingCount: number,
    out: number,
    scratch: number,
  ): number;
  gf_matmul(
    coef: number,
    rows: number,
    cols: number,
    len: number,
    inp: number,
    inStride: number,
    out: number,
    outStride: number,
  ): void;
  gf_matmul_gather(
    coef: number,
    rows: number,
    cols: number,
    len: number,
    inputs: number,
    outputs: number,
  ): void;
  rs_encode_framed(
    coef: number,
    data: number,
    parity: number,
    len: number,
    frames: number,
    key: number,
  ): void;
  hh256(key: number, data: number, len: number, out: number): void;
  hh256_batch(
    key: number,
    data: number,
    len: number,
    stride: number,
    count: number,
    out: number,
    outStride: number,
  ): void;
  hh_state_bytes(): number;
  hh_init(key: number, state: number): void;
  hh_update(state: number, data: number, len: number): void;
  hh_finish256(state: number, rem: number, remLen: number, out: number): void;
}

const wasmPageBytes = 65536;
const alignBytes = 16;

/** A bump layout of one call's regions in wasm memory. */
export class Arena {
  #nextOffset: number;

  constructor(baseOffset: number) {
    this.#nextOffset = baseOffset;
  }

  /** Reserves `sizeBytes` (16-byte aligned) and returns its address. */
  take(sizeBytes: number): number {
    const offset = Math.ceil(this.#nextOffset / alignBytes) * alignBytes;
    this.#nextOffset = offset + sizeBytes;
    return offset;
  }

  get endOffset(): number {
    return this.#nextOffset;
  }
}

/**
 * Which build of wasm/ runs: "relaxed" uses `i8x16.relaxed_swizzle` for the GF(2^8) lookups
 * (engines with relaxed SIMD: current V8 and JavaScriptCore); "baseline" is plain SIMD128.
 * Both compute identical bytes (the lookup indices are always < 16).
 */
export type KernelVariant = "relaxed" | "baseline";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The relaxed build when this engine validates it, else the baseline. */
export function preferredVariant(): KernelVariant {
  return WebAssembly.validate(decodeBase64(wasmModuleRelaxedBase64)) ? "relaxed" : "baseline";
}

function compile(variant: KernelVariant): WebAssembly.Module {
  const base64 = variant === "relaxed" ? wasmModuleRelaxedBase64 : wasmModuleBase64;
  return new WebAssembly.Module(decodeBase64(base64));
}

/** This engine's preferred build, compiled once (instances are cheap, compiling is not). */
const preferred = { variant: preferredVariant() } as const;
const preferredModule = compile(preferred.variant);

export class WasmKernels {
  readonly exports: KernelExports;
  readonly variant: KernelVariant;
  readonly #heapBase: number;
  readonly #matrices = new Map<string, Uint8Array>();

  /** A new instance with its own linear memory (the preferred build's module is reused). */
  constructor(variant: KernelVariant = preferred.variant) {
    this.variant = variant;
    const module = variant === preferred.variant ? preferredModule : compile(variant);
    const instance = new WebAssembly.Instance(module, {});
    this.exports = instance.exports as unknown as KernelExports;
    this.#heapBase = this.exports.heap_base();
  }

  arena(): Arena {
    return new Arena(this.#heapBase);
  }

  /** Grows memory to hold everything `arena` reserved and returns a view of all of it. */
  map(arena: Arena): Uint8Array {
    const usedBytes = arena.endOffset - this.#heapBase;
    if (usedBytes > kernelCallMaxBytes) {
      throw new RangeError(
        `Cannot run a kernel call needing ${usedBytes} bytes: the limit is ${kernelCallMaxBytes}`,
      );
    }
    const memory = this.exports.memory;
    const missingBytes = arena.endOffset - memory.buffer.byteLength;
    if (missingBytes > 0) memory.grow(Math.ceil(missingBytes / wasmPageBytes));
    return new Uint8Array(memory.buffer);
  }

  /** A matrix from `compute`, cached under `key` (bounded; the oldest entry goes first). */
  cachedMatrix(key: string, compute: () => Uint8Array): Uint8Array {
    const cached = this.#matrices.get(key);
    if (cached !== undefined) return cached;
    const matrix = compute();
    if (this.#matrices.size >= kernelMatrixCacheEntriesMax) {
      this.#matrices.delete(this.#matrices.keys().next().value!);
    }
    this.#matrices.set(key, matrix);
    return matrix;
  }
}

/** The process-wide instance: compiled once, on first import. */
export const kernels: WasmKernels = new WasmKernels();
