//! aistor's WebAssembly kernels: Reed-Solomon over GF(2^8) and HighwayHash-256.
//!
//! The module has no allocator. The TypeScript facade (`src/kernels/mod.ts`) owns the linear
//! memory above `heap_base()`, lays out inputs and outputs there, and passes pointers. Every
//! export trusts its arguments: the facade validates counts and lengths before calling, so no
//! export checks bounds (a bad pointer here is a bug in the facade, not a condition of the world).

#![no_std]
#![cfg_attr(relaxed_simd, feature(link_llvm_intrinsics, abi_unadjusted, simd_ffi, repr_simd))]

mod highway_hash;
mod reed_solomon;

use highway_hash::{HighwayHash, STATE_BYTES};

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

extern "C" {
    /// Set by the linker: the first byte of linear memory past the stack and static data.
    static __heap_base: u8;
}

/// First address the facade may use; linear memory below it belongs to the stack and statics.
#[no_mangle]
pub extern "C" fn heap_base() -> usize {
    unsafe { &__heap_base as *const u8 as usize }
}

/// Bytes of scratch memory `rs_encoding_matrix` / `rs_decoding_matrix` need for a code with
/// `total` shards.
#[no_mangle]
pub extern "C" fn rs_scratch_bytes(total: usize) -> usize {
    reed_solomon::scratch_bytes(total)
}

/// Writes the (data+parity)×data encoding matrix (row-major) at `out`. Returns 0, or 1 when the
/// Vandermonde top square is singular (cannot happen for data+parity ≤ 256).
#[no_mangle]
pub unsafe extern "C" fn rs_encoding_matrix(
    data: usize,
    parity: usize,
    out: *mut u8,
    scratch: *mut u8,
) -> u32 {
    reed_solomon::encoding_matrix(data, parity, out, scratch)
}

/// Writes at `out` the `missing_count`×data matrix that recomputes shards `missing[..]` from the
/// data shards `present[..data]` (row indices of the encoding matrix). Returns 0, or 1 when the
/// chosen rows are singular (cannot happen for an MDS code with distinct rows).
#[no_mangle]
pub unsafe extern "C" fn rs_decoding_matrix(
    data: usize,
    parity: usize,
    present: *const u8,
    missing: *const u8,
    missing_count: usize,
    out: *mut u8,
    scratch: *mut u8,
) -> u32 {
    reed_solomon::decoding_matrix(data, parity, present, missing, missing_count, out, scratch)
}

/// out[r] = XOR over c of coef[r][c] ⊗ in[c], for `rows` output shards of `len` bytes; input shard
/// c starts at `inp + c * in_stride`, output shard r at `out + r * out_stride`.
#[no_mangle]
pub unsafe extern "C" fn gf_matmul(
    coef: *const u8,
    rows: usize,
    cols: usize,
    len: usize,
    inp: *const u8,
    in_stride: usize,
    out: *mut u8,
    out_stride: usize,
) {
    reed_solomon::matmul(coef, rows, cols, len, inp, in_stride, out, out_stride)
}

/// As `gf_matmul` with input shard c at `inputs[c]` and output shard r at `outputs[r]` (tables
/// of `cols` and `rows` wasm32 pointers): shards anywhere in memory, no gathering copies.
#[no_mangle]
pub unsafe extern "C" fn gf_matmul_gather(
    coef: *const u8,
    rows: usize,
    cols: usize,
    len: usize,
    inputs: *const *const u8,
    outputs: *const *mut u8,
) {
    reed_solomon::matmul_gather(coef, rows, cols, len, inputs, outputs)
}

/// One block's bitrot frames: `data + parity` frames of `32 + len` bytes start at `frames`; the
/// data shards are already in place after each frame's 32-byte hash slot. Computes the parity
/// shards with `coef` (parity×data) and then every frame's HighwayHash-256 with `key`.
#[no_mangle]
pub unsafe extern "C" fn rs_encode_framed(
    coef: *const u8,
    data: usize,
    parity: usize,
    len: usize,
    frames: *mut u8,
    key: *const u8,
) {
    let stride = 32 + len;
    let shards = frames.add(32);
    reed_solomon::matmul(coef, parity, data, len, shards, stride, shards.add(data * stride), stride);
    hh256_batch(key, shards, len, stride, data + parity, frames, stride);
}

/// HighwayHash-256 of `len` bytes at `data` with the 32-byte `key`; 32 bytes written at `out`.
#[no_mangle]
pub unsafe extern "C" fn hh256(key: *const u8, data: *const u8, len: usize, out: *mut u8) {
    let mut hash = HighwayHash::new(key);
    hash.update_packets(data, len & !31);
    hash.finish256(data.add(len & !31), len & 31, out);
}

/// HighwayHash-256 of `count` slices of `len` bytes, slice i at `data + i * stride`, hash i
/// written at `out + i * out_stride`.
#[no_mangle]
pub unsafe extern "C" fn hh256_batch(
    key: *const u8,
    data: *const u8,
    len: usize,
    stride: usize,
    count: usize,
    out: *mut u8,
    out_stride: usize,
) {
    highway_hash::hash256_batch(key, data, len, stride, count, out, out_stride)
}

/// Bytes of a streaming hash state (see `hh_init`).
#[no_mangle]
pub extern "C" fn hh_state_bytes() -> usize {
    STATE_BYTES
}

/// Streaming: writes the initial state for `key` at `state` (`hh_state_bytes()`, 16-aligned).
#[no_mangle]
pub unsafe extern "C" fn hh_init(key: *const u8, state: *mut u8) {
    HighwayHash::new(key).store(state);
}

/// Streaming: absorbs `len` bytes (a multiple of 32) into the state at `state`.
#[no_mangle]
pub unsafe extern "C" fn hh_update(state: *mut u8, data: *const u8, len: usize) {
    let mut hash = HighwayHash::load(state);
    hash.update_packets(data, len & !31);
    hash.store(state);
}

/// Streaming: absorbs the final `rem_len` (< 32) bytes and writes the 32-byte hash at `out`.
#[no_mangle]
pub unsafe extern "C" fn hh_finish256(state: *const u8, rem: *const u8, rem_len: usize, out: *mut u8) {
    let mut hash = HighwayHash::load(state);
    hash.finish256(rem, rem_len & 31, out);
}
